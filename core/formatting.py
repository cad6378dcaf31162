"""Euro amounts: exact Decimals with cents, read and written the Italian way ("1.234,56 €").

Templates use the `euro` / `euro_plain` filters of `{% load portal %}` (core/templatetags)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
_THOUSANDS_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def cents(value: Decimal | int | float | str | None) -> Decimal:
    """An amount in euro with exactly two decimals: 1234.5 -> Decimal("1234.50"), whatever the
    database returned (SQLite gives a sum without its trailing zero, PostgreSQL keeps it)."""
    if value is None or value == "":
        value = Decimal(0)
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def format_euro(value: Decimal | int | float | str | None, *, symbol: bool = True) -> str:
    """1234.5 -> "1.234,50 €" (negative amounts keep their sign)."""
    amount = cents(value)
    sign = "-" if amount < 0 else ""
    integer, decimals = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = f"{sign}{'.'.join(groups)},{decimals}"
    return f"{text}\u00a0€" if symbol else text


def parse_amount(raw: str) -> Decimal | None:
    """Read what a clerk types: "1.234,56", "1234,56", "1234.56", "1 234", "€ 1.234". Returns
    None for an empty value; raises ValidationError with an Italian message otherwise."""
    text = (
        (raw or "").strip().replace("€", "").replace("\u00a0", "").replace(" ", "").replace("'", "")
    )
    if not text:
        return None
    if "," in text:
        if text.count(",") > 1:
            raise ValidationError(
                _("Importo non valido: usa la virgola solo per i centesimi (es. 1.234,56)."),
                code="invalid",
            )
        text = text.replace(".", "").replace(",", ".")
    elif _THOUSANDS_DOTS.match(text):
        text = text.replace(".", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(
            _("Importo non valido: scrivi un numero in euro, per esempio 1.234,56."), code="invalid"
        ) from exc
    if not amount.is_finite():
        raise ValidationError(
            _("Importo non valido: scrivi un numero in euro, per esempio 1.234,56."), code="invalid"
        )
    if amount < 0:
        raise ValidationError(_("L'importo non può essere negativo."), code="negative")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(
            _("Al massimo due decimali: gli importi sono in euro e centesimi."), code="precision"
        )
    if amount > MAX_AMOUNT:
        raise ValidationError(_("Importo troppo grande."), code="max")
    return amount.quantize(CENT)
