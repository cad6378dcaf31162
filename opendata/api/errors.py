"""Errors of the API: JSON with a message in Italian, never an HTML page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler (400 for bad parameters with the message per field, 404, 405, 429 with
    Retry-After), with the throttling message in Italian."""
    from rest_framework.exceptions import Throttled

    if isinstance(exc, Throttled):
        exc.detail = _("Troppe richieste da questo indirizzo: riprova tra %(s)d secondi.") % {
            "s": exc.wait or 60
        }
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON 404."""
    return JsonResponse({"detail": _("Indirizzo non trovato nell'API.")}, status=404)
