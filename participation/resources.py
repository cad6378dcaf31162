"""Spreadsheet exports of participation: an event's registrations (django-import-export) and
proposals; the file (CSV, XLSX or ODS) is written by core.spreadsheets."""

from __future__ import annotations

import tablib
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from core.spreadsheets import dataset_of
from participation.models import Booking, Proposal


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


class BookingResource(resources.ModelResource):
    session = fields.Field(column_name=_("Sessione"))
    session_start = fields.Field(column_name=_("Inizio sessione"))
    name = fields.Field(column_name=_("Nome e cognome"))
    email = fields.Field(column_name=_("E-mail"))
    status = fields.Field(column_name=_("Stato"))
    registered = fields.Field(column_name=_("Data di iscrizione"))
    attended = fields.Field(column_name=_("Presente"))

    class Meta:
        model = Booking
        fields = ("session", "session_start", "name", "email", "status", "registered", "attended")
        export_order = fields

    def dehydrate_session(self, booking: Booking) -> str:
        return booking.session.title

    def dehydrate_name(self, booking: Booking) -> str:
        return booking.registration.name

    def dehydrate_email(self, booking: Booking) -> str:
        return booking.registration.email

    def dehydrate_session_start(self, booking: Booking) -> str:
        return _local(booking.session.starts_at)

    def dehydrate_status(self, booking: Booking) -> str:
        return str(booking.get_status_display())

    def dehydrate_registered(self, booking: Booking) -> str:
        return _local(booking.created_at)

    def dehydrate_attended(self, booking: Booking) -> str:
        return _local(booking.attended_at) if booking.attended_at else ""


def bookings_dataset(bookings: QuerySet[Booking]) -> tablib.Dataset:
    return BookingResource().export(queryset=bookings)


def proposals_dataset(proposals: QuerySet[Proposal]) -> tablib.Dataset:
    """Proposals as the list shows them (participation.selectors.proposals_for_user: related
    rows joined, supports and comments counted in SQL: one query), with the text and the answer."""
    headers = [
        _("Titolo"),
        _("Stato"),
        _("Tavolo"),
        _("Procedimento"),
        _("Area"),
        _("Autore"),
        _("Ente"),
        _("Presentata il"),
        _("Sostegni"),
        _("Commenti"),
        _("Testo"),
        _("Risposta ufficiale"),
        _("Risposta il"),
    ]
    rows = (
        [
            p.title,
            p.get_status_display(),
            p.table.name if p.table_id else "",
            p.procedure.title if p.procedure_id else "",
            p.area.name if p.area_id else "",
            p.author.display_name,
            p.entity.name if p.entity_id else "",
            p.created_at,
            p.support_count,
            p.comment_count,
            p.text,
            p.answer,
            p.answered_at,
        ]
        for p in proposals
    )
    return dataset_of(headers, rows, title=str(_("Proposte")))
