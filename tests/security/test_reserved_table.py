"""The pages of a table reserved to a co-progettazione, as every persona, against the rows of
matrix.RESERVED_TABLE (the same checks as test_permission_matrix.py, on the reserved objects)."""

from __future__ import annotations

import pytest

from tests.security import matrix
from tests.security.test_permission_matrix import clients, outcome, url_for
from tests.security.urls import endpoints

pytestmark = pytest.mark.django_db

BY_NAME = {e.name: e for e in endpoints()}
ROWS = sorted(matrix.RESERVED_TABLE)


def test_every_row_names_a_url():
    assert not set(ROWS) - set(BY_NAME)


@pytest.mark.parametrize("name", ROWS)
def test_get_as_every_persona(name, world):
    row = matrix.RESERVED_TABLE[name]
    url = url_for(BY_NAME[name], world, row)
    got = {p: outcome(c.get(url)) for p, c in clients(world).items()}
    wrong = {
        p: f"expected {row.get[p]}, got {got[p]}" for p in matrix.PERSONAS if got[p] != row.get[p]
    }
    assert not wrong, f"GET {url} ({name}): {wrong}"


WRITES = [n for n in ROWS if matrix.RESERVED_TABLE[n].post is not None]


@pytest.mark.parametrize("name", WRITES)
def test_writes(name, world):
    """Refused writes change nothing; the last persona allowed to write succeeds."""
    row = matrix.RESERVED_TABLE[name]
    url = url_for(BY_NAME[name], world, row)
    allowed = []
    for persona, client in clients(world).items():
        expected = row.post[persona]
        if expected not in matrix.REFUSALS:
            allowed.append((persona, client))
            continue
        before = row.snapshot(world)
        got = outcome(client.post(url, row.data(world)))
        assert got == expected, f"POST {url} as {persona}: expected {expected}, got {got}"
        assert row.snapshot(world) == before, f"POST {url} as {persona} changed data"
    persona, client = allowed[-1]
    assert outcome(client.post(url, row.data(world))) == row.post[persona]


def test_the_procedure_page_names_the_reserved_table_only_to_its_people(world):
    link = world.reserved_table.get_absolute_url()
    for persona, client in clients(world).items():
        page = client.get(world.reserved_procedure.get_absolute_url()).content.decode()
        sees = matrix.RESERVED_TABLE["tables:detail"].get[persona] == matrix.OK
        assert (link in page) is sees, persona
        assert ("Sessione riservata" in page) is sees, persona


def test_the_global_search_finds_the_reserved_table_only_for_its_people(world):
    link = world.reserved_table.get_absolute_url()
    for persona, client in clients(world).items():
        page = client.get("/cerca/", {"q": "riservato"}).content.decode()
        sees = matrix.RESERVED_TABLE["tables:detail"].get[persona] == matrix.OK
        assert (f'href="{link}"' in page) is sees, persona
