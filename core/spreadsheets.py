"""The one way the portal writes spreadsheets (CSV, XLSX and ODS exports) and reads uploaded
tables (`read_dataset`).

Every export is offered in three formats, written as an Italian office expects them:
- CSV for Excel in Italian: UTF-8 with a BOM (without it Excel reads accents as Windows-1252),
  `;` between cells (the Italian list separator: Excel splits a `,` file into one column only),
  decimal comma (`1234,5`), dates as `GG/MM/AAAA`;
- XLSX and ODS with real numbers and dates (the reader formats them).
The open-data CSV (opendata/) is a machine format and is not written here: RFC 4180, comma.
`spreadsheet_response` turns a dataset into the download; templates offer the three links with
components/export_links.html.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's CSV
injection list) may run as a formula when the file is opened in a spreadsheet: `safe_cell` puts
an apostrophe before it, so that it is shown as the text it is. Numbers stay numbers (a negative
amount is a number, not a formula). Every export goes through here: `export_dataset` for tablib
datasets (django-import-export resources), `safe_row` for rows appended to an openpyxl sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.uploads import detect_kind

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "ods")
# The query parameter that chooses the format of an export (?formato=xlsx).
FORMAT_PARAM = "formato"
CSV_DELIMITER = ";"
# An uploaded table's header may name this many columns at most (cells beyond are not read).
MAX_COLUMNS = 100
CSV_DELIMITERS = (",", ";", "\t")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def safe_cell(value: Any) -> Any:
    """`value` ready for a cell: text that starts like a formula gets a leading apostrophe; a
    moment is written in Italian time (a spreadsheet cell has no time zone)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def _csv_text(value: Any) -> str:
    """A cell as Excel in Italian reads it: decimal comma, Italian dates, no exponent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Sì") if value else _("No")
    if isinstance(value, (float, Decimal)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(str(value)), "f")
        if text.endswith(".0"):
            text = text[:-2]
        return text.replace(".", ",")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv_bytes(dataset: tablib.Dataset) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    if dataset.headers:
        writer.writerow([_csv_text(h) for h in dataset.headers])
    for row in dataset:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_dataset(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The dataset as a file of `fmt` (see the module's docstring), every text cell and header
    escaped against formulae."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    safe = tablib.Dataset(headers=safe_row(dataset.headers) if dataset.headers else None)
    safe.title = (dataset.title or "")[:31] or None  # a sheet name has 31 characters at most
    for row in dataset:
        safe.append(safe_row(row))
    if fmt == "csv":
        return _csv_bytes(safe)
    return safe.export(fmt)


def dataset_of(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = ""
) -> tablib.Dataset:
    """A dataset built by hand: the headers (lazy translations allowed) and the rows."""
    dataset = tablib.Dataset(headers=[str(h) for h in headers])
    dataset.title = title[:31] or None
    for row in rows:
        dataset.append(list(row))
    return dataset


def requested_format(request: HttpRequest, *, default: str = "csv") -> str:
    """The format asked for with ?formato= (`default` when none or an unknown one)."""
    fmt = request.GET.get(FORMAT_PARAM, default)
    return fmt if fmt in FORMATS else default


def spreadsheet_response(dataset: tablib.Dataset, fmt: str, *, filename: str) -> HttpResponse:
    """The download of `dataset` as `filename`.<fmt> (`filename` without extension)."""
    response = HttpResponse(export_dataset(dataset, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


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


def _ods_rows(content: bytes) -> Iterator[Sequence[Any]]:
    """The rows of an ODS file's first sheet, after the archive passed the checks of every upload.
    Repeated cells and rows (LibreOffice writes a blank row repeated to the sheet's end) are
    expanded only up to MAX_COLUMNS cells, and blank repeated rows once."""
    from odf import opendocument
    from odf.namespaces import TABLENS
    from odf.table import Table, TableRow
    from tablib.formats._ods import ODSFormat

    file = io.BytesIO(content)
    if detect_kind(file) != "ods":  # raises for an anomalous archive
        raise ValidationError(_("Il file non è un foglio ODS valido."), code="file_type")
    document = opendocument.load(file)
    sheets = document.spreadsheet.getElementsByType(Table)
    if not sheets:
        return
    for row in sheets[0].getElementsByType(TableRow):
        values: list[Any] = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1) or 1)
            value = ODSFormat.read_cell(cell)
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a number typed in a cell (a postal code) is read as float
            values.extend([value] * min(repeat, MAX_COLUMNS + 1 - len(values)))
            if len(values) > MAX_COLUMNS:
                break
        repeat = int(row.attributes.get((TABLENS, "number-rows-repeated"), 1) or 1)
        if all(_blank(v) for v in values):
            repeat = 1
        for _i in range(repeat):
            yield values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_dataset(content: bytes | str, fmt: str, *, max_rows: int) -> tablib.Dataset:
    """An uploaded CSV (`,` or `;`, UTF-8 or Windows-1252), XLSX or ODS as a dataset: the first
    row names the columns, blank rows are skipped. Rows are read one at a time and reading stops at the first row past `max_rows`.
    Raises ValidationError (in Italian) for an anomalous or unreadable file, a row with more
    cells than the header, or too many rows."""
    if fmt == "xlsx":
        if isinstance(content, str):
            raise ValidationError(_("Il file non è un foglio XLSX valido."), code="file_type")
        rows = _xlsx_rows(content)
    elif fmt == "ods":
        if isinstance(content, str):
            raise ValidationError(_("Il file non è un foglio ODS valido."), code="file_type")
        rows = _ods_rows(content)
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
