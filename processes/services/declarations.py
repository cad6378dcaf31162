"""How the self-declarations of an application (DPR 445/2000, arts. 46-47) are confirmed at
submission: by a SPID/CIE login of level 2 in the session that submits (core.identity), else
by a declaration signed digitally by the entity's legal representative among the attachments,
else by the boxes ticked on the form. A procedure whose `declaration_proof` requires it refuses the
boxes alone (`required_declaration_proof`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import signatures
from processes.models import Application, DeclaredWith

SPID_CIE_LEVEL = 2


def check_signed_declaration(application: Application, signature: dict) -> None:
    """Refuse a declaration document that is unsigned, whose signature is invalid, or signed
    by someone other than the entity's legal representative (when the registry knows them)."""
    report = signatures.Report.from_json(signature)
    if not report.is_signed:
        raise ValidationError(
            {
                "file": _(
                    "Il file non è firmato digitalmente: la dichiarazione sostitutiva va firmata "
                    "dal legale rappresentante (.p7m o PDF con firma digitale)."
                )
            }
        )
    if not report.valid:
        notes = "; ".join(s.note for s in report.signers if s.note) or report.error
        raise ValidationError({"file": _("La firma digitale non è valida: %(n)s") % {"n": notes}})
    expected = application.entity.legal_representative_fiscal_code.upper()
    if expected and not any(s.fiscal_code.upper() == expected for s in report.signers):
        signer = report.signers[0]
        raise ValidationError(
            {
                "file": _(
                    "La dichiarazione è firmata da %(n)s (C.F. %(cf)s), non dal legale "
                    "rappresentante dell'ente (%(lr)s)."
                )
                % {
                    "n": signer.name,
                    "cf": signer.fiscal_code,
                    "lr": application.entity.legal_representative,
                }
            }
        )


def declaration_proof(application: Application, identity: dict[str, Any] | None) -> tuple[str, str]:
    """(declared_with, fiscal code of the declarant) for the submission of `application`;
    `identity` is core.identity.session_identity() of the submitting session, or None."""
    if identity and int(identity.get("level") or 0) >= SPID_CIE_LEVEL:
        return DeclaredWith.SPID_CIE, str(identity.get("fiscal_code") or "")
    for document in application.documents.filter(
        is_declaration=True, integration_request=None, exclusion_notice=None
    ):
        report = signatures.Report.from_json(document.signature)
        if report.valid:
            expected = application.entity.legal_representative_fiscal_code.upper()
            codes = [s.fiscal_code.upper() for s in report.signers]
            return DeclaredWith.SIGNED_DOCUMENT, expected if expected in codes else codes[0]
    return DeclaredWith.CHECKBOX, ""


def required_declaration_proof(
    application: Application, identity: dict[str, Any] | None
) -> tuple[str, str]:
    """declaration_proof(), refused (on the `declarations` field, with how to comply) when the
    procedure requires SPID/CIE of level 2 or a signed declaration and only boxes were ticked."""
    proof = declaration_proof(application, identity)
    if proof[0] == DeclaredWith.CHECKBOX and application.procedure.requires_strong_declarations:
        raise ValidationError(
            {
                "declarations": _(
                    "Questo avviso richiede che le dichiarazioni siano confermate con SPID o CIE "
                    "di livello 2 oppure con la dichiarazione sostitutiva firmata digitalmente: "
                    "le caselle spuntate non bastano. Entra con SPID o CIE di livello 2 e "
                    "presenta di nuovo la domanda, oppure carica tra gli allegati la "
                    "dichiarazione sostitutiva firmata digitalmente dal legale rappresentante "
                    "(.p7m o PDF con firma digitale), spuntando «È la dichiarazione "
                    "sostitutiva»: il portale ne verifica la firma."
                )
            }
        )
    return proof
