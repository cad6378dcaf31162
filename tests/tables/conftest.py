from __future__ import annotations

import pytest

from tables.models import TableMembership
from tests.factories.tables import (
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    TableFactory,
)


@pytest.fixture
def table(ambito, staff_user):
    return TableFactory(ambito=ambito, name="Inclusione", slug="inclusione")


@pytest.fixture
def seat(table, entity, entity_delegate, entity_admin):
    """The verified `entity` sits at `table` with its delegate (substitute: its admin)."""
    return MembershipFactory(
        table=table, entity=entity, delegate=entity_delegate, substitute=entity_admin
    )


@pytest.fixture
def meeting(table, seat):
    m = MeetingFactory(table=table, title="Prima seduta")
    AgendaItemFactory(meeting=m, order=1, title="Analisi dei bisogni")
    AgendaItemFactory(meeting=m, order=2, title="Calendario")
    return m


def add_members(table, n):
    return [MembershipFactory(table=table, status=TableMembership.Status.ACTIVE) for _ in range(n)]
