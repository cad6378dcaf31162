"""The agreement signed digitally by every party: the entities' legal representatives and the
signer for the ambito (the ente pubblico) sign the agreement's PDF (CAdES .p7m, also nested, or
PAdES); the signed file is kept beside the original, and the agreement is signed by both parties
once every expected fiscal code is among its valid signatures (core.signatures)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, signatures
from core.storage import sha256_of
from processes.models import Agreement, AgreementCommunication
from processes.services.common import send_formal_communication


@dataclass
class ExpectedSigner:
    role: str  # "Ente pubblico" or the entity's name
    name: str
    fiscal_code: str
    signer: signatures.Signer | None = None  # the valid signature found in the signed file

    @property
    def signed_at(self):
        return signatures.signed_at(self.signer) if self.signer else None


def expected_signers(agreement: Agreement) -> list[ExpectedSigner]:
    """Who must sign: the ambito's signer, then each party's legal representative."""
    rows = [
        ExpectedSigner(
            role=_("Ente pubblico (%(a)s)") % {"a": agreement.procedure.ambito.name},
            name=agreement.ambito_signer_name,
            fiscal_code=agreement.ambito_signer_fiscal_code.upper(),
        )
    ]
    rows += [
        ExpectedSigner(
            role=party.name,
            name=party.legal_representative,
            fiscal_code=party.legal_representative_fiscal_code.upper(),
        )
        for party in agreement.parties.all()
    ]
    return rows


def signing_state(agreement: Agreement) -> list[ExpectedSigner]:
    """The expected signers, each with the valid signature of theirs in the signed file."""
    rows = expected_signers(agreement)
    report = signatures.Report.from_json(agreement.signed_signature or {})
    for row in rows:
        row.signer = next(
            (
                s
                for s in report.signers
                if s.valid and row.fiscal_code and s.fiscal_code.upper() == row.fiscal_code
            ),
            None,
        )
    return rows


def is_fully_signed(rows: list[ExpectedSigner]) -> bool:
    return bool(rows) and all(row.signer is not None for row in rows)


def _read(file) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _original_bytes(agreement: Agreement) -> bytes:
    with agreement.file.open("rb") as f:
        data = f.read()
    if agreement.signature.get("kind") == "cades":  # the original is already a .p7m
        inner = signatures.inspect(data).content
        return inner if inner is not None else data
    return data


def _check(agreement: Agreement, data: bytes, report: signatures.Report) -> None:
    """Refuse (on the `signed_file` field) an unsigned or invalid file, a file that is not the
    agreement, a signature of someone who is not an expected signer, or a file that lost a
    signature the previous one had."""
    field = "signed_file"
    if not report.is_signed:
        raise ValidationError(
            {
                field: _(
                    "Il file non è firmato digitalmente: carica la convenzione firmata "
                    "(.p7m o PDF con firma digitale)."
                )
            }
        )
    if not report.valid:
        notes = "; ".join(s.note for s in report.signers if s.note) or report.error
        raise ValidationError(
            {
                field: _("La firma digitale non è valida: %(n)s")
                % {"n": notes or _("verifica non riuscita")}
            }
        )
    original = _original_bytes(agreement)
    matches = report.content == original if report.kind == "cades" else data.startswith(original)
    if not matches:
        raise ValidationError(
            {
                field: _(
                    "Il file firmato non è la convenzione registrata: firma il file scaricato "
                    "dal portale, senza modificarlo."
                )
            }
        )
    allowed = {row.fiscal_code for row in expected_signers(agreement) if row.fiscal_code}
    for signer in report.signers:
        if signer.fiscal_code.upper() not in allowed:
            raise ValidationError(
                {
                    field: _(
                        "La convenzione è firmata da %(n)s (C.F. %(cf)s), che non è il legale "
                        "rappresentante di un ente firmatario né il firmatario per l'ente "
                        "pubblico."
                    )
                    % {
                        "n": signer.name or _("persona sconosciuta"),
                        "cf": signer.fiscal_code or "—",
                    }
                }
            )
    before = {
        s.fiscal_code.upper()
        for s in signatures.Report.from_json(agreement.signed_signature or {}).signers
        if s.valid
    }
    missing = before - {s.fiscal_code.upper() for s in report.signers}
    if missing:
        raise ValidationError(
            {
                field: _(
                    "Il nuovo file non contiene più la firma di %(cf)s: aggiungi la tua firma al "
                    "file già firmato, scaricato dal portale."
                )
                % {"cf": ", ".join(sorted(missing))}
            }
        )


@transaction.atomic
def agreement_signed_file_upload(*, agreement: Agreement, actor, file) -> Agreement:
    """Keep the agreement signed by one more party beside the original; once every expected
    signer has signed, record it and tell the parties by PEC (processes_agreement_signed)."""
    agreement = (
        Agreement.objects.select_for_update()
        .select_related("procedure__ambito")
        .get(pk=agreement.pk)
    )
    if agreement.fully_signed_at:
        raise ValidationError(
            {"signed_file": _("La convenzione è già firmata da entrambe le parti.")}
        )
    data = _read(file)
    report = signatures.inspect(data)
    _check(agreement, data, report)
    if agreement.signed_file:
        agreement.signed_file.delete(save=False)
    agreement.signed_file = file
    agreement.signed_signature = report.as_json()
    agreement.signed_file_at = timezone.now()
    agreement.save(update_fields=["signed_file", "signed_signature", "signed_file_at"])
    procedure = agreement.procedure
    audit.record(
        actor=actor,
        action="processes.agreement.signed_file_uploaded",
        obj=procedure,
        changes={
            "signers": [f"{s.name} ({s.fiscal_code})" for s in report.signers],
            "sha256": sha256_of(agreement.signed_file),
        },
        ambito_id=procedure.ambito_id,
    )
    if is_fully_signed(signing_state(agreement)):
        agreement.fully_signed_at = timezone.now()
        agreement.save(update_fields=["fully_signed_at"])
        audit.record(
            actor=actor,
            action="processes.agreement.signed",
            obj=procedure,
            ambito_id=procedure.ambito_id,
        )
        agreement_communicate(agreement=agreement, kind=AgreementCommunication.Kind.SIGNED)
    return agreement


def agreement_communicate(*, agreement: Agreement, kind: str) -> list[AgreementCommunication]:
    """The formal communication `kind` (ready to sign, signed) to each party, by PEC."""
    template = f"processes_agreement_{AgreementCommunication.Kind(kind).value}"
    procedure = agreement.procedure
    sent = []
    for party in agreement.parties.all():
        message = send_formal_communication(
            entity=party,
            template=template,
            context={"agreement": agreement, "procedure": procedure},
            ambito_id=procedure.ambito_id,
        )
        sent.append(
            AgreementCommunication.objects.create(
                agreement=agreement, entity=party, kind=kind, communication=message
            )
        )
    return sent
