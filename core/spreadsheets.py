"""The one way the portal writes spreadsheet cells (CSV and XLSX exports).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's CSV
injection list) may run as a formula when the file is opened in a spreadsheet: `safe_cell` puts
an apostrophe before it, so that it is shown as the text it is. Numbers stay numbers (a negative
amount is a number, not a formula). Every export goes through here: `export_dataset` for tablib
datasets (django-import-export resources), `safe_row` for rows appended to an openpyxl sheet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tablib
from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
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
