"""Disputed tax codes: someone registered an entity under a tax code that is not theirs (or its
administrators are gone). The legal representative claims it with a document; the Ufficio di
Piano of the entity's ambito decides."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent, Notification
from core.storage import sha256_of
from entities.models import Entity, EntityClaim, EntityMembership
from entities.services import claims
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _document(name="verbale-nomina.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def squatted(ambito):
    """An entity registered by someone who is not its representative: still pending."""
    entity = EntityFactory(
        ambito=ambito,
        name="Associazione Usurpata",
        status=Entity.Status.PENDING,
        legal_representative="Mario Abusivo",
    )
    squatter = EntityMembershipFactory(entity=entity, user__email="abusivo@example.org").user
    return entity, squatter


@pytest.fixture
def claimant(db):
    return UserFactory(email="presidente@example.org", first_name="Giulia", last_name="Marini")


def _claim(entity, user, **kwargs):
    return claims.claim_create(
        user=user,
        tax_code=kwargs.pop("tax_code", entity.tax_code),
        role=kwargs.pop("role", "Presidente e legale rappresentante"),
        statement=kwargs.pop("statement", "Sono la presidente eletta il 3 marzo 2024."),
        document=kwargs.pop("document", _document()),
    )


# --- services --------------------------------------------------------------------------------
def test_a_claim_goes_to_the_ufficio_di_piano_with_its_evidence(
    squatted, claimant, staff_user, other_staff, django_capture_on_commit_callbacks
):
    entity, _squatter = squatted
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(entity, claimant, tax_code=" " + entity.tax_code.lower() + " ")
    assert (claim.entity, claim.claimant, claim.status) == (entity, claimant, "pending")
    assert claim.document.storage.exists(claim.document.name)
    assert claim.document.name.startswith("entities/claims/")
    assert claim.document_sha256 == sha256_of(PDF)
    event = AuditEvent.objects.get(action="entities.claim.submitted")
    assert event.object_id == str(entity.pk) and event.ambito_id == entity.ambito_id
    assert event.actor == claimant and event.changes["claim"] == claim.pk
    note = Notification.objects.get(user=staff_user, kind="entity_claim")
    assert entity.name in note.title
    assert note.url == reverse("entities:claim_detail", args=[claim.pk])
    assert not Notification.objects.filter(user=other_staff, kind="entity_claim").exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", "Nessun ente è registrato con questo codice fiscale"),
        ("admin", "Amministri già questo ente"),
        ("twice", "Hai già una richiesta in attesa per questo ente"),
    ],
)
def test_claims_that_make_no_sense_are_refused(squatted, claimant, case, message):
    entity, squatter = squatted
    user, tax_code = claimant, entity.tax_code
    if case == "unknown":
        tax_code = EntityFactory.build().tax_code
    elif case == "admin":
        user = squatter
    else:
        _claim(entity, claimant)
    with pytest.raises(ValidationError) as exc:
        _claim(entity, user, tax_code=tax_code)
    assert message in " ".join(exc.value.messages)
    assert EntityClaim.objects.count() == (1 if case == "twice" else 0)


@pytest.mark.parametrize(
    ("outcome", "squatter_role", "squatter_active"),
    [("keep", "admin", True), ("delegate", "delegate", True), ("remove", "admin", False)],
)
def test_accepting_makes_the_claimant_administrator_and_reviews_the_earlier_one(
    squatted,
    claimant,
    staff_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    outcome,
    squatter_role,
    squatter_active,
):
    entity, squatter = squatted
    claim = _claim(entity, claimant)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_decide(
            user=staff_user,
            claim=claim,
            accept=True,
            previous_admins=outcome,
            reason="Verbale di nomina del 3 marzo 2024 controllato.",
        )
    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.ACCEPTED and claim.decided_by == staff_user
    assert claim.previous_admins == outcome
    mine = EntityMembership.objects.get(entity=entity, user=claimant, ended_at__isnull=True)
    assert mine.role == EntityMembership.Role.ADMIN
    theirs = EntityMembership.objects.get(entity=entity, user=squatter)
    assert theirs.role == squatter_role and (theirs.ended_at is None) == squatter_active
    event = AuditEvent.objects.get(action="entities.claim.accepted")
    assert event.actor == staff_user and event.ambito_id == entity.ambito_id
    assert event.changes["claimant"] == claimant.email
    assert event.changes["previous_admins"] == {squatter.email: outcome}
    assert event.reason == "Verbale di nomina del 3 marzo 2024 controllato."
    to_claimant = next(m for m in mailoutbox if m.to == [claimant.email])
    assert "accolta" in to_claimant.subject and entity.name in to_claimant.subject
    assert "ora amministri Associazione Usurpata" in to_claimant.body
    to_squatter = next(m for m in mailoutbox if m.to == [squatter.email])
    assert entity.name in to_squatter.subject
    expected = {
        "keep": "restate amministratori",
        "delegate": "diventa quello di delegato",
        "remove": "Non fate più parte",
    }
    assert expected[outcome] in to_squatter.body


def test_rejecting_needs_a_reason_and_tells_the_claimant(
    squatted, claimant, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    entity, squatter = squatted
    claim = _claim(entity, claimant)
    with pytest.raises(ValidationError) as exc:
        claims.claim_decide(user=staff_user, claim=claim, accept=False, reason=" ")
    assert "motivazione" in " ".join(exc.value.messages)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_decide(
            user=staff_user, claim=claim, accept=False, reason="Il documento non è firmato."
        )
    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.REJECTED
    assert not EntityMembership.objects.filter(entity=entity, user=claimant).exists()
    assert EntityMembership.objects.get(entity=entity, user=squatter).role == "admin"
    message = next(m for m in mailoutbox if m.to == [claimant.email])
    assert "respinta" in message.subject and "Il documento non è firmato." in message.body
    assert AuditEvent.objects.get(action="entities.claim.rejected").reason == (
        "Il documento non è firmato."
    )


def test_accepting_needs_a_choice_for_the_earlier_administrators(squatted, claimant, staff_user):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    with pytest.raises(ValidationError) as exc:
        claims.claim_decide(user=staff_user, claim=claim, accept=True, previous_admins="")
    assert "previous_admins" in exc.value.error_dict


def test_only_the_ufficio_di_piano_of_the_entitys_ambito_decides(
    squatted, claimant, other_staff, comune_user
):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    for user in (other_staff, comune_user, claimant):
        with pytest.raises(PermissionDenied):
            claims.claim_decide(user=user, claim=claim, accept=True, previous_admins="keep")
    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.PENDING


def test_a_decided_claim_is_not_decided_again(squatted, claimant, staff_user):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    claims.claim_decide(user=staff_user, claim=claim, accept=False, reason="No.")
    with pytest.raises(ValidationError):
        claims.claim_decide(user=staff_user, claim=claim, accept=True, previous_admins="keep")


def test_the_claimant_withdraws(squatted, claimant, staff_user):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    claims.claim_withdraw(user=claimant, claim=claim)
    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="entities.claim.withdrawn").exists()
    with pytest.raises(PermissionDenied):
        claims.claim_withdraw(user=staff_user, claim=_claim(entity, claimant))


# --- pages -----------------------------------------------------------------------------------
def test_registering_a_taken_tax_code_points_to_the_claim(
    client_for, claimant, squatted, registration_data
):
    entity, _ = squatted
    response = client_for(claimant).post(
        reverse("entities:register"), {**registration_data, "tax_code": entity.tax_code}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "già registrato" in page
    assert f"{reverse('entities:claim')}?codice_fiscale={entity.tax_code}" in page
    assert entity.name not in page  # a pending entity stays private


def test_claim_page_submits_and_lists_the_claim_without_private_data(
    client_for, claimant, squatted, staff_user
):
    entity, _ = squatted
    client = client_for(claimant)
    form = client.get(reverse("entities:claim"), {"codice_fiscale": entity.tax_code})
    assert form.context["form"]["tax_code"].value() == entity.tax_code
    response = client.post(
        reverse("entities:claim"),
        {
            "tax_code": entity.tax_code,
            "role": "Presidente",
            "statement": "Sono la presidente.",
            "document": _document(),
            "declaration": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Richiesta inviata" in page
    assert entity.tax_code in page and "In attesa di decisione" in page
    assert entity.name not in page and "Mario Abusivo" not in page
    assert EntityClaim.objects.get().claimant == claimant


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("document", SimpleUploadedFile("nomina.pdf", b"MZ\x90\x00" + b"\0" * 64), "Tipo di file"),
        ("document", SimpleUploadedFile("nomina.docx", PDF), "non corrisponde"),
        ("declaration", "", "Conferma la dichiarazione"),
        ("tax_code", "123", "11 cifre"),
    ],
)
def test_claim_form_errors_next_to_their_fields(
    client_for, claimant, squatted, field, value, message
):
    entity, _ = squatted
    data = {
        "tax_code": entity.tax_code,
        "role": "Presidente",
        "statement": "Sono la presidente.",
        "document": _document(),
        "declaration": "on",
        field: value,
    }
    response = client_for(claimant).post(reverse("entities:claim"), data)
    assert message in " ".join(response.context["form"].errors[field])
    assert not EntityClaim.objects.exists()


def test_the_office_sees_the_claim_in_its_queue_and_decides(
    client_for, claimant, squatted, staff_user, other_staff
):
    entity, squatter = squatted
    claim = _claim(entity, claimant)
    staff = client_for(staff_user)
    queue = staff.get(reverse("entities:verification_queue")).content.decode()
    assert reverse("entities:claim_detail", args=[claim.pk]) in queue
    assert "Richieste di amministrazione" in queue
    detail = staff.get(reverse("entities:claim_detail", args=[claim.pk]))
    page = detail.content.decode()
    assert claimant.email in page and squatter.email in page and entity.name in page
    assert claim.document_sha256 in page
    assert reverse("entities:claim_document", args=[claim.pk]) in page
    response = staff.post(
        reverse("entities:claim_detail", args=[claim.pk]),
        {"decision": "accept", "previous_admins": "delegate", "reason": "Documento valido."},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.ACCEPTED
    assert (
        client_for(other_staff).get(reverse("entities:claim_detail", args=[claim.pk])).status_code
        == 404
    )


def test_decision_form_errors_are_shown(client_for, claimant, squatted, staff_user):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    response = client_for(staff_user).post(
        reverse("entities:claim_detail", args=[claim.pk]), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 200
    assert "motivazione" in " ".join(response.context["decision_form"].errors["reason"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("claimant", 200),
        ("staff_user", 200),
        ("superuser", 200),
        ("other_staff", 404),
        ("comune_user", 404),
        ("entity_admin", 404),
    ],
)
def test_only_the_claimant_and_the_office_download_the_evidence(
    request, client_for, squatted, claimant, persona, status
):
    entity, _ = squatted
    claim = _claim(entity, claimant)
    user = claimant if persona == "claimant" else request.getfixturevalue(persona)
    response = client_for(user).get(reverse("entities:claim_document", args=[claim.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF


def test_claims_are_in_the_claimants_personal_data(client_for, squatted, claimant):
    import json

    entity, _ = squatted
    claim = _claim(entity, claimant)
    data = json.loads(client_for(claimant).get("/la-mia-area/dati/").content)
    assert data["entity_claims"] == [
        {
            "entity_tax_code": entity.tax_code,
            "role": claim.role,
            "statement": claim.statement,
            "document_sha256": claim.document_sha256,
            "status": "pending",
            "submitted": claim.created_at.isoformat(),
            "decided": None,
            "decision_reason": "",
        }
    ]


def test_the_my_area_block_counts_pending_claims(client_for, squatted, claimant, staff_user):
    entity, _ = squatted
    _claim(entity, claimant)
    page = client_for(staff_user).get(reverse("core:my_area")).content.decode()
    assert "1 richiesta di amministrazione attende la decisione." in page
