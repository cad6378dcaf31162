from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def link_of(obj) -> str:
    """obj.get_absolute_url(), or "" while the owning app does not route it yet."""
    from django.urls import NoReverseMatch

    try:
        return obj.get_absolute_url() if obj is not None else ""
    except NoReverseMatch:
        return ""
