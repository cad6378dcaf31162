"""Codice fiscale and partita IVA of an entity: normalisation and check digits."""

from __future__ import annotations

import re

from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

_SEPARATORS = re.compile(r"[\s.\-_/]")


def normalise_code(value: str | None) -> str:
    """Spaces, dots and dashes removed, upper case; an 'IT' prefix on a partita IVA dropped."""
    code = _SEPARATORS.sub("", value or "").upper()
    if len(code) == 13 and code.startswith("IT") and code[2:].isdigit():
        code = code[2:]
    return code


def numeric_check_digit(first_ten: str) -> int:
    """The check digit of an 11-digit codice fiscale / partita IVA (Agenzia delle Entrate)."""
    total = 0
    for i, ch in enumerate(first_ten):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def is_valid_numeric_code(code: str) -> bool:
    return len(code) == 11 and code.isdigit() and numeric_check_digit(code[:10]) == int(code[10])


def validate_entity_tax_code(value: str) -> str:
    """Return the normalised codice fiscale of an entity or raise a ValidationError in Italian.
    An entity has an 11-digit code; an individual enterprise may use its owner's 16-character one."""
    code = normalise_code(value)
    if not code:
        raise ValidationError(_("Inserisci il codice fiscale dell'ente."), code="required")
    if code.isdigit():
        if len(code) != 11:
            raise ValidationError(
                ngettext(
                    "Il codice fiscale numerico di un ente ha 11 cifre (ne hai inserita %(n)d).",
                    "Il codice fiscale numerico di un ente ha 11 cifre (ne hai inserite %(n)d).",
                    len(code),
                )
                % {"n": len(code)},
                code="length",
            )
        if not is_valid_numeric_code(code):
            raise ValidationError(
                _(
                    "Il codice fiscale %(code)s non è valido: la cifra di controllo non corrisponde. Controlla di averlo copiato bene."
                )
                % {"code": code},
                code="checksum",
            )
        return code
    if len(code) == 16:
        if not codicefiscale.is_valid(code):
            raise ValidationError(
                _(
                    "Il codice fiscale personale %(code)s non è valido (il carattere di controllo non corrisponde)."
                )
                % {"code": code},
                code="checksum",
            )
        return code
    raise ValidationError(
        _("Il codice fiscale deve avere 11 cifre (ente) oppure 16 caratteri (ditta individuale)."),
        code="format",
    )


def validate_vat_number(value: str) -> str:
    """Return the normalised partita IVA (11 digits with a valid check digit) or raise."""
    code = normalise_code(value)
    if not code:
        return ""
    if not code.isdigit() or len(code) != 11:
        raise ValidationError(_("La partita IVA è composta da 11 cifre."), code="format")
    if not is_valid_numeric_code(code):
        raise ValidationError(
            _("La partita IVA %(code)s non è valida: la cifra di controllo non corrisponde.")
            % {"code": code},
            code="checksum",
        )
    return code
