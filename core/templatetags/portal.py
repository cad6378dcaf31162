"""{% load portal %}: {{ amount|euro }} -> "1.234,56 €"; {{ amount|euro_plain }} -> "1.234,56";
{{ page_obj|page_window }} -> the page numbers components/pagination.html shows;
{% pagination page_obj prefix %} -> components/pagination.html, written in Python;
{{ section.body|rich_text }} -> stored rich text, sanitised as it is shown;
{{ hit.title|highlight:term }} -> the text escaped, the words of a search term in <mark>;
{% status_badge obj %} / {% status_badge label=... tone=... %} -> the one status badge;
{% breadcrumbs crumbs %} / {% breadcrumbs "Label" url ... "Current page" %} -> the breadcrumb trail;
{% bar_chart rows title=... chart_id=... %} -> the one SVG bar chart (core.charts)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core import badges, charts, search
from core import pagination as pagination_module
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
    """The numbers components/pagination.html renders a link or an ellipsis for
    (core.pagination.page_window)."""
    return pagination_module.page_window(page)


@register.simple_tag
def pagination(page_obj, querystring_prefix="") -> SafeString:
    """`{% pagination page_obj prefix %}`: components/pagination.html, written in Python
    (core.pagination)."""
    return pagination_module.pagination_html(page_obj, querystring_prefix)


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


@register.simple_tag
def status_badge(obj=None, *, label=None, tone=None) -> SafeString:
    """`{% status_badge application %}` (label from status_label / get_status_display, tone from
    status_tone / core.badges.DEFAULT_TONES) or `{% status_badge label=... tone=... %}`."""
    return badges.status_badge(obj, label=label, tone=tone)


@register.filter
def status_tone(status) -> str:
    """{{ booking.status|status_tone }}: the tone of a status code (core.badges.DEFAULT_TONES)."""
    return badges.tone_for(status)


def crumb_pairs(args) -> list[tuple]:
    """(label, url) pairs from `{% breadcrumbs %}`'s arguments: one list of pairs, or labels and
    urls alternating, the last label (the current page) with or without its url."""
    if len(args) == 1 and (args[0] is None or isinstance(args[0], list | tuple)):
        return [tuple(c) for c in args[0] or ()]
    items = list(args)
    if len(items) % 2:
        items.append("")
    return list(zip(items[::2], items[1::2], strict=True))


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(*args) -> dict:
    """`{% block breadcrumbs %}{% breadcrumbs crumbs %}{% endblock %}` or
    `{% breadcrumbs _("Eventi") events_url event.title %}`: "Home" first, the last crumb is the
    current page."""
    return {"crumbs": crumb_pairs(args)}


@register.simple_tag
def bar_chart(rows, *, title, chart_id="chart", multicolour=False, euro=False) -> SafeString:
    """`{% bar_chart rows title=_("Domande per stato") chart_id="by-status" %}`: rows of
    (label, value[, display]) or dicts (core.charts.bar_rows); `euro=True` writes values in euro."""
    return charts.bar_chart(
        rows,
        title=title,
        chart_id=chart_id,
        multicolour=multicolour,
        fmt=format_euro if euro else str,
    )
