"""core.spreadsheets: the one way the portal writes CSV and XLSX cells (formula injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.spreadsheets import export_dataset, safe_cell

# OWASP's CSV injection list: a cell starting with one of these may run as a formula.
HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_is_escaped(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Associazione", "", " =1", "a=b", "'=1", None, True])
def test_other_text_and_values_pass(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-5, 0, 3.5, -1e3, Decimal("-1234.50")])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


def test_lazy_text_is_escaped_as_text():
    assert safe_cell(gettext_lazy("=SUM")) == "'=SUM"


def _dataset():
    dataset = tablib.Dataset(headers=["testo", "numero"])
    for i, text in enumerate(HOSTILE):
        dataset.append([text, -i - 0.5])
    return dataset


def test_csv_cells_read_back_escaped():
    content = export_dataset(_dataset(), "csv")
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["testo", "numero"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert [r[1] for r in rows[1:]] == [str(-i - 0.5) for i in range(len(HOSTILE))]


def test_xlsx_cells_read_back_as_text_and_numbers():
    sheet = load_workbook(io.BytesIO(export_dataset(_dataset(), "xlsx"))).active
    cells = list(sheet.iter_rows(min_row=2))
    # XML keeps a carriage return as a line feed
    assert [row[0].value for row in cells] == ["'" + t.replace("\r", "\n") for t in HOSTILE]
    assert all(row[0].data_type == "s" for row in cells)  # text, never a formula
    assert [row[1].value for row in cells] == [-i - 0.5 for i in range(len(HOSTILE))]
    assert all(row[1].data_type == "n" for row in cells)


def test_unknown_format_refused():
    with pytest.raises(ValueError):
        export_dataset(_dataset(), "ods")
