import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from entities.models import Entity
from entities.permissions import entity_policy
from tests.factories.entities import EntityFactory


@pytest.mark.django_db
def test_policy_get_hides_invisible_and_forbids_read_only(
    entity, entity_admin, entity_delegate, no_role_user, ambito
):
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    with pytest.raises(Http404):
        entity_policy.get(no_role_user, pk=pending.pk)
    assert entity_policy.get(no_role_user, pk=entity.pk) == entity
    with pytest.raises(PermissionDenied):
        entity_policy.get(entity_delegate, pk=entity.pk, write=True)
    assert entity_policy.get(entity_admin, pk=entity.pk, write=True) == entity
    with pytest.raises(Http404):
        entity_policy.get(no_role_user, pk="not-a-number")


@pytest.mark.django_db
def test_staff_of_ambito_sees_pending(staff_user, other_staff, ambito):
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    assert pending in entity_policy.visible(staff_user)
    assert pending not in entity_policy.visible(other_staff)
    assert entity_policy.can_verify(staff_user, pending) and not entity_policy.can_verify(
        other_staff, pending
    )


@pytest.mark.django_db
def test_a_policy_that_views_one_row_in_python_answers_like_visible(
    entity, entity_admin, entity_delegate, no_role_user, ambito
):
    """views_one_in_python: get() reads the row by its key and asks can_view (by default,
    visible() for that row): the same 404 and 403 as the lookup among visible()."""
    from entities.permissions import EntityPolicy

    class OneRow(EntityPolicy):
        views_one_in_python = True

    policy = OneRow()
    pending = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    with pytest.raises(Http404):
        policy.get(no_role_user, pk=pending.pk)
    assert policy.get(no_role_user, pk=entity.pk) == entity
    with pytest.raises(PermissionDenied):
        policy.get(entity_delegate, pk=entity.pk, write=True)
    assert policy.get(entity_admin, pk=entity.pk, write=True) == entity
    with pytest.raises(Http404):
        policy.get(no_role_user, pk=10**20)
