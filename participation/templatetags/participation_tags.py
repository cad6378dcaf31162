from __future__ import annotations

from django import template

register = template.Library()

_TONES = {
    "submitted": "primary",
    "under_study": "warning",
    "accepted": "success",
    "not_accepted": "danger",
    "held": "info",
    "confirmed": "success",
    "waiting": "warning",
    "cancelled": "secondary",
    "published": "success",
    "draft": "secondary",
}


@register.filter
def tone(status: str) -> str:
    """The badge colour of a status code."""
    return _TONES.get(status, "secondary")


@register.simple_tag
def pairs(*args):
    """`{% pairs label1 url1 label2 url2 as crumbs %}` -> [(label1, url1), (label2, url2)] for
    components/breadcrumbs.html."""
    return list(zip(args[::2], args[1::2], strict=True))


@register.filter
def link_of(obj) -> str:
    """obj.get_absolute_url(), or "" while the owning app does not route it yet."""
    from django.urls import NoReverseMatch

    try:
        return obj.get_absolute_url() if obj is not None else ""
    except NoReverseMatch:
        return ""
