"""{% load portal %}: {{ amount|euro }} -> "1.234,56 €"; {{ amount|euro_plain }} -> "1.234,56";
{{ page_obj|page_window }} -> the page numbers components/pagination.html shows."""

from __future__ import annotations

from django import template

from core.formatting import format_euro

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
