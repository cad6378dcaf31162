"""The one PDF pipeline: an HTML template under templates/pdf/ rendered by WeasyPrint.

PDF templates extend pdf/base.html, which carries its own small print stylesheet (page size,
"Pagina X di Y" footer) and never the web CSS framework, so rendering stays fast. Fonts are the
system's (DejaVu) or shipped with the portal; nothing is fetched from the network."""

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


def render_pdf(template: str, context: Mapping[str, Any], *, archival: bool = True) -> bytes:
    """Render `template` to PDF bytes; `archival` produces PDF/A-3b (for records kept for years)."""
    from weasyprint import HTML

    html = render_html(template, context)
    options: dict[str, Any] = {"pdf_variant": "pdf/a-3b"} if archival else {}
    return HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_network_fetcher
    ).write_pdf(**options)
