"""The one PDF pipeline: an HTML template under templates/pdf/ rendered by WeasyPrint.

PDF templates extend pdf/base.html, which carries its own small print stylesheet (page size,
"Pagina X di Y" footer) and never the web CSS framework, so rendering stays fast. Fonts are the
system's (DejaVu) or shipped with the portal; nothing is fetched from the network.

Every PDF is tagged: WeasyPrint writes the structure tree of the HTML (headings, paragraphs,
lists, tables; running headers and footers left out as page furniture), the document language
and title, so screen readers read it in order. Records kept for years (minutes, receipts, the
plan, procedure documents) are PDF/A-3a, the level of PDF/A that requires that structure;
other documents are PDF/UA-1. Templates must use real headings and lists, not styled <div>s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def _no_network_fetcher(url: str, *args, **kwargs):
    from weasyprint.urls import default_url_fetcher

    if url.startswith(("data:", "file:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDF rendering does not fetch remote resources: {url}")


def render_html(template: str, context: Mapping[str, Any]) -> str:
    ctx = {"portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, ctx)


ARCHIVAL_VARIANT = "pdf/a-3a"  # archival and tagged (WeasyPrint sets pdf_tags for it)
ACCESSIBLE_VARIANT = "pdf/ua-1"


def render_pdf(template: str, context: Mapping[str, Any], *, archival: bool = True) -> bytes:
    """Render `template` to tagged PDF bytes: PDF/A-3a when `archival` (records kept for years),
    PDF/UA-1 otherwise."""
    from weasyprint import HTML

    html = render_html(template, context)
    return HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_network_fetcher
    ).write_pdf(pdf_variant=ARCHIVAL_VARIANT if archival else ACCESSIBLE_VARIANT, pdf_tags=True)
