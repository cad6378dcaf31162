"""{% load portal %}: {{ amount|euro }} -> "1.234,56 €"; {{ amount|euro_plain }} -> "1.234,56";
{{ page_obj|page_window }} -> the page numbers components/pagination.html shows;
{{ section.body|rich_text }} -> stored rich text, sanitised as it is shown;
{{ hit.title|highlight:term }} -> the text escaped, the words of a search term in <mark>."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core import search
from core.formatting import format_euro
from core.sanitize import clean_html

register = template.Library()


@register.filter
def euro(value) -> str:
    return format_euro(value)


@register.filter
def euro_plain(value) -> str:
    return format_euro(value, symbol=False)


@register.filter
def page_window(page) -> list[int]:
    """The numbers the pagination renders a link or an ellipsis for: the first two, the two
    either side of the current page, the last two. The component loops over these instead of the
    whole page range, whose length grows with the rows (10,000 pages, 10,000 iterations)."""
    last = page.paginator.num_pages
    near = range(page.number - 2, page.number + 3)
    return sorted({n for n in (1, 2, *near, last - 1, last) if 1 <= n <= last})


@register.filter
def rich_text(value) -> SafeString:
    """Rich text written by users (plan sections, news), cleaned by the allow-list sanitiser
    when shown, not only when saved: a row written another way (an import, the admin, a
    migration, data older than the sanitiser) never reaches the page as markup it did not pass.
    Put it in a container with `data-hx-disable`, like every container of user text."""
    return mark_safe(clean_html(str(value or "")))  # noqa: S308 - the sanitiser's output


@register.filter
def highlight(value, term: str) -> SafeString:
    return search.highlight(str(value or ""), term or "")
