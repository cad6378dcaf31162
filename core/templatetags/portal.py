"""{% load portal %}: {{ amount|euro }} -> "1.234,56 €"; {{ amount|euro_plain }} -> "1.234,56"."""

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
