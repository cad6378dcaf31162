import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from entities.models import Entity
from entities.permissions import EntityPolicy, entity_policy
from tests.factories.entities import EntityFactory


class _EntityPolicyOneRow(EntityPolicy):
    """The same rules, with get() reading the row by its key and asking can_view (by default,
    visible() for that row): Policy.views_one_in_python must answer as the lookup does."""

    views_one_in_python = True


@pytest.mark.django_db
@pytest.mark.parametrize("policy", [entity_policy, _EntityPolicyOneRow()], ids=["sql", "python"])
def test_policy_get_hides_invisible_and_forbids_read_only(
    policy, entity, entity_admin, entity_delegate, no_role_user, ambito
):
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    with pytest.raises(Http404):
        policy.get(no_role_user, pk=pending.pk)
    assert policy.get(no_role_user, pk=entity.pk) == entity
    with pytest.raises(PermissionDenied):
        policy.get(entity_delegate, pk=entity.pk, write=True)
    assert policy.get(entity_admin, pk=entity.pk, write=True) == entity
    for key in ("not-a-number", 10**20):
        with pytest.raises(Http404):
            policy.get(no_role_user, pk=key)


@pytest.mark.django_db
def test_staff_of_ambito_sees_pending(staff_user, other_staff, ambito):
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    assert pending in entity_policy.visible(staff_user)
    assert pending not in entity_policy.visible(other_staff)
    assert entity_policy.can_verify(staff_user, pending) and not entity_policy.can_verify(
        other_staff, pending
    )
