"""bench_seed's shapes (core.bench.Shape): numbered scales multiply scale 1, "regional" is a
whole region's portal (10 ambiti of 30 comuni, 20,000 entities, 2,000 tables, 50,000 meetings,
1,000 procedures), and the seeders follow the shape they are given."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import CommandError, call_command

from core import bench
from core.bench import REGIONAL, shape_for
from tables.bench import MEETINGS_PER_TABLE


def test_scale_one_and_ten():
    one, ten = shape_for("1"), shape_for(10)
    assert (one.ambiti, one.comuni, one.entities, one.tables, one.procedures) == (
        23,
        230,
        5000,
        200,
        100,
    )
    assert (ten.ambiti, ten.comuni, ten.entities, ten.tables, ten.procedures) == (
        230,
        2300,
        50_000,
        2000,
        1000,
    )
    tiny = shape_for(0.01)  # every ambito keeps its entities, a table and a procedure
    assert (tiny.ambiti, tiny.entities, tiny.tables, tiny.procedures) == (1, 50, 2, 1)


def test_the_regional_shape():
    assert shape_for("regional") is REGIONAL
    assert (REGIONAL.ambiti, REGIONAL.comuni, REGIONAL.entities) == (10, 300, 20_000)
    assert (REGIONAL.tables, REGIONAL.procedures) == (2000, 1000)
    assert REGIONAL.tables * MEETINGS_PER_TABLE == 50_000


@pytest.mark.parametrize("value", ["0", "-1", "nazionale"])
def test_a_wrong_scale_is_refused(value, db):
    with pytest.raises(CommandError, match="regional"):
        call_command("bench_seed", "--scale", value, verbosity=0)


@pytest.mark.django_db
def test_bench_seed_regional_seeds_the_shape(monkeypatch):
    """The regional shape in miniature (its 30 comuni per ambito, few rows): the command and
    every seeder follow the shape, not the scale-1 proportions."""
    from ambito.models import Ambito
    from entities.models import Entity
    from processes.models import Procedure
    from tables.models import Meeting, Table

    small = dataclasses.replace(REGIONAL, ambiti=2, entities=90, tables=4, procedures=3)
    monkeypatch.setattr(bench, "REGIONAL", small)
    call_command("bench_seed", "--scale", "regional", verbosity=0)

    assert Ambito.objects.count() == 2
    assert [a.comuni.count() for a in Ambito.objects.order_by("code")] == [30, 30]
    assert Entity.objects.count() == 90
    assert Table.objects.count() == 4
    assert Meeting.objects.count() == 4 * MEETINGS_PER_TABLE
    assert Procedure.objects.count() == 3
