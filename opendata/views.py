"""Open data: the page of each ambito with its datasets, the files (CSV and JSON, streamed), the
DCAT-AP_IT catalogue for harvesters, and the API's documentation page."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito.models import Ambito
from ambito.permissions import is_ufficio_di_piano
from ambito.selectors import ambiti_list
from core.spreadsheets import safe_row

from . import dcat
from .api import conditional, throttling
from .datasets import DATASETS, FORMATS, LICENSE_NAME, LICENSE_URL, Dataset

# Rows put together before a piece of the file is sent (fewer, larger writes to the socket).
ROWS_PER_PIECE = 500


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/index.html", {"ambiti": ambiti_list()})


def ambito_page(request: HttpRequest, code: str) -> HttpResponse:
    ambito = get_object_or_404(ambiti_list(), code=code)
    datasets = [
        {"dataset": d, "modified": d.modified(ambito), "anchor": d.slug} for d in DATASETS.values()
    ]
    return render(
        request,
        "opendata/ambito.html",
        {
            "ambito": ambito,
            "crumbs": [(_("Dati aperti"), reverse("opendata:index")), (ambito.name, "")],
            "datasets": datasets,
            "formats": FORMATS,
            "license_url": LICENSE_URL,
            "license_name": LICENSE_NAME,
            "holder": ambito.data_controller_name,
            "ipa_missing": dcat.ipa_code(ambito) == dcat.IPA_PLACEHOLDER
            and is_ufficio_di_piano(request.user, ambito),
        },
    )


def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    """The ambito's DCAT-AP_IT catalogue (JSON-LD), with ETag and Last-Modified."""
    ambito = get_object_or_404(ambiti_list(), code=code)
    if not throttling.allowed(request):
        return _too_many()
    response = HttpResponse(
        json.dumps(dcat.catalogue(ambito), ensure_ascii=False, indent=1),
        content_type="application/ld+json; charset=utf-8",
    )
    return conditional.conditional(request, response)


def download(request: HttpRequest, code: str, dataset: str, fmt: str) -> HttpResponseBase:
    """One dataset of the ambito as a file, streamed row by row: the memory it takes does not
    grow with the rows."""
    ambito = get_object_or_404(ambiti_list(), code=code)
    found = DATASETS.get(dataset)
    if found is None or fmt not in FORMATS:
        raise Http404
    if not throttling.allowed(request):
        return _too_many()
    if fmt == "csv":
        pieces = csv_pieces(found, found.rows(ambito))
        content_type = "text/csv; charset=utf-8"
    else:
        pieces = json_pieces(found, ambito, found.rows(ambito))
        content_type = "application/json; charset=utf-8"
    response = StreamingHttpResponse(pieces, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{ambito.code}-{found.slug}.{fmt}"'
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    return response


def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation: how it works, and its schema browsable in Swagger UI (served
    from this site's static files, started by a script file: no inline script, as the CSP
    requires)."""
    return render(
        request,
        "opendata/api_docs.html",
        {
            "schema_url": reverse("api:schema"),
            "root_url": reverse("api:api-root"),
            "rate_limit": settings.PORTAL_RATE_LIMITS.get(throttling.ACTION, ""),
            "license_url": LICENSE_URL,
        },
    )


def _too_many() -> HttpResponse:
    wait = throttling.retry_after()
    response = JsonResponse(
        {
            "detail": ngettext(
                "Troppe richieste da questo indirizzo: riprova tra %(s)d secondo.",
                "Troppe richieste da questo indirizzo: riprova tra %(s)d secondi.",
                wait,
            )
            % {"s": wait}
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


# --- writing the files -----------------------------------------------------------------------
def cell(value):
    """A value as the files write it: dates and times in ISO 8601 (Italian time), booleans as
    true/false, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value  # a number, never taken for a formula
    return value


class _Line:
    """A file-like object whose write() returns what it is given (csv.writer's output)."""

    def write(self, value: str) -> str:
        return value


def _pieces(lines: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= ROWS_PER_PIECE:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def csv_pieces(dataset: Dataset, rows: Iterable[list]) -> Iterator[str]:
    """RFC 4180: UTF-8 without BOM, comma-separated, the header first. Text that a spreadsheet
    would run as a formula is written as text (core.spreadsheets.safe_row)."""
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield writer.writerow(dataset.headers)
        for row in rows:
            yield writer.writerow(safe_row(cell(v) for v in row))

    return _pieces(lines())


def json_pieces(dataset: Dataset, ambito: Ambito, rows: Iterable[list]) -> Iterator[str]:
    """A JSON object: the dataset's metadata (licence, holder, columns), then `dati`, one object
    per row with the columns' names."""
    page = settings.SITE_URL + reverse("opendata:ambito", kwargs={"code": ambito.code})
    meta = {
        "dataset": dataset.slug,
        "titolo": str(dataset.title),
        "descrizione": str(dataset.description),
        "ambito": ambito.code,
        "titolare": ambito.data_controller_name,
        "licenza": {"nome": LICENSE_NAME, "url": LICENSE_URL},
        "fonte": f"{page}#{dataset.slug}",
        "generato_il": timezone.localtime().isoformat(timespec="seconds"),
        "colonne": [
            {"nome": c.name, "descrizione": str(c.description), "tipo": c.datatype}
            for c in dataset.columns
        ],
    }
    names = dataset.headers

    def lines() -> Iterator[str]:
        head = json.dumps(meta, ensure_ascii=False, cls=DjangoJSONEncoder)
        yield head[:-1] + ', "dati": ['
        separator = "\n"
        for row in rows:
            values = {n: _json_value(v) for n, v in zip(names, row, strict=True)}
            yield separator + json.dumps(values, ensure_ascii=False, cls=DjangoJSONEncoder)
            separator = ",\n"
        yield "\n]}\n"

    return _pieces(lines())


def _json_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
