"""core.spreadsheets: the one way the portal writes CSV, XLSX and ODS files (formula injection,
Italian Excel's CSV) and reads uploaded ones."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.spreadsheets import (
    CONTENT_TYPES,
    export_dataset,
    read_dataset,
    requested_format,
    safe_cell,
    spreadsheet_response,
)

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
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["testo", "numero"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert [r[1] for r in rows[1:]] == [f"-{i},5" for i in range(len(HOSTILE))]


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
        export_dataset(_dataset(), "xls")


ACCENTS = "Società cooperativa sociale àèìòù"


def _italian_dataset():
    dataset = tablib.Dataset(headers=["Denominazione", "Importo", "Volontari", "Data", "Iscritto"])
    dataset.title = "Enti del Terzo settore, elenco completo per ambito"  # longer than 31
    dataset.append([ACCENTS, Decimal("1234.50"), 12, date(2026, 3, 15), True])
    dataset.append(["Associazione «Il Ponte»; ODV", 0.25, 0, date(2025, 12, 1), False])
    return dataset


def test_csv_is_what_excel_in_italian_reads():
    """UTF-8 with a BOM, `;` between cells, decimal comma, Italian dates, CRLF line ends."""
    content = export_dataset(_italian_dataset(), "csv")
    assert content[:3] == b"\xef\xbb\xbf"
    assert ACCENTS.encode("utf-8") in content
    lines = content[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "Denominazione;Importo;Volontari;Data;Iscritto"
    assert lines[1] == f"{ACCENTS};1234,50;12;15/03/2026;Sì"
    # a `;` inside a cell is quoted, so the row keeps its five cells
    assert lines[2] == '"Associazione «Il Ponte»; ODV";0,25;0;01/12/2025;No'


def test_xlsx_keeps_numbers_and_dates_typed():
    sheet = load_workbook(io.BytesIO(export_dataset(_italian_dataset(), "xlsx"))).active
    assert sheet.title == "Enti del Terzo settore, elenco "
    assert [c.value for c in sheet[1]] == [
        "Denominazione", "Importo", "Volontari", "Data", "Iscritto"
    ]  # fmt: skip
    name, amount, count, day, flag = sheet[2]
    assert name.value == ACCENTS
    assert amount.value == 1234.5 and amount.data_type == "n"
    assert count.value == 12 and count.data_type == "n"
    assert day.value.date() == date(2026, 3, 15)
    assert flag.value is True


def test_ods_cells_read_back():
    content = export_dataset(_italian_dataset(), "ods")
    assert content[:2] == b"PK" and b"application/vnd.oasis.opendocument.spreadsheet" in content
    book = tablib.Dataset().load(content, "ods")
    assert book.headers == ["Denominazione", "Importo", "Volontari", "Data", "Iscritto"]
    assert list(book[0]) == [ACCENTS, 1234.5, 12.0, date(2026, 3, 15), True]
    assert book[1][0] == "Associazione «Il Ponte»; ODV"


def test_ods_formulae_escaped():
    book = tablib.Dataset().load(export_dataset(_dataset(), "ods"), "ods")
    assert [row[0] for row in book] == ["'" + t.replace("\r", "\n") for t in HOSTILE]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_response_names_the_file_and_its_type(fmt):
    response = spreadsheet_response(_italian_dataset(), fmt, filename="enti-2026-12-05")
    assert response["Content-Disposition"] == f'attachment; filename="enti-2026-12-05.{fmt}"'
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response.content == export_dataset(_italian_dataset(), fmt)


@pytest.mark.parametrize(
    ("query", "expected"), [("", "csv"), ("ods", "ods"), ("xlsx", "xlsx"), ("exe", "csv")]
)
def test_requested_format(rf, query, expected):
    request = rf.get("/", {"formato": query} if query else {})
    assert requested_format(request) == expected


# --- reading uploaded tables ------------------------------------------------------------------
HEADERS = ["denominazione", "codice_fiscale", "volontari"]
ROWS = [[ACCENTS, "90012340417", 12], ["Associazione àèìòù", "90012340418", 3]]


def _expected():
    return [[ACCENTS, "90012340417", "12"], ["Associazione àèìòù", "90012340418", "3"]]


def _as_text(dataset):
    return [[str(v) for v in row] for row in dataset]


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_read_with_either_separator_and_encoding(delimiter, encoding):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(ROWS)
    dataset = read_dataset(buf.getvalue().encode(encoding), "csv", max_rows=10)
    assert dataset.headers == HEADERS
    assert _as_text(dataset) == _expected()


def test_xlsx_built_by_hand_read():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADERS)
    for row in ROWS:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    dataset = read_dataset(out.getvalue(), "xlsx", max_rows=10)
    assert dataset.headers == HEADERS and _as_text(dataset) == _expected()


def _ods(rows, *, trailing_blank_rows: int = 0) -> bytes:
    """An ODS file written with odfpy as LibreOffice writes one: repeated blank cells at the end
    of a row and a blank row repeated to the end of the sheet."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = Table(name="Foglio1")
    for values in rows:
        tr = TableRow()
        for v in values:
            if isinstance(v, int):
                cell = TableCell(valuetype="float", value=v)
                cell.addElement(P(text=str(v)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=v))
            tr.addElement(cell)
        tr.addElement(TableCell(numbercolumnsrepeated=1020))
        sheet.addElement(tr)
    if trailing_blank_rows:
        blank = TableRow(numberrowsrepeated=trailing_blank_rows)
        blank.addElement(TableCell(numbercolumnsrepeated=1024))
        sheet.addElement(blank)
    doc.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_ods_built_by_hand_read():
    content = _ods([HEADERS, *ROWS], trailing_blank_rows=1_048_000)
    dataset = read_dataset(content, "ods", max_rows=10)
    assert dataset.headers == HEADERS
    assert _as_text(dataset) == _expected()  # a number typed in a cell is read as an integer


def test_ods_row_limit():
    content = _ods([HEADERS, *[[f"Ente {i}", str(i), i] for i in range(11)]])
    with pytest.raises(ValidationError) as exc:
        read_dataset(content, "ods", max_rows=10)
    assert exc.value.code == "too_many_rows"


def test_csv_behind_an_ods_format_refused():
    with pytest.raises(ValidationError) as exc:
        read_dataset(b"a;b\n1;2\n", "ods", max_rows=10)
    assert exc.value.code == "file_type"
