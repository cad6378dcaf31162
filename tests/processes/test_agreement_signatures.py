"""The agreement signed by both parties: staff record it (the portal generates the PDF when no
file is uploaded), the entity's legal representative and the ambito's signer sign it (.p7m,
nested, or PAdES), the signed file is kept beside the original, the signers' fiscal codes are
checked, and the pages say who signed, when, and "firmato da entrambe le parti" only then."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from processes import services
from processes.models import Agreement, AgreementCommunication, Procedure
from tests.core.test_pec import pec_server  # noqa: F401 (fixture)
from tests.core.test_signatures import Pki, pki  # noqa: F401 (fixture)
from tests.processes.conftest import pdf

pytestmark = pytest.mark.django_db

AMBITO_SIGNER = "BNCLCU75C55D488I"


@pytest.fixture(scope="module")
def ambito_pki() -> Pki:
    return Pki("CA della PA", given="Lucia", surname="Bianchi", fiscal_code=AMBITO_SIGNER)


@pytest.fixture
def agreement_of(make_procedure, staff_user, entity, settings):
    settings.SIGNATURE_TRUST_ROOTS = ""
    entity.legal_representative = "Mario Rossi"
    entity.legal_representative_fiscal_code = "RSSMRA80A01H501U"
    entity.pec = "ilfaro@pec.example.org"
    entity.save()

    def make(file=None) -> Agreement:
        procedure = make_procedure()
        Procedure.objects.filter(pk=procedure.pk).update(status="approved")
        procedure.refresh_from_db()
        return services.agreement_save(
            procedure=procedure,
            actor=staff_user,
            data={
                "signed_on": timezone.localdate(),
                "starts_on": timezone.localdate(),
                "duration_months": 12,
                "resources": 1000,
                "reporting_schedule": "annual",
                "ambito_signer_name": "Lucia Bianchi",
                "ambito_signer_fiscal_code": AMBITO_SIGNER.lower(),
            },
            parties=[entity],
            file=file,
        )

    return make


def _upload(client, agreement, content: bytes, name: str):
    return client.post(
        reverse("processes:agreement_sign", args=[agreement.procedure_id]),
        {"signed_file": SimpleUploadedFile(name, content)},
    )


def _original(agreement) -> bytes:
    with agreement.file.open("rb") as f:
        return f.read()


def test_nested_p7m_by_both_parties_is_signed_by_both(
    agreement_of,
    pki,  # noqa: F811
    ambito_pki,
    entity,
    entity_admin,
    staff_user,
    client_for,
    pec_server,  # noqa: F811
    smtp_server,
    django_capture_on_commit_callbacks,
):
    agreement = agreement_of(pdf("convenzione.pdf"))
    assert agreement.ambito_signer_fiscal_code == AMBITO_SIGNER
    assert agreement.signature["kind"] == "" and agreement.signature["signers"] == []
    by_entity = pki.p7m(_original(agreement))

    # the entity's legal representative signs first: signed in part
    response = _upload(client_for(entity_admin), agreement, by_entity, "convenzione.pdf.p7m")
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_file and agreement.fully_signed_at is None
    assert _original(agreement) == bytes(pdf().read())  # the original is kept as it was
    page = client_for(staff_user).get(
        reverse("processes:agreement_sign", args=[agreement.procedure_id])
    )
    html = page.content.decode()
    assert "firmato in parte" in html and "firmato da entrambe le parti" not in html
    assert "firmato da Mario Rossi il" in html
    assert "Lucia Bianchi (C.F. BNCLCU75C55D488I)" in html and "non ancora firmato" in html

    # the ambito's signer countersigns the signed file (nested .p7m)
    by_both = ambito_pki.p7m(by_entity)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_for(staff_user), agreement, by_both, "convenzione.pdf.p7m.p7m")
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.fully_signed_at is not None
    assert [s["fiscal_code"] for s in agreement.signed_signature["signers"]] == [
        AMBITO_SIGNER,
        "RSSMRA80A01H501U",
    ]
    with agreement.signed_file.open("rb") as f:
        assert f.read() == by_both  # kept as uploaded, beside the original
    html = (
        client_for(entity_admin)
        .get(reverse("processes:agreement_sign", args=[agreement.procedure_id]))
        .content.decode()
    )
    assert "firmato da entrambe le parti" in html
    assert "firmato da Lucia Bianchi il" in html and "firmato da Mario Rossi il" in html
    assert "Carica la convenzione firmata" not in html  # nothing left to sign
    download = client_for(entity_admin).get(
        reverse("processes:agreement_signed_file", args=[agreement.procedure_id])
    )
    assert b"".join(download.streaming_content) == by_both
    public = client_for(None).get(agreement.procedure.get_absolute_url()).content.decode()
    assert "firmato da entrambe le parti il" in public

    # both parties are told by PEC
    signed = AgreementCommunication.objects.get(agreement=agreement, kind="signed")
    assert (signed.communication.channel, signed.communication.to) == ("pec", entity.pec)
    subjects = [
        email.message_from_bytes(e.content, policy=email.policy.default)["Subject"].strip()
        for e in pec_server
    ]
    assert f"Convenzione firmata da entrambe le parti — {agreement.procedure.title}" in subjects


@pytest.mark.parametrize(
    ("make_file", "error"),
    [
        (lambda original, signer, other: original, "Il file non è firmato digitalmente"),
        (
            lambda original, signer, other: other.p7m(original),
            "La convenzione è firmata da Giuseppe Verdi (C.F. VRDGPP60R10G479W), che non è il "
            "legale rappresentante di un ente firmatario né il firmatario per l&#x27;ente pubblico.",
        ),
        (
            lambda original, signer, other: signer.p7m(original).replace(b"%PDF", b"%PDX"),
            "La firma digitale non è valida",
        ),
        (
            lambda original, signer, other: signer.p7m(b"un altro documento"),
            "Il file firmato non è la convenzione registrata",
        ),
    ],
    ids=["unsigned", "wrong-person", "tampered", "other-document"],
)
def test_a_refused_signed_file_says_why_next_to_the_field(
    agreement_of,
    pki,  # noqa: F811
    entity_admin,
    client_for,
    make_file,
    error,
):
    agreement = agreement_of(pdf("convenzione.pdf"))
    other = Pki("Altra CA", given="Giuseppe", surname="Verdi", fiscal_code="VRDGPP60R10G479W")
    content = make_file(_original(agreement), pki, other)
    response = _upload(
        client_for(entity_admin),
        agreement,
        content,
        "convenzione.pdf" if content.startswith(b"%PDF") else "convenzione.pdf.p7m",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    field = html[
        html.index('id="id_signed_file"') - 2000 : html.index('id="id_signed_file"') + 3000
    ]
    assert error in field  # next to the field, not only at the top
    agreement.refresh_from_db()
    assert not agreement.signed_file and agreement.fully_signed_at is None


def test_generated_pdf_signed_pades_by_both(
    agreement_of,
    pki,  # noqa: F811
    ambito_pki,
    entity_admin,
    staff_user,
    client_for,
):
    agreement = agreement_of()  # no file: the portal generates it
    original = _original(agreement)
    text = "\n".join(p.extract_text() for p in PdfReader(agreement.file.open("rb")).pages)
    assert f"Convenzione per «{agreement.procedure.title}»" in text
    assert "Associazione Il Faro" in text and "rappresentato da Lucia Bianchi" in text
    first = pki.signed_pdf(original, field_name="FirmaEnte")
    assert _upload(client_for(entity_admin), agreement, first, "convenzione.pdf").status_code == 302
    both = ambito_pki.signed_pdf(first, field_name="FirmaAmbito")
    assert _upload(client_for(staff_user), agreement, both, "convenzione.pdf").status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_signature["kind"] == "pades" and agreement.fully_signed_at
    html = (
        client_for(staff_user)
        .get(reverse("processes:agreement_sign", args=[agreement.procedure_id]))
        .content.decode()
    )
    assert "PDF firmato (PAdES)" in html and "firmato da entrambe le parti" in html


def test_a_file_without_an_earlier_signature_is_refused(
    agreement_of,
    pki,  # noqa: F811
    ambito_pki,
    entity_admin,
    staff_user,
    client_for,
):
    agreement = agreement_of(pdf("convenzione.pdf"))
    original = _original(agreement)
    assert (
        _upload(client_for(entity_admin), agreement, pki.p7m(original), "a.p7m").status_code == 302
    )
    response = _upload(client_for(staff_user), agreement, ambito_pki.p7m(original), "b.p7m")
    assert "non contiene più la firma di RSSMRA80A01H501U" in response.content.decode()


def test_outsiders_do_not_see_the_signatures_page(agreement_of, other_entity, client_for):
    from entities.models import EntityMembership
    from tests.factories.entities import EntityMembershipFactory

    agreement = agreement_of(pdf("convenzione.pdf"))
    outsider = EntityMembershipFactory(
        entity=other_entity, role=EntityMembership.Role.ADMIN, user__email="altro@example.org"
    ).user
    url = reverse("processes:agreement_sign", args=[agreement.procedure_id])
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider).post(url, {}).status_code == 403
