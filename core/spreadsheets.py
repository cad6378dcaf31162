"""The one way the portal writes spreadsheet cells (CSV and XLSX exports), and reads uploaded
tables (`read_dataset`).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's CSV
injection list) may run as a formula when the file is opened in a spreadsheet: `safe_cell` puts
an apostrophe before it, so that it is shown as the text it is. Numbers stay numbers (a negative
amount is a number, not a formula). Every export goes through here: `export_dataset` for tablib
datasets (django-import-export resources), `safe_row` for rows appended to an openpyxl sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.uploads import detect_kind

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
# An uploaded table's header may name this many columns at most (cells beyond are not read).
MAX_COLUMNS = 100
CSV_DELIMITERS = (",", ";", "\t")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: Any) -> Any:
    """`value` ready for a cell: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def export_dataset(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The dataset as a CSV (UTF-8 with a BOM, which Excel needs to read accents) or XLSX file,
    every text cell and header escaped."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    safe = tablib.Dataset(headers=safe_row(dataset.headers) if dataset.headers else None)
    safe.title = dataset.title
    for row in dataset:
        safe.append(safe_row(row))
    content = safe.export(fmt)
    if isinstance(content, str):
        return ("\ufeff" + content).encode("utf-8")
    return content


# --- reading uploaded tables ----------------------------------------------------------------
def decode_text(content: bytes) -> str:
    """An uploaded CSV as text: UTF-8 (with or without a BOM), else Windows-1252, the encoding
    of Excel's "CSV (separato dal separatore di elenco)" on Windows."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> Iterator[Sequence[Any]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)  # "," when there is none
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    """The rows of the first sheet, pulled one at a time from a read-only workbook, after the
    archive passed the checks of every upload (core.uploads: no zip bomb)."""
    file = io.BytesIO(content)
    if detect_kind(file) != "xlsx":  # raises for an anomalous archive
        raise ValidationError(_("Il file non è un foglio XLSX valido."), code="file_type")
    workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if sheet is None:
            return
        header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1
        yield header[:width]
        yield from sheet.iter_rows(min_row=2, max_col=max(width, 1), values_only=True)
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_dataset(content: bytes | str, fmt: str, *, max_rows: int) -> tablib.Dataset:
    """An uploaded CSV or XLSX as a dataset: the first row names the columns, blank rows are
    skipped. Rows are read one at a time and reading stops at the first row past `max_rows`.
    Raises ValidationError (in Italian) for an anomalous or unreadable file, a row with more
    cells than the header, or too many rows."""
    if fmt == "xlsx":
        if isinstance(content, str):
            raise ValidationError(_("Il file non è un foglio XLSX valido."), code="file_type")
        rows = _xlsx_rows(content)
    elif fmt == "csv":
        rows = _csv_rows(decode_text(content) if isinstance(content, bytes) else content)
    else:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    try:
        return _read_rows(rows, max_rows=max_rows)
    finally:
        close = getattr(rows, "close", None)  # a workbook left early is closed now
        if close is not None:
            close()


def _read_rows(rows: Iterator[Sequence[Any]], *, max_rows: int) -> tablib.Dataset:
    header = next(rows, None)
    headers = ["" if h is None else str(h).strip() for h in (header or [])[:MAX_COLUMNS]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ValidationError(_("Il file è vuoto: manca la riga delle intestazioni."), code="empty")
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows, start=2):
        values = list(row)
        if not all(_blank(v) for v in values[width:]):
            raise ValidationError(
                _("La riga %(n)d ha più celle delle intestazioni: controlla i separatori.")
                % {"n": number},
                code="row_too_long",
            )
        values = values[:width] + [""] * (width - len(values))
        if all(_blank(v) for v in values):
            continue
        if len(dataset) == max_rows:
            limit = number_format(max_rows, force_grouping=True)
            raise ValidationError(
                _(
                    "Il file ha più di %(n)s righe: al massimo %(n)s per volta. Dividilo in più file."
                )
                % {"n": limit},
                code="too_many_rows",
            )
        dataset.append(values)
    return dataset
