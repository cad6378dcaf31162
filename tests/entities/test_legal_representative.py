"""The legal representative's fiscal code on the entity's record (form, validation, import and
export, never public), and what it allows once SPID/CIE proved it: taking the administrator
role without the Ufficio di Piano, and claims accepted at once (entities.services.claims)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent, Notification, OutgoingEmail
from entities.models import Entity, EntityClaim, EntityMembership
from entities.services import claims
from tests.entities import test_import as import_tests
from tests.factories.core import UserFactory
from tests.factories.entities import EntityMembershipFactory
from tests.oidc_provider.fixtures import prove_identity

pytestmark = pytest.mark.django_db
MARIO = "RSSMRA80A01H501U"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def mario(db):
    return UserFactory(email="mario.rossi@example.org", first_name="Mario", last_name="Rossi",
                       fiscal_code=MARIO)  # fmt: skip


@pytest.fixture(autouse=True)
def _registered_on(entity):
    """The factory's entity is registered in the RUNTS without a date: a valid record has it."""
    entity.runts_date = datetime.date(2023, 3, 15)
    entity.save(update_fields=["runts_date"])


@pytest.fixture
def represented(entity, entity_admin):
    entity.legal_representative = "Mario Rossi"
    entity.legal_representative_fiscal_code = MARIO
    entity.save()
    return entity


def _client(client_for, user, proven=True):
    client = client_for(user)
    if proven:
        prove_identity(client, user)
    return client


# --- the record ------------------------------------------------------------------------------
def test_model_normalises_and_refuses_an_invalid_fiscal_code(entity):
    entity.legal_representative_fiscal_code = "rssmra80a01h501u"
    entity.clean()
    assert entity.legal_representative_fiscal_code == MARIO
    entity.legal_representative_fiscal_code = "RSSMRA80A01H501X"
    with pytest.raises(ValidationError) as exc:
        entity.clean()
    assert exc.value.message_dict == {
        "legal_representative_fiscal_code": [
            "Il codice fiscale RSSMRA80A01H501X non è un codice fiscale personale valido."
        ]
    }


@pytest.mark.parametrize(
    ("typed", "stored", "error"),
    [
        ("TINIT-rssmra80a01h501u", MARIO, None),
        (" RSSMRA80A01H501U ", MARIO, None),
        ("", "", None),
        ("RSSMRA80A01H501X", None, "non è un codice fiscale personale valido"),
        ("80012345678", None, "non è un codice fiscale personale valido"),
    ],
)
def test_edit_page_stores_it_or_shows_the_error_next_to_the_field(
    client_for, entity, entity_admin, typed, stored, error
):
    from entities.forms import EntityForm

    url = reverse("entities:edit", args=[entity.pk])
    client = client_for(entity_admin)
    form = client.get(url).context["form"]
    assert isinstance(form, EntityForm)
    data = _posted(form)
    data["legal_representative_fiscal_code"] = typed
    response = client.post(url, data)
    entity.refresh_from_db()
    if error:
        assert response.status_code == 200
        assert error in response.context["form"].errors["legal_representative_fiscal_code"][0]
        assert entity.legal_representative_fiscal_code == ""
    else:
        assert response.status_code == 302, response.context["form"].errors
        assert entity.legal_representative_fiscal_code == stored


def _posted(form) -> dict:
    """What the browser posts back for the form as shown."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "logo":
            continue
        if hasattr(value, "all"):
            value = list(value.all())
        if isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    return data


def test_public_profile_never_shows_it_members_and_staff_do(
    client_for, represented, entity_admin, staff_user
):
    url = reverse("entities:detail", args=[represented.pk])
    assert MARIO not in client_for(None).get(url).content.decode()
    assert MARIO not in client_for(UserFactory()).get(url).content.decode()
    assert MARIO in client_for(entity_admin).get(url).content.decode()
    assert MARIO in client_for(staff_user).get(url).content.decode()


def test_export_has_the_column_and_import_reads_and_checks_it(
    client_for, staff_user, represented, ambito
):
    client = client_for(staff_user)
    content = client.get(reverse("entities:export"), {"formato": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    mine = next(r for r in rows if r["codice_fiscale"] == represented.tax_code)
    assert mine["codice_fiscale_legale_rappresentante"] == MARIO

    def upload(code):
        mine["codice_fiscale_legale_rappresentante"] = code
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(mine))
        writer.writeheader()
        writer.writerow(mine)
        file = SimpleUploadedFile("enti.csv", buffer.getvalue().encode(), "text/csv")
        return import_tests.dry_run(client, file, ambito)

    refused = upload("RSSMRA80A01H501X")
    assert refused.context["ok"] is False
    assert "non è un codice fiscale personale valido" in str(refused.context["rows"])
    accepted = upload("vrdgpp60r10g479w")
    assert accepted.context["ok"] is True, accepted.context["rows"]
    assert import_tests._confirm(client, accepted).status_code == 302
    represented.refresh_from_db()
    assert represented.legal_representative_fiscal_code == "VRDGPP60R10G479W"


def test_changing_it_sends_a_verified_entity_back_to_verification(represented, entity_admin):
    from core import audit
    from entities import services

    before = audit.snapshot(represented, Entity.EDITABLE_FIELDS)
    represented.legal_representative_fiscal_code = "VRDGPP60R10G479W"
    services.entity_update(user=entity_admin, entity=represented, before=before, m2m={})
    represented.refresh_from_db()
    assert represented.status == Entity.Status.PENDING


# --- taking the administrator role -----------------------------------------------------------
def test_my_area_offers_the_entity_and_the_proven_person_takes_it_over(
    client_for, represented, entity_admin, staff_user, mario, django_capture_on_commit_callbacks
):
    client = _client(client_for, mario)
    page = client.get(reverse("core:my_area")).content.decode()
    assert "Enti di cui sei legale rappresentante" in page
    assert reverse("entities:take_over", args=[represented.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("entities:take_over", args=[represented.pk]))

    assert response.status_code == 302 and response["Location"] == represented.get_absolute_url()
    assert (
        EntityMembership.objects.get(entity=represented, user=mario, ended_at__isnull=True).role
        == EntityMembership.Role.ADMIN
    )
    # the existing administrator stays, and is told
    assert EntityMembership.objects.get(entity=represented, user=entity_admin).role == "admin"
    (notice,) = OutgoingEmail.objects.filter(to=entity_admin.email)
    assert (
        notice.subject
        == f"{represented.name}: il legale rappresentante è ora amministratore nel portale"
    )
    assert "Mario Rossi ha effettuato l'accesso al portale con SPID o CIE" in notice.body_text
    event = AuditEvent.objects.get(action="entities.legal_representative.made_admin")
    assert (event.actor, event.object_id, event.ambito_id) == (
        mario,
        str(represented.pk),
        represented.ambito_id,
    )
    assert MARIO not in str(event.changes) + event.reason
    assert Notification.objects.filter(user=staff_user, kind="entity_legal_representative").exists()
    # offered no more
    assert (
        "Enti di cui sei legale rappresentante"
        not in client.get(reverse("core:my_area")).content.decode()
    )


def test_without_spid_in_this_session_the_role_is_not_taken(client_for, represented, mario):
    client = _client(client_for, mario, proven=False)
    page = client.get(reverse("core:my_area")).content.decode()
    assert "entra con spid o cie" in page.lower()
    assert reverse("entities:take_over", args=[represented.pk]) not in page

    response = client.post(reverse("entities:take_over", args=[represented.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("core:my_area")
    assert not EntityMembership.objects.filter(entity=represented, user=mario).exists()
    assert not AuditEvent.objects.filter(action="entities.legal_representative.made_admin").exists()


@pytest.mark.parametrize("case", ["other_person", "rejected", "no_code_on_record"])
def test_nobody_else_takes_it_over(client_for, represented, mario, case):
    user = mario
    if case == "other_person":
        user = UserFactory(fiscal_code="VRDGPP60R10G479W")
    elif case == "rejected":
        Entity.objects.filter(pk=represented.pk).update(status=Entity.Status.REJECTED)
    else:
        Entity.objects.filter(pk=represented.pk).update(legal_representative_fiscal_code="")
    client = _client(client_for, user)

    response = client.post(reverse("entities:take_over", args=[represented.pk]))

    assert response.status_code == 404
    assert not EntityMembership.objects.filter(entity=represented, user=user).exists()


def test_a_delegate_who_is_the_representative_becomes_administrator(client_for, represented, mario):
    EntityMembershipFactory(entity=represented, user=mario, role=EntityMembership.Role.DELEGATE)
    client = _client(client_for, mario)

    client.post(reverse("entities:take_over", args=[represented.pk]))

    memberships = EntityMembership.objects.filter(entity=represented, user=mario)
    assert [(m.role, m.ended_at) for m in memberships] == [("admin", None)]
    event = AuditEvent.objects.get(action="entities.legal_representative.made_admin")
    assert event.changes["role"] == {"before": "delegate", "after": "admin"}


# --- claims ------------------------------------------------------------------------------------
def _claim(entity, user, proven):
    return claims.claim_create(
        user=user,
        tax_code=entity.tax_code,
        role="Presidente e legale rappresentante",
        statement="Sono il presidente.",
        document=SimpleUploadedFile("nomina.pdf", PDF, content_type="application/pdf"),
        proven_fiscal_code=proven,
    )


def test_claim_of_the_proven_representative_is_accepted_at_once(
    represented, entity_admin, mario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(represented, mario, proven=MARIO)

    claim.refresh_from_db()
    assert claim.status == EntityClaim.Status.ACCEPTED
    assert claim.previous_admins == EntityClaim.PreviousAdmins.KEEP
    assert "SPID o CIE" in claim.decision_reason
    assert EntityMembership.objects.get(entity=represented, user=mario).role == "admin"
    assert EntityMembership.objects.get(entity=represented, user=entity_admin).role == "admin"
    event = AuditEvent.objects.get(action="entities.claim.accepted")
    assert event.changes["proof"] == "SPID/CIE" and event.actor == mario
    (to_claimant,) = OutgoingEmail.objects.filter(to=mario.email)
    assert "la tua richiesta è stata accolta subito" in to_claimant.body_text
    (to_admin,) = OutgoingEmail.objects.filter(to=entity_admin.email)
    assert (
        to_admin.subject
        == f"{represented.name}: il legale rappresentante è ora amministratore nel portale"
    )


@pytest.mark.parametrize("proven", ["", "VRDGPP60R10G479W"])
def test_claim_without_the_matching_proof_waits_for_the_ufficio_di_piano(
    represented, mario, proven
):
    claim = _claim(represented, mario, proven=proven)
    assert claim.status == EntityClaim.Status.PENDING
    assert not EntityMembership.objects.filter(entity=represented, user=mario).exists()


def test_claim_page_accepts_at_once_with_spid(client_for, represented, mario):
    client = _client(client_for, mario)
    response = client.post(
        reverse("entities:claim"),
        {
            "tax_code": represented.tax_code,
            "role": "Presidente",
            "statement": "Sono il presidente.",
            "document": SimpleUploadedFile("nomina.pdf", PDF, content_type="application/pdf"),
            "declaration": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == represented.get_absolute_url()
    assert EntityClaim.objects.get(claimant=mario).status == EntityClaim.Status.ACCEPTED


def test_import_template_has_the_column(client_for, staff_user):
    content = client_for(staff_user).get(reverse("entities:import_template")).content
    sheet = load_workbook(io.BytesIO(content)).active  # the template is an XLSX
    header, values = list(sheet.values)
    row = dict(zip(header, values, strict=True))
    assert row["codice_fiscale_legale_rappresentante"] == MARIO
    assert row["legale_rappresentante"] == "Mario Rossi"
