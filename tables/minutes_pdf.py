"""The PDF of a published version of the minutes, rendered from its frozen record."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from tables import records
from tables.models import MinutesVersion

MINUTES_PDF = MinutesVersion.PDF_KIND

MINUTES_PDF_TEMPLATE = "pdf/tables_minutes.html"


def minutes_pdf_context(version: MinutesVersion) -> dict:
    """What the minutes PDF template shows: the version's frozen record, nothing live (also
    measured by the benchmark, tables/bench.py)."""
    record = records.context(version.record)
    return {
        "record": record,
        "title": _("Verbale — %(meeting)s") % {"meeting": record["meeting"]["title"]},
    }


def minutes_pdf_filename(version: MinutesVersion) -> str:
    meeting = version.minutes.meeting
    date = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    suffix = f"-rettifica-{version.number - 1}" if version.is_correction else ""
    return f"verbale-{meeting.table.slug}-{date}{suffix}.pdf"


def minutes_pdf_bytes(version: MinutesVersion) -> tuple[str, bytes]:
    from core import pdf

    content = pdf.render_pdf(MINUTES_PDF_TEMPLATE, minutes_pdf_context(version))
    return minutes_pdf_filename(version), content
