"""Amministrazione Trasparente pages of an ambito: the records of its public procedures
(opendata.transparency) on a page and as CSV, JSON and XML; `?procedimento=<id>` or the
per-procedure address gives one procedure's record (404 for a procedure the public does not
see)."""

from __future__ import annotations

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.selectors import ambiti_list
from core.forms import int_id
from core.spreadsheets import safe_row

from . import transparency
from .datasets import LICENSE_NAME, LICENSE_URL
from .views import _json_value, cell

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}


def _selection(code: str, procedure_id: int | None):
    ambito = get_object_or_404(ambiti_list(), code=code)
    procedures = transparency.public_procedures(ambito)
    if procedure_id is not None:
        procedures = procedures.filter(pk=procedure_id)
        if not procedures:
            raise Http404
    return ambito, list(procedures)


def page(request: HttpRequest, code: str) -> HttpResponse:
    ambito, procedures = _selection(code, None)
    rows = transparency.records(procedures)
    sections = [
        (label, [r for r in rows if r["sezione"] == label])
        for label in (transparency.ART_37, transparency.ART_23, transparency.ART_26)
    ]
    return render(
        request,
        "opendata/transparency.html",
        {
            "ambito": ambito,
            "sections": sections,
            "crumbs": [
                (_("Dati aperti"), reverse("opendata:index")),
                (ambito.name, reverse("opendata:ambito", kwargs={"code": ambito.code})),
                (_("Amministrazione trasparente"), ""),
            ],
        },
    )


def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    raw = request.GET.get("procedimento")
    procedure_id = int_id(raw) if raw else None
    if raw and procedure_id is None:
        raise Http404
    return _file(code, fmt, procedure_id)


def procedure_download(request: HttpRequest, code: str, pk: int, fmt: str) -> HttpResponse:
    return _file(code, fmt, pk)


def _file(code: str, fmt: str, procedure_id: int | None) -> HttpResponse:
    ambito, procedures = _selection(code, procedure_id)
    rows = transparency.records(procedures)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(transparency.COLUMNS)
        for record in rows:
            writer.writerow(safe_row(cell(record[c]) for c in transparency.COLUMNS))
        body: str | bytes = buffer.getvalue()
    elif fmt == "json":
        body = json.dumps(
            {
                "ambito": ambito.code,
                "titolare": ambito.name,
                "licenza": {"nome": LICENSE_NAME, "url": LICENSE_URL},
                "generato_il": timezone.localtime().isoformat(timespec="seconds"),
                "atti": [{c: _json_value(r[c]) for c in transparency.COLUMNS} for r in rows],
            },
            ensure_ascii=False,
            cls=DjangoJSONEncoder,
        )
    else:
        body = transparency.to_xml(ambito, rows)
    name = f"{ambito.code}-trasparenza" + (f"-{procedure_id}" if procedure_id else "")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    return response
