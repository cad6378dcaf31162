"""Export of an event's registrations (CSV/XLSX) with django-import-export; formulae are escaped
(IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from participation.models import Booking


def _cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV/XLSX injection)."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


class BookingResource(resources.ModelResource):
    session = fields.Field(column_name=_("Sessione"))
    session_start = fields.Field(column_name=_("Inizio sessione"))
    name = fields.Field(column_name=_("Nome e cognome"))
    email = fields.Field(column_name=_("E-mail"))
    status = fields.Field(column_name=_("Stato"))
    registered = fields.Field(column_name=_("Iscritto il"))
    attended = fields.Field(column_name=_("Presente"))

    class Meta:
        model = Booking
        fields = ("session", "session_start", "name", "email", "status", "registered", "attended")
        export_order = fields

    def dehydrate_session(self, booking: Booking) -> str:
        return _cell(booking.session.title)

    def dehydrate_name(self, booking: Booking) -> str:
        return _cell(booking.registration.name)

    def dehydrate_email(self, booking: Booking) -> str:
        return _cell(booking.registration.email)

    def dehydrate_session_start(self, booking: Booking) -> str:
        return _local(booking.session.starts_at)

    def dehydrate_status(self, booking: Booking) -> str:
        return str(booking.get_status_display())

    def dehydrate_registered(self, booking: Booking) -> str:
        return _local(booking.created_at)

    def dehydrate_attended(self, booking: Booking) -> str:
        return _local(booking.attended_at) if booking.attended_at else ""


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_bookings(bookings: QuerySet[Booking], fmt: str) -> tuple[bytes, str]:
    dataset = BookingResource().export(queryset=bookings)
    data = dataset.export(fmt)
    if isinstance(data, str):
        data = ("\ufeff" + data).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly
    return data, MIMETYPES[fmt]
