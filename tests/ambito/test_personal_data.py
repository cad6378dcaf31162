"""ambito: a person's staff roles, in the download and after the account is deleted."""

from __future__ import annotations

import pytest

from ambito.models import StaffRole
from core import audit
from core.models import AuditEvent
from tests.factories.ambito import StaffRoleFactory
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db


def test_roles_listed_then_removed_and_their_history_pseudonymised(
    ambito, staff_user, django_capture_on_commit_callbacks
):
    role = StaffRoleFactory(
        ambito=ambito,
        role=StaffRole.Role.OPERATOR,
        job_title="Assistente sociale",
        user__email="paolo.bassi@example.org",
        user__first_name="Paolo",
        user__last_name="Bassi",
    )
    paolo = role.user
    granted = audit.record(
        actor=staff_user,
        action="staff_role.granted",
        obj=role,
        ambito_id=ambito.pk,
        changes={"user": {"before": None, "after": paolo}},
    )
    assert "Paolo Bassi" in granted.object_repr  # str(role) names the person

    data = download(paolo)
    assert data["staff_roles"] == [
        {
            "ambito": ambito.name,
            "role": "Operatore dell'Ufficio di Piano",
            "comune": None,
            "job_title": "Assistente sociale",
            "rup_eligible": True,
        }
    ]

    erase(paolo, django_capture_on_commit_callbacks)

    assert not StaffRole.objects.filter(user=paolo).exists()
    assert StaffRole.objects.filter(user=staff_user).exists()
    granted = AuditEvent.objects.get(pk=granted.pk)  # the record of who held the role stays
    assert granted.actor_id == staff_user.pk and granted.object_id == str(role.pk)
    assert granted.object_repr == f"ruolo del personale #{role.pk}"
    assert audit_mentions("paolo.bassi@example.org", "Paolo Bassi") == []


def test_invitations_to_the_address_are_listed_then_go(
    ambito, staff_user, no_role_user, django_capture_on_commit_callbacks
):
    from ambito import services
    from ambito.models import StaffInvitation

    accepted = services.staff_invitation_create(
        ambito=ambito, email=no_role_user.email, role="operator", invited_by=staff_user
    )
    services.staff_invitation_accept(invitation=accepted, user=no_role_user)
    other = StaffRoleFactory().ambito
    open_one = services.staff_invitation_create(
        ambito=other, email=no_role_user.email.upper(), role="coordinator", invited_by=None
    )
    data = download(no_role_user)
    assert [
        (i["ambito"], i["role"], bool(i["accepted_at"])) for i in data["staff_invitations"]
    ] == [
        (other.name, "Coordinatore dell'Ufficio di Piano", False),
        (ambito.name, "Operatore dell'Ufficio di Piano", True),
    ]
    erased = erase(no_role_user, django_capture_on_commit_callbacks)
    assert not StaffInvitation.objects.filter(pk=open_one.pk).exists()
    kept = StaffInvitation.objects.get(pk=accepted.pk)
    assert kept.email == erased.email and kept.accepted_by_id == erased.pk
    assert audit_mentions(no_role_user.email) == []
