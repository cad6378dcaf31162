"""Errors of the API: JSON with a message in Italian, never an HTML page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler (400 for bad parameters with the message per field, 404, 405, 429 with
    Retry-After), with the throttling message in Italian."""
    from rest_framework.exceptions import Throttled

    if isinstance(exc, Throttled):
        wait = int(exc.wait or 60)
        exc.detail = ngettext(
            "Troppe richieste da questo indirizzo: riprova tra %(s)d secondo.",
            "Troppe richieste da questo indirizzo: riprova tra %(s)d secondi.",
            wait,
        ) % {"s": wait}
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON 404."""
    return JsonResponse({"detail": _("Indirizzo non trovato nell'API.")}, status=404)


class JsonOnly(BaseContentNegotiation):
    """JSON whatever the client's Accept header asks (a browser's text/html included): the API
    has one representation, so no 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
