"""The answers of a survey as a spreadsheet, one row per response and one column per question,
written in constant memory whatever the number of answers:

- the responses and their answers are read with two server-side cursors, in response order,
  and merged as they come (two queries in all);
- CSV (for Excel in Italian, as core.spreadsheets writes it: BOM, `;`, Italian dates, formulae
  escaped) is streamed line by line;
- XLSX is written by openpyxl's write-only workbook (rows go to a temporary file as they come)
  and the finished file is streamed from disk.
bench/export.py measures it (survey_export) on 250,000 responses."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import CONTENT_TYPES, CSV_DELIMITER, _csv_text, safe_cell, safe_row
from participation.models import Answer, Survey

CHUNK = 2000
FORMATS = ("csv", "xlsx")
MULTIPLE_SEPARATOR = " | "


def headers(survey: Survey, questions: list) -> list[str]:
    first = [_("Risposta n."), _("Data")]
    if survey.per_entity:
        first.append(_("Ente"))
    return first + [f"{n}. {q.text}" for n, q in enumerate(questions, start=1)]


def rows(survey: Survey) -> tuple[list[str], Iterator[list]]:
    """The header and the rows (a generator: nothing is read until it is iterated)."""
    questions = list(survey.questions.all())
    column = {q.pk: i for i, q in enumerate(questions)}

    def generate() -> Iterator[list]:
        answers = (
            Answer.objects.filter(response__survey=survey)
            .order_by("response_id", "id")
            .values_list("response_id", "question_id", "value")
            .iterator(chunk_size=CHUNK)
        )
        pending = next(answers, None)
        responses = (
            survey.responses.order_by("id")
            .values_list("id", "submitted_at", "entity__name")
            .iterator(chunk_size=CHUNK)
        )
        for number, (pk, submitted_at, entity) in enumerate(responses, start=1):
            cells: list[list[str]] = [[] for _ in questions]
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk and pending[1] in column:
                    cells[column[pending[1]]].append(pending[2])
                pending = next(answers, None)
            head = [number, submitted_at] + ([entity] if survey.per_entity else [])
            yield head + [MULTIPLE_SEPARATOR.join(values) for values in cells]

    return headers(survey, questions), generate()


def _csv_pieces(header: list[str], body: Iterator[list]) -> Iterator[bytes]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([_csv_text(safe_cell(h)) for h in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(body, start=1):
        writer.writerow([_csv_text(safe_cell(v)) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _xlsx_file(title: str, header: list[str], body: Iterator[list]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(
        title=(title or "Risposte")[:31].translate({ord(c): " " for c in "[]:*?/\\"})
    )
    sheet.append(safe_row(header))
    for row in body:
        sheet.append(safe_row(row))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(out)
    out.seek(0)
    return out


def export_response(survey: Survey, fmt: str, *, filename: str):
    header, body = rows(survey)
    if fmt == "xlsx":
        return FileResponse(
            _xlsx_file(survey.title, header, body),
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type=CONTENT_TYPES["xlsx"],
        )
    response = StreamingHttpResponse(_csv_pieces(header, body), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
