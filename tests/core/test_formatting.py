from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from core.formatting import format_euro, parse_amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "1.234,56\u00a0€"),
        (0, "0,00\u00a0€"),
        (Decimal("1234567.8"), "1.234.567,80\u00a0€"),
        (Decimal("-5"), "-5,00\u00a0€"),
        (None, "0,00\u00a0€"),
    ],
)
def test_format_euro(value, expected):
    assert format_euro(value) == expected


def test_euro_filter():
    assert (
        Template("{% load portal %}{{ v|euro }}").render(Context({"v": Decimal("999.5")}))
        == "999,50\u00a0€"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,5", "1234.50"),
        ("1234.56", "1234.56"),
        ("1.234", "1234.00"),
        ("€ 12 000", "12000.00"),
        ("", None),
    ],
)
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-10", "negativo"),
        ("12,345", "due decimali"),
        ("abc", "non valido"),
        ("1,2,3", "virgola"),
        ("1e400", "grande"),
    ],
)
def test_parse_amount_refuses(raw, message):
    with pytest.raises(ValidationError) as exc:
        parse_amount(raw)
    assert message in exc.value.messages[0]
