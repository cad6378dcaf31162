"""Read back what the portal produces, as a person would: the text of a PDF through poppler's
pdftotext (what a reader or a search engine extracts), with its whitespace collapsed so that a
label wrapped over two lines still matches."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REQUIRE_SERVICES


def pdftotext(content: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        reason = "pdftotext missing (Debian: apt-get install poppler-utils)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    assert content.startswith(b"%PDF"), content[:40]
    done = subprocess.run(  # noqa: S603 - a fixed tool on bytes we produced
        [tool, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def xlsx_rows(content: bytes) -> dict[str, list[list]]:
    """Every sheet of a workbook: its rows as lists of cell values."""
    from io import BytesIO

    from openpyxl import load_workbook

    assert content.startswith(b"PK"), content[:40]  # a ZIP container, as every XLSX
    workbook = load_workbook(BytesIO(content), read_only=True)
    return {
        ws.title: [list(row) for row in ws.iter_rows(values_only=True)]
        for ws in workbook.worksheets
    }


def body(response) -> bytes:
    """The bytes of a test client's response, streamed (a FileResponse) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
