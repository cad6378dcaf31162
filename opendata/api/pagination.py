"""Cursor pagination: stable pages while rows are added (a harvester walks `next` to the end)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("pk",)
    invalid_cursor_message = _("Cursore non valido: usa i link next e previous delle risposte.")

    def get_ordering(self, request, queryset, view):
        """The view's `cursor_ordering` (a unique or almost unique field first)."""
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def decode_cursor(self, request):
        # A malformed cursor is a bad parameter (400), not a missing page.
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ParseError(self.invalid_cursor_message) from exc

    def get_page_size(self, request):
        # A page size that is not a positive number is refused, not silently replaced.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= 10**6):
            raise ParseError(
                _("page_size deve essere un numero intero da 1 a %(max)d.")
                % {"max": self.max_page_size}
            )
        return super().get_page_size(request)
