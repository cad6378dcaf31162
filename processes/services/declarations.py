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


def _proven_fiscal_code(identity: dict[str, Any] | None) -> str:
    """The fiscal code proven by a SPID/CIE login of level 2 or more ("" without one)."""
    if identity and int(identity.get("level") or 0) >= SPID_CIE_LEVEL:
        return str(identity.get("fiscal_code") or "").upper()
    return ""


def _is_legal_representative(application: Application, fiscal_code: str) -> bool:
    """The declarations are the legal representative's: a proven identity confirms them when it
    is theirs, or when the registry does not know their fiscal code."""
    expected = application.entity.legal_representative_fiscal_code.upper()
    return not expected or fiscal_code == expected


def confirms_by_login(application: Application, identity: dict[str, Any] | None) -> bool:
    """Submitting in this session confirms the declarations by the login itself (SPID/CIE of
    level 2 of the legal representative): what the application form tells the entity."""
    proven = _proven_fiscal_code(identity)
    return bool(proven) and _is_legal_representative(application, proven)


def declaration_proof(application: Application, identity: dict[str, Any] | None) -> tuple[str, str]:
    """(declared_with, fiscal code of the declarant) for the submission of `application`;
    `identity` is core.identity.session_identity() of the submitting session, or None. A
    SPID/CIE login counts when it is the legal representative's (_is_legal_representative)."""
    if confirms_by_login(application, identity):
        return DeclaredWith.SPID_CIE, _proven_fiscal_code(identity)
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
        proven = _proven_fiscal_code(identity)
        whose = (
            _(
                "Hai effettuato l'accesso con SPID o CIE come C.F. %(cf)s, ma le dichiarazioni "
                "sono del legale rappresentante dell'ente (%(lr)s). "
            )
            % {"cf": proven, "lr": application.entity.legal_representative}
            if proven
            else ""
        )
        raise ValidationError(
            {
                "declarations": whose
                + _(
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
