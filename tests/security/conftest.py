from __future__ import annotations

import pytest

from tests.security.world import build_world


@pytest.fixture
def personas(
    no_role_user,
    entity_delegate,
    entity_admin,
    other_entity_admin,
    comune_user,
    staff_user,
    other_staff,
    superuser,
):
    return {
        "anon": None,
        "no_role": no_role_user,
        "delegate": entity_delegate,
        "entity_admin": entity_admin,
        "other_entity_admin": other_entity_admin,
        "comune": comune_user,
        "udp": staff_user,
        "other_udp": other_staff,
        "superuser": superuser,
    }


@pytest.fixture
def world(personas, ambito, other_ambito, entity, other_entity):
    return build_world(personas, ambito, other_ambito, entity, other_entity)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Transactional tests (browser, worker, faults) end with a flush of every table, data
    migrations included. After that flush (every fixture is torn down when the wrapped teardown
    returns), load the reference lists again, so that the tests that run next on the same
    worker, in any app, still find them."""
    result = yield
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = "transactional_db" in fixtures or (marker and marker.kwargs.get("transaction"))
    if transactional and nextitem is not None:  # after the last test the database is gone
        from importlib import import_module

        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for module in (
                "entities.migrations.0002_reference_lists",
                "plans.migrations.0002_funding_sources",
            ):
                import_module(module).load(apps, None)
    return result
