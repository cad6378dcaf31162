"""entities: a person's memberships of entities and the invitations to their address, in the
download and after the account is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import audit
from entities.models import Entity, EntityInvitation, EntityMembership
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db
EMAIL = "lucia.ferri@example.org"


def test_memberships_end_and_invitations_go_or_are_pseudonymised(
    ambito, entity, entity_admin, django_capture_on_commit_callbacks
):
    membership = EntityMembershipFactory(
        entity=entity,
        role=EntityMembership.Role.DELEGATE,
        user__email=EMAIL,
        user__first_name="Lucia",
        user__last_name="Ferri",
    )
    lucia = membership.user
    accepted = EntityInvitation.objects.create(
        entity=entity,
        email=EMAIL,
        role="delegate",
        invited_by=entity_admin,
        accepted_at=timezone.now() - timedelta(days=30),
        accepted_by=lucia,
    )
    other = EntityFactory(ambito=ambito, name="Cooperativa Arcobaleno")
    pending = EntityInvitation.objects.create(
        entity=other, email=EMAIL.upper(), role="admin", invited_by=entity_admin
    )
    invited = audit.record(
        actor=entity_admin,
        action="entity.member_invited",
        obj=entity,
        changes={"email": EMAIL, "role": "delegate"},
        ambito_id=ambito.pk,
    )
    joined = audit.record(actor=lucia, action="entity.member_joined", obj=membership)

    data = download(lucia)
    assert data["entities"] == [
        {
            "entity": entity.name,
            "role": "delegate",
            "since": membership.created_at.isoformat(),
            "ended": None,
        }
    ]
    assert sorted(i["entity"] for i in data["entity_invitations"]) == sorted(
        ["Cooperativa Arcobaleno", entity.name]
    )

    erased = erase(lucia, django_capture_on_commit_callbacks)

    # the membership ends but stays as the entity's history, pointing at the pseudonymous row
    membership.refresh_from_db()
    assert membership.ended_at is not None and membership.user_id == erased.pk
    assert not EntityMembership.objects.filter(user=erased, ended_at__isnull=True).exists()
    assert not EntityInvitation.objects.filter(pk=pending.pk).exists()
    accepted.refresh_from_db()
    assert accepted.email == erased.email and accepted.accepted_by_id == erased.pk
    assert Entity.objects.filter(pk=entity.pk).exists()  # the entity is not hers
    assert audit_mentions(EMAIL, "Lucia Ferri") == []
    invited.refresh_from_db()
    assert invited.changes == {"email": f"utente-cancellato-{erased.pk}", "role": "delegate"}
    joined.refresh_from_db()
    assert joined.object_repr == f"persona dell'ente #{membership.pk}"


def test_a_pending_claim_is_withdrawn_and_a_decided_one_kept(
    ambito, entity, django_capture_on_commit_callbacks
):
    """A claim on a disputed tax code can no longer be decided once its author is gone: the
    pending one is withdrawn (audited); a decided one is the entity's record and stays."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from entities.models import EntityClaim
    from tests.factories.core import UserFactory

    lucia = UserFactory(email=EMAIL, first_name="Lucia", last_name="Ferri")
    other = EntityFactory(ambito=ambito, name="Cooperativa Arcobaleno")

    def claim(on, status):
        return EntityClaim.objects.create(
            entity=on,
            claimant=lucia,
            role="Presidente",
            statement="Sono la legale rappresentante.",
            document=SimpleUploadedFile("nomina.pdf", b"%PDF-1.4\n%%EOF\n"),
            status=status,
        )

    pending = claim(entity, EntityClaim.Status.PENDING)
    rejected = claim(other, EntityClaim.Status.REJECTED)
    assert len(download(lucia)["entity_claims"]) == 2

    erased = erase(lucia, django_capture_on_commit_callbacks)

    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert pending.status == EntityClaim.Status.WITHDRAWN and pending.claimant_id == erased.pk
    assert rejected.status == EntityClaim.Status.REJECTED
    assert audit_mentions(EMAIL, "Lucia Ferri") == []
