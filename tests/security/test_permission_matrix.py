"""Every URL of the portal, as every persona, against the one table in matrix.py."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security import matrix
from tests.security.urls import Endpoint, endpoints

pytestmark = pytest.mark.django_db

ALL = endpoints()
DECLARED = [e for e in ALL if e.name in matrix.MATRIX]
BY_PREFIX = [
    e for e in ALL if e.name not in matrix.MATRIX and e.route.startswith(tuple(matrix.PREFIX_RULES))
]


def test_every_url_is_declared():
    missing = sorted(
        {
            f"{e.name}  ({e.route})"
            for e in ALL
            if e.name not in matrix.MATRIX and not e.route.startswith(tuple(matrix.PREFIX_RULES))
        }
    )
    assert not missing, (
        "URL patterns missing from tests/security/matrix.py (add a row for each):\n  "
        + "\n  ".join(missing)
    )


def test_no_row_without_a_url():
    names = {e.name for e in ALL}
    stale = sorted(set(matrix.MATRIX) - names)
    assert not stale, f"rows in matrix.py for URL names that no longer exist: {stale}"


def _pk_source(name: str) -> str | None:
    matches = [p for p in matrix.PK_SOURCES if name.startswith(p)]
    return matrix.PK_SOURCES[max(matches, key=len)] if matches else None


def url_for(endpoint: Endpoint, world, row: matrix.Row | None = None) -> str:
    if row is not None and row.kwargs is not None:
        kwargs = row.kwargs(world)
    else:
        kwargs = {}
        for kw in endpoint.kwargs:
            if kw in matrix.KWARG_SOURCES:
                kwargs[kw] = matrix.KWARG_SOURCES[kw](world)
            elif kw == "pk" and _pk_source(endpoint.name):
                kwargs[kw] = getattr(world, _pk_source(endpoint.name)).pk
            else:
                raise AssertionError(
                    f"{endpoint.name}: no value for URL kwarg {kw!r}; add it to KWARG_SOURCES/PK_SOURCES "
                    "in matrix.py or give the row kwargs=lambda w: {{...}}"
                )
    if endpoint.name == endpoint.route:
        raise AssertionError(f"{endpoint.route} has no name: give it one")
    query = row.query if row else ""
    return reverse(endpoint.name, kwargs=kwargs) + (query(world) if callable(query) else query)


def outcome(response) -> object:
    if response.status_code == 302:
        login = reverse("account_login")
        return matrix.LOGIN if urlparse(response["Location"]).path == login else matrix.REDIRECT
    return response.status_code


def clients(world, extra: Iterable[str] = ()) -> dict[str, Client]:
    """A client per persona, plus the EXTRA_PERSONAS named in `extra`."""
    users = {**world.personas, **{p: world.extra_personas[p] for p in extra}}
    result = {}
    for persona, user in users.items():
        c = Client()
        if user is not None:
            c.force_login(user)
        result[persona] = c
    return result


def check_get(endpoint, world, row: matrix.Row) -> None:
    unknown = set(row.extra) | set(row.extra_post)
    assert unknown <= set(matrix.EXTRA_PERSONAS), f"unknown extra personas {unknown}"
    url = url_for(endpoint, world, row)
    expected = {**row.get, **row.extra}
    got = {p: outcome(c.get(url)) for p, c in clients(world, row.extra).items()}
    wrong = {p: f"expected {expected[p]}, got {got[p]}" for p in expected if got[p] != expected[p]}
    assert not wrong, f"GET {url} ({endpoint.name}): {wrong}"


def post(client, url: str, row: matrix.Row, world):
    """The row's write: one POST, or two when the row has `then` (e.g. upload, then confirm)."""
    response = client.post(url, row.data(world))
    if row.then is not None:
        response = client.post(url, row.then(world, response))
    return response


def check_refused_writes(endpoint, world, row: matrix.Row) -> None:
    assert row.snapshot is not None, f"{endpoint.name}: a write row needs snapshot="
    url = url_for(endpoint, world, row)
    expectations = {**row.post, **row.extra_post}
    for persona, client in clients(world, row.extra_post).items():
        expected = expectations[persona]
        if expected not in matrix.REFUSALS:
            continue
        before = row.snapshot(world)
        got = outcome(post(client, url, row, world))
        assert got == expected, f"POST {url} as {persona}: expected {expected}, got {got}"
        assert row.snapshot(world) == before, (
            f"POST {url} as {persona} was refused ({got}) but changed data"
        )


@pytest.mark.parametrize("endpoint", DECLARED, ids=[e.name for e in DECLARED])
def test_get_as_every_persona(endpoint, world):
    check_get(endpoint, world, matrix.MATRIX[endpoint.name])


WRITES = [e for e in DECLARED if matrix.MATRIX[e.name].post is not None]


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.name for e in WRITES])
def test_refused_writes_change_nothing(endpoint, world):
    check_refused_writes(endpoint, world, matrix.MATRIX[endpoint.name])


STATES = [(e, state) for e in DECLARED for state in matrix.STATE_ROWS.get(e.name, {})]


def test_every_state_row_names_a_url():
    names = {e.name for e in ALL}
    assert set(matrix.STATE_ROWS) <= names, set(matrix.STATE_ROWS) - names


@pytest.mark.parametrize(
    ("endpoint", "state"), STATES, ids=[f"{e.name} [{state}]" for e, state in STATES]
)
def test_every_state_as_every_persona(endpoint, state, world):
    row = matrix.STATE_ROWS[endpoint.name][state]
    check_get(endpoint, world, row)
    if row.post is not None:
        check_refused_writes(endpoint, world, row)


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.name for e in WRITES])
def test_allowed_writes_succeed(endpoint, world):
    """The data in the row is valid: a persona allowed to write gets its redirect (so refusals
    above come from permissions, not from bad data)."""
    row = matrix.MATRIX[endpoint.name]
    url = url_for(endpoint, world, row)
    allowed = [p for p in matrix.PERSONAS if row.post[p] not in matrix.REFUSALS]
    if not allowed:
        pytest.skip("no persona may write")
    persona = allowed[-1]
    client = clients(world)[persona]
    got = outcome(post(client, url, row, world))
    assert got == row.post[persona], (
        f"POST {url} as {persona}: expected {row.post[persona]}, got {got}"
    )


def _third_party_url(endpoint: Endpoint) -> str | None:
    try:
        return reverse(endpoint.name, kwargs={k: "abc123" for k in endpoint.kwargs})
    except NoReverseMatch:
        try:
            return reverse(endpoint.name, kwargs={k: "1" for k in endpoint.kwargs})
        except NoReverseMatch:
            return None


def test_third_party_urls_never_fail(world):
    """allauth and admin URLs (declared by prefix): no persona gets a server error."""
    checked = 0
    failures = []
    cs = clients(world)
    for endpoint in BY_PREFIX:
        url = _third_party_url(endpoint)
        if url is None:
            continue
        for persona, client in cs.items():
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{url} as {persona}: {status}")
        checked += 1
    assert checked > 20
    assert not failures, failures


# --- the same URLs on other objects (matrix.MORE_ROWS) -----------------------------------------
BY_NAME = {e.name: e for e in ALL}


def test_more_rows_name_urls_that_exist():
    assert {name for name, _row in matrix.MORE_ROWS.values()} <= set(BY_NAME)


@pytest.mark.parametrize("label", sorted(matrix.MORE_ROWS))
def test_more_rows(label, world):
    """GET as every persona, then POST as every persona refused: the status of the row, and
    nothing changed."""
    name, row = matrix.MORE_ROWS[label]
    url = url_for(BY_NAME[name], world, row)
    cs = clients(world)
    got = {p: outcome(c.get(url)) for p, c in cs.items()}
    wrong = {
        p: f"expected {row.get[p]}, got {got[p]}" for p in matrix.PERSONAS if got[p] != row.get[p]
    }
    assert not wrong, f"GET {url} ({label}): {wrong}"
    if row.post is None:
        return
    assert row.snapshot is not None, f"{label}: a write row needs snapshot="
    for persona, client in cs.items():
        expected = row.post[persona]
        if expected not in matrix.REFUSALS:
            continue
        before = row.snapshot(world)
        got_post = outcome(client.post(url, row.data(world)))
        assert got_post == expected, f"POST {url} as {persona}: expected {expected}, got {got_post}"
        assert row.snapshot(world) == before, (
            f"POST {url} as {persona} was refused ({got_post}) but changed data"
        )
