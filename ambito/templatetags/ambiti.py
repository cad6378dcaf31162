"""Links across ambiti on a regional portal (see ambito.routing).

{% load ambiti %}
<a href="{{ procedure.get_absolute_url|within:ambito.code }}">   the page inside that ambito
<a href="{% region_url 'ambito:list' %}">                           a region page, no prefix
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from ambito import routing

register = template.Library()


@register.filter
def within(url: str, code: str) -> str:
    """`url` of this request moved under ambito `code`'s prefix."""
    return routing.within(code, str(url))


@register.simple_tag
def region_url(name: str, *args, **kwargs) -> str:
    """reverse(name) on the region's pages: without the ambito prefix of the request."""
    return routing.outside(reverse(name, args=args, kwargs=kwargs))
