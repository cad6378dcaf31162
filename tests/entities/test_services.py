from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Notification, OutgoingEmail
from entities import services
from entities.models import Activity, Entity, EntityInvitation, EntityMembership
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory

pytestmark = pytest.mark.django_db


def test_register_makes_pending_entity_with_user_as_admin(
    ambito, no_role_user, staff_user, django_capture_on_commit_callbacks
):
    entity = Entity(
        name="Nuova APS", tax_code="", legal_form="aps", address="Via 1", seat_comune=ambito.lead_comune,
        email="a@example.org", legal_representative="X",
    )  # fmt: skip
    entity.tax_code = EntityFactory.build().tax_code
    with django_capture_on_commit_callbacks(execute=True):
        entity = services.entity_register(
            user=no_role_user, entity=entity, m2m={"activities": Activity.objects.filter(code="a")}
        )
    assert entity.status == Entity.Status.PENDING
    assert entity.ambito == ambito
    assert (
        EntityMembership.objects.get(entity=entity, user=no_role_user).role
        == EntityMembership.Role.ADMIN
    )
    assert AuditEvent.objects.filter(
        action="entities.entity.registered", object_id=str(entity.pk)
    ).exists()
    assert Notification.objects.filter(user=staff_user, kind="entity_pending").exists()


def test_verify_sends_email_to_entity_and_notifies_admins(
    ambito, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    entity = EntityFactory(ambito=ambito, status=Entity.Status.PENDING, email="sede@example.org")
    admin = EntityMembershipFactory(entity=entity).user
    with django_capture_on_commit_callbacks(execute=True):
        services.entity_set_status(user=staff_user, entity=entity, status=Entity.Status.VERIFIED)
    entity.refresh_from_db()
    assert entity.status == Entity.Status.VERIFIED
    assert any(m.to == ["sede@example.org"] and "Verificato" in m.subject for m in mailoutbox)
    assert OutgoingEmail.objects.get(template="entities_status").ambito_id == ambito.pk
    assert Notification.objects.filter(user=admin, kind="entity_status").exists()
    event = AuditEvent.objects.get(action="entities.entity.verified")
    assert event.changes == {"status": {"before": "pending", "after": "verified"}}


def test_reject_needs_reason_and_records_it(
    ambito, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    entity = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    with pytest.raises(ValidationError):
        services.entity_set_status(
            user=staff_user, entity=entity, status=Entity.Status.REJECTED, reason="  "
        )
    entity.refresh_from_db()
    assert entity.status == Entity.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.entity_set_status(
            user=staff_user, entity=entity, status=Entity.Status.REJECTED, reason="Statuto mancante"
        )
    entity.refresh_from_db()
    assert (entity.status, entity.status_reason) == (Entity.Status.REJECTED, "Statuto mancante")
    assert "Statuto mancante" in mailoutbox[-1].body
    assert AuditEvent.objects.get(action="entities.entity.rejected").reason == "Statuto mancante"


def test_invalid_transition_and_foreign_staff(ambito, staff_user, other_staff):
    entity = EntityFactory(ambito=ambito, status=Entity.Status.PENDING)
    with pytest.raises(ValidationError):
        services.entity_set_status(
            user=staff_user, entity=entity, status=Entity.Status.SUSPENDED, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.entity_set_status(user=other_staff, entity=entity, status=Entity.Status.VERIFIED)
    entity.refresh_from_db()
    assert entity.status == Entity.Status.PENDING


def test_suspend_then_reinstate(ambito, staff_user):
    entity = EntityFactory(ambito=ambito)
    services.entity_set_status(
        user=staff_user, entity=entity, status=Entity.Status.SUSPENDED, reason="Verifica in corso"
    )
    services.entity_set_status(user=staff_user, entity=entity, status=Entity.Status.VERIFIED)
    assert list(
        AuditEvent.objects.filter(object_id=str(entity.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "entities.entity.suspended",
        "entities.entity.verified",
    ]


def test_invitation_flow(entity, entity_admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            entity=entity, email="Nuovo@Example.org", role="delegate", invited_by=entity_admin
        )
    assert invitation.email == "nuovo@example.org"
    invitation.outgoing_email.refresh_from_db()
    assert invitation.outgoing_email.status == OutgoingEmail.Status.SENT
    assert invitation.outgoing_email.ambito_id == entity.ambito_id
    assert invitation.get_absolute_url() in mailoutbox[-1].body
    with pytest.raises(ValidationError):
        services.invitation_create(
            entity=entity, email="nuovo@example.org", role="delegate", invited_by=entity_admin
        )
    other = UserFactory(email="altro@example.org")
    assert "altro indirizzo" in services.invitation_problem(invitation, other)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=other)
    newcomer = UserFactory(email="nuovo@example.org")
    membership = services.invitation_accept(invitation=invitation, user=newcomer)
    assert membership.role == "delegate" and membership.entity == entity
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=newcomer)


def test_person_in_several_entities(entity, other_entity, no_role_user):
    for e in (entity, other_entity):
        inv = EntityInvitation.objects.create(entity=e, email=no_role_user.email, role="admin")
        services.invitation_accept(invitation=inv, user=no_role_user)
    assert set(no_role_user.entity_memberships.values_list("entity_id", flat=True)) == {
        entity.pk,
        other_entity.pk,
    }


def test_last_admin_cannot_leave_or_be_demoted(entity, entity_admin, entity_delegate):
    membership = EntityMembership.objects.get(entity=entity, user=entity_admin)
    with pytest.raises(ValidationError):
        services.membership_end(membership=membership, user=entity_admin)
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=membership, role="delegate", user=entity_admin)
    delegate = EntityMembership.objects.get(entity=entity, user=entity_delegate)
    services.membership_set_role(membership=delegate, role="admin", user=entity_admin)
    services.membership_end(membership=membership, user=entity_admin)
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_runts_rules_on_model(ambito):
    entity = EntityFactory.build(
        ambito=ambito,
        seat_comune=ambito.lead_comune,
        runts_status="iscritto",
        runts_number="",
        runts_date=None,
    )
    with pytest.raises(ValidationError) as exc:
        entity.clean()
    assert set(exc.value.message_dict) >= {"runts_number", "runts_date"}


def test_corrected_rejected_entity_goes_back_to_queue(ambito, staff_user, entity_admin, entity):
    from core import audit

    services.entity_set_status(user=staff_user, entity=entity, status="suspended", reason="x")
    Entity.objects.filter(pk=entity.pk).update(status=Entity.Status.REJECTED)
    entity.refresh_from_db()
    before = audit.snapshot(entity, Entity.EDITABLE_FIELDS)
    entity.description = "Statuto allegato"
    services.entity_update(user=entity_admin, entity=entity, before=before, m2m={})
    entity.refresh_from_db()
    assert entity.status == Entity.Status.PENDING
    assert AuditEvent.objects.filter(action="entities.entity.pending").exists()
    assert Notification.objects.filter(user=staff_user, title__contains="ripresentato").exists()


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
def test_decision_email_sent_by_real_worker(ambito, staff_user, celery_worker_process):
    """The e-mail leaves through Celery: a real worker claims the outbox row and sends it."""
    import time

    entity = EntityFactory(
        ambito=ambito, status=Entity.Status.PENDING, email="decisioni@example.org"
    )
    services.entity_set_status(user=staff_user, entity=entity, status=Entity.Status.VERIFIED)
    email = OutgoingEmail.objects.get(to="decisioni@example.org")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and email.status != OutgoingEmail.Status.SENT:
        time.sleep(0.3)
        email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert "Verificato" in email.subject


# --- identifying data changed after verification ---------------------------------------------
def _edit(entity, user, **values):
    from core import audit

    before = audit.snapshot(entity, Entity.EDITABLE_FIELDS)
    for field, value in values.items():
        setattr(entity, field, value)
    return services.entity_update(user=user, entity=entity, before=before, m2m={})


def test_identifying_change_by_the_entity_sends_it_back_to_verification(
    entity, entity_admin, staff_user, operator_user, django_capture_on_commit_callbacks
):
    from datetime import date

    new_code = EntityFactory.build().tax_code
    old_code = entity.tax_code
    with django_capture_on_commit_callbacks(execute=True):
        _edit(
            entity,
            entity_admin,
            tax_code=new_code,
            legal_form=Entity.LegalForm.APS,
            runts_date=date(2024, 2, 1),
            volunteers=7,
        )
    entity.refresh_from_db()
    assert entity.status == Entity.Status.PENDING
    assert "codice fiscale" in entity.status_reason and "forma giuridica" in entity.status_reason
    event = AuditEvent.objects.get(action="entities.entity.pending", object_id=str(entity.pk))
    assert event.actor == entity_admin and event.ambito_id == entity.ambito_id
    assert event.changes["status"] == {"before": "verified", "after": "pending"}
    assert event.changes["tax_code"] == {"before": old_code, "after": new_code}
    assert event.changes["legal_form"] == {"before": "odv", "after": "aps"}
    assert event.changes["runts_date"] == {"before": None, "after": "2024-02-01"}
    assert "volunteers" not in event.changes  # not identifying: in the entity.updated record
    assert (
        AuditEvent.objects.get(action="entities.entity.updated").changes["volunteers"]["after"] == 7
    )
    for verifier in (staff_user, operator_user):
        note = Notification.objects.get(user=verifier, kind="entity_pending")
        assert entity.name in note.title and "identificativi" in note.title
        assert "Codice fiscale" in note.body and new_code in note.body


def test_other_changes_keep_the_entity_verified(entity, entity_admin, staff_user):
    _edit(entity, entity_admin, description="Nuova descrizione", phone="0721 1", volunteers=3)
    entity.refresh_from_db()
    assert entity.status == Entity.Status.VERIFIED
    assert not AuditEvent.objects.filter(action="entities.entity.pending").exists()
    assert not Notification.objects.filter(user=staff_user, kind="entity_pending").exists()


def test_identifying_change_by_the_ufficio_di_piano_stays_verified(entity, staff_user):
    EntityMembershipFactory(entity=entity, user=staff_user)
    _edit(entity, staff_user, name="Il Faro ODV", legal_representative="Nuova Presidente")
    entity.refresh_from_db()
    assert entity.status == Entity.Status.VERIFIED
    assert (
        AuditEvent.objects.get(action="entities.entity.updated").changes["name"]["after"]
        == "Il Faro ODV"
    )


def test_identifying_change_of_a_suspended_entity_keeps_it_suspended_and_tells_the_office(
    entity, entity_admin, staff_user
):
    Entity.objects.filter(pk=entity.pk).update(status=Entity.Status.SUSPENDED)
    entity.refresh_from_db()
    _edit(entity, entity_admin, legal_representative="Altra Persona")
    entity.refresh_from_db()
    assert entity.status == Entity.Status.SUSPENDED
    assert Notification.objects.filter(user=staff_user, kind="entity_pending").exists()


def test_identity_changes_since_the_last_verification(entity, entity_admin, staff_user):
    """What the Ufficio di Piano is shown: each identifying field from its value at the last
    verification to its value now (several edits merged; a field changed back drops out)."""
    from entities import selectors

    _edit(entity, entity_admin, name="Nome provvisorio", legal_representative="Anna Rossi")
    _edit(entity, entity_admin, name="Il Faro ODV", legal_representative="Maria Verdi")
    changes = selectors.identity_changes([entity])[entity.pk]
    assert changes == [("Denominazione", "Associazione Il Faro", "Il Faro ODV")]
    services.entity_set_status(user=staff_user, entity=entity, status=Entity.Status.VERIFIED)
    assert selectors.identity_changes([entity]) == {}
