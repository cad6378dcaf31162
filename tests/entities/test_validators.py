import pytest
from django.core.exceptions import ValidationError

from entities.validators import normalise_code, validate_entity_tax_code, validate_vat_number
from tests.factories.entities import valid_tax_code


def test_normalise_strips_separators_case_and_it_prefix():
    assert normalise_code(" 0123 4567-890 ") == "01234567890"
    assert normalise_code("IT01234567890") == "01234567890"
    assert normalise_code("rssmra85t10a562s") == "RSSMRA85T10A562S"


@pytest.mark.parametrize("seed", [1, 2, 3, 42, 999])
def test_valid_numeric_codes_pass(seed):
    code = valid_tax_code(seed)
    assert validate_entity_tax_code(f" {code[:5]} {code[5:]} ") == code
    assert validate_vat_number(code) == code


def test_wrong_check_digit_is_refused_in_italian():
    code = valid_tax_code(7)
    wrong = code[:10] + str((int(code[10]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        validate_entity_tax_code(wrong)
    assert "cifra di controllo" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        validate_vat_number(wrong)


@pytest.mark.parametrize("value", ["123", "1234567890123", "ABCDEFGHIJK"])
def test_bad_formats(value):
    with pytest.raises(ValidationError):
        validate_entity_tax_code(value)


def test_personal_code_of_individual_enterprise():
    assert validate_entity_tax_code("rssmra85t10a562s") == "RSSMRA85T10A562S"
    with pytest.raises(ValidationError) as exc:
        validate_entity_tax_code("RSSMRA85T10A562X")
    assert "personale" in exc.value.messages[0]


def test_empty_vat_number_is_allowed():
    assert validate_vat_number("  ") == ""
