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
