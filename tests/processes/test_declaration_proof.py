"""A procedure may require the declarations (DPR 445/2000) to be confirmed by a SPID/CIE login of
level 2 or by a declaration signed digitally: ticked boxes alone are then refused at submission,
with a message that says how to comply, and nothing of the submission is written."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditEvent
from processes import services
from processes.models import Application, Procedure, ProtocolCounter
from tests.core.test_signatures import DOCUMENT, pki  # noqa: F401 (fixture)
from tests.oidc_provider.fixtures import prove_identity
from tests.processes.conftest import fill_and_submit
from tests.processes.test_declarations import FORM, MARIO

pytestmark = pytest.mark.django_db

REQUIRED = Procedure.DeclarationProof.SPID_CIE_OR_SIGNED
REFUSAL = (
    "Questo avviso richiede che le dichiarazioni siano confermate con SPID o CIE di livello 2 "
    "oppure con la dichiarazione sostitutiva firmata digitalmente: le caselle spuntate non "
    "bastano."
)
HOW_TO = "Entra con SPID o CIE di livello 2 e presenta di nuovo la domanda, oppure carica"


@pytest.fixture
def strict_draft(make_procedure, entity, entity_admin, settings):
    settings.SIGNATURE_TRUST_ROOTS = ""
    entity.legal_representative = "Mario Rossi"
    entity.legal_representative_fiscal_code = MARIO
    entity.save()
    procedure = make_procedure(declaration_proof=REQUIRED)
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    return fill_and_submit(application, entity_admin, submit=False)


def _sign_declaration(application, actor, pki):  # noqa: F811
    return services.application_document_add(
        application=application,
        actor=actor,
        title="Dichiarazione sostitutiva",
        file=SimpleUploadedFile("dichiarazione.pdf.p7m", pki.p7m(DOCUMENT)),
        is_declaration=True,
    )


# --- the service ------------------------------------------------------------------------------
def test_default_still_accepts_ticked_boxes(make_procedure):
    assert make_procedure().declaration_proof == Procedure.DeclarationProof.CHECKBOX


def test_ticked_boxes_alone_are_refused_and_nothing_is_written(strict_draft, entity_admin):
    counters = list(ProtocolCounter.objects.values_list("last_number", flat=True))
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=strict_draft, actor=entity_admin, identity=None)
    assert list(caught.value.message_dict) == ["declarations"]
    (message,) = caught.value.message_dict["declarations"]
    assert message.startswith(REFUSAL) and HOW_TO in message and ".p7m" in message
    application = Application.objects.get(pk=strict_draft.pk)
    assert (application.status, application.protocol_number, application.declared_with) == (
        "draft",
        "",
        "",
    )
    assert application.procedure.notice_locked_at is None
    assert list(ProtocolCounter.objects.values_list("last_number", flat=True)) == counters
    assert not AuditEvent.objects.filter(action="processes.application.submitted").exists()


def test_spid_level_1_is_refused_level_2_accepted(strict_draft, entity_admin):
    with pytest.raises(ValidationError):
        services.application_submit(
            application=strict_draft,
            actor=entity_admin,
            identity={"level": 1, "fiscal_code": MARIO},
        )
    application = services.application_submit(
        application=strict_draft, actor=entity_admin, identity={"level": 2, "fiscal_code": MARIO}
    )
    assert (application.status, application.declared_with, application.declared_fiscal_code) == (
        "submitted",
        "spid_cie",
        MARIO,
    )


def test_spid_of_someone_other_than_the_legal_representative_is_not_their_declaration(
    strict_draft, entity_admin
):
    """The declarations are the legal representative's (DPR 445/2000): a SPID/CIE login of
    level 2 by another person does not confirm them, and the refusal says whose it was."""
    other = "VRDGPP80A01H501Y"
    with pytest.raises(ValidationError) as caught:
        services.application_submit(
            application=strict_draft,
            actor=entity_admin,
            identity={"level": 2, "fiscal_code": other},
        )
    (message,) = caught.value.message_dict["declarations"]
    assert f"C.F. {other}" in message and "Mario Rossi" in message, message
    assert Application.objects.get(pk=strict_draft.pk).status == "draft"


def test_a_signed_declaration_satisfies_the_requirement(strict_draft, entity_admin, pki):  # noqa: F811
    _sign_declaration(strict_draft, entity_admin, pki)
    application = services.application_submit(application=strict_draft, actor=entity_admin)
    assert (application.declared_with, application.declared_fiscal_code) == (
        "signed_document",
        MARIO,
    )


def test_the_setting_is_frozen_once_the_avviso_is_published(make_procedure, staff_user):
    draft = make_procedure(publish=False)
    services.procedure_update(
        procedure=draft, actor=staff_user, data={"declaration_proof": REQUIRED}
    )
    assert Procedure.objects.get(pk=draft.pk).declaration_proof == REQUIRED
    event = AuditEvent.objects.filter(action="processes.procedure.updated").latest("pk")
    assert "declaration_proof" in event.changes

    published = make_procedure()
    with pytest.raises(ValidationError) as caught:
        services.procedure_update(
            procedure=published, actor=staff_user, data={"declaration_proof": REQUIRED}
        )
    assert caught.value.message_dict["declaration_proof"] == [
        "La conferma delle dichiarazioni richiesta non si cambia dopo la pubblicazione dell'avviso."
    ]
    assert Procedure.objects.get(pk=published.pk).declaration_proof == "checkbox"


# --- the pages --------------------------------------------------------------------------------
def test_staff_choose_the_setting_and_the_public_avviso_shows_it(
    client_for, staff_user, make_procedure
):
    from entities.models import Activity

    c = client_for(staff_user)
    form = c.get(reverse("processes:create")).content.decode()
    assert "Conferma delle dichiarazioni sostitutive" in form
    response = c.post(
        reverse("processes:create"),
        {
            "kind": "coprogrammazione",
            "title": "Con firma",
            "subject": "Servizi",
            "activities": [Activity.objects.get(code="a").pk],
            "rup": staff_user.pk,
            "origin": "ex_officio",
            "legal_basis": "Piano di Zona",
            "declaration_proof": REQUIRED,
        },
    )
    assert response.status_code == 302
    assert Procedure.objects.get(title="Con firma").declaration_proof == REQUIRED

    procedure = make_procedure(declaration_proof=REQUIRED)
    public = "vanno confermate entrando con SPID o CIE di livello 2, oppure allegando"
    notice = procedure.current_notice
    assert public in client_for(None).get(notice.get_absolute_url()).content.decode()
    assert public in client_for(None).get(procedure.get_absolute_url()).content.decode()
    lenient = make_procedure(kind=Procedure.Kind.COPROGRAMMING)
    page = client_for(None).get(lenient.current_notice.get_absolute_url()).content.decode()
    assert "si confermano spuntando le caselle del modulo" in page


def test_after_publication_the_field_is_disabled_and_a_post_changes_nothing(
    client_for, staff_user, make_procedure
):
    procedure = make_procedure()
    c = client_for(staff_user)
    page = c.get(reverse("processes:edit", args=[procedure.pk])).content.decode()
    assert "non si cambia dopo la pubblicazione dell&#x27;avviso" in page
    c.post(
        reverse("processes:edit", args=[procedure.pk]),
        {
            "kind": procedure.kind,
            "title": "Titolo nuovo",
            "subject": procedure.subject,
            "activities": list(procedure.activities.values_list("pk", flat=True)),
            "rup": staff_user.pk,
            "origin": "ex_officio",
            "budget": "100000",
            "duration_months": "24",
            "legal_basis": "Piano di Zona",
            "declaration_proof": REQUIRED,
        },
    )
    procedure.refresh_from_db()
    assert (procedure.title, procedure.declaration_proof) == ("Titolo nuovo", "checkbox")


@pytest.mark.parametrize(
    "who, expected", [("comune_user", 403), ("other_staff", 404), ("entity_admin", 404)]
)
def test_others_may_not_set_it(client_for, request, make_procedure, who, expected):
    procedure = make_procedure(publish=False)
    response = client_for(request.getfixturevalue(who)).post(
        reverse("processes:edit", args=[procedure.pk]), {"declaration_proof": REQUIRED}
    )
    assert response.status_code == expected
    assert Procedure.objects.get(pk=procedure.pk).declaration_proof == "checkbox"


def test_the_entity_sees_the_requirement_and_the_refusal_next_to_the_declarations(
    strict_draft, entity_admin, client
):
    client.force_login(entity_admin)
    page = client.get(strict_draft.get_absolute_url()).content.decode()
    assert "Questo avviso richiede la conferma con SPID o CIE di livello 2" in page
    response = client.post(strict_draft.get_absolute_url(), FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_declarations-error"' in body
    error = body.split('id="id_declarations-error"', 1)[1]
    error = error.split("</div>", 1)[0]
    assert "le caselle spuntate non bastano" in error and "PDF con firma digitale" in error
    assert Application.objects.get(pk=strict_draft.pk).status == "draft"


@pytest.mark.parametrize(
    "who, expected", [("staff_user", 404), ("other_entity_admin", 404), ("entity_delegate", 403)]
)
def test_no_one_else_submits_it(strict_draft, client_for, request, who, expected):
    response = client_for(request.getfixturevalue(who)).post(strict_draft.get_absolute_url(), FORM)
    assert response.status_code == expected
    assert Application.objects.get(pk=strict_draft.pk).status == "draft"


def test_spid_level_2_submits_and_the_receipt_says_so(strict_draft, entity_admin, client):
    entity_admin.fiscal_code = MARIO
    entity_admin.save(update_fields=["fiscal_code"])
    client.force_login(entity_admin)
    prove_identity(client, entity_admin, scheme="spid", level=2)
    assert client.post(strict_draft.get_absolute_url(), FORM).status_code == 302
    application = Application.objects.get(pk=strict_draft.pk)
    assert application.status == "submitted"
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Dichiarazioni confermate con accesso SPID/CIE di livello 2 il" in page
    services.application_receipt_send(application.pk)
    application.refresh_from_db()
    with application.receipt.open("rb") as f:
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(f.read())).pages
        )
    assert "Dichiarazioni confermate con accesso SPID/CIE di livello 2 il" in text
    assert f"dichiarante C.F. {MARIO}" in text


def test_a_declaration_signed_as_pades_pdf_satisfies_it_too(strict_draft, entity_admin, pki):  # noqa: F811
    services.application_document_add(
        application=strict_draft,
        actor=entity_admin,
        title="Dichiarazione sostitutiva",
        file=SimpleUploadedFile("dichiarazione.pdf", pki.signed_pdf()),
        is_declaration=True,
    )
    application = services.application_submit(application=strict_draft, actor=entity_admin)
    assert (application.status, application.declared_with) == ("submitted", "signed_document")
