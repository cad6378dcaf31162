"""{% load spid_cie %}{% spid_cie_buttons process="login" %}: the "Entra con SPID" and "Entra con
CIE" buttons of the schemes configured (core.identity), nothing when none is;
{% spid_cie_schemes as schemes %}: which they are."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core import identity
from core.oidc.views import start_token

register = template.Library()


@register.inclusion_tag("components/spid_cie_buttons.html", takes_context=True)
def spid_cie_buttons(context, process: str = "login", next_url: str = "") -> dict:
    """`process`: "login" (enter, or sign up) or "connect" (link to the logged-in account);
    `next_url`: where to go afterwards (default: the page's own ?next=, if it is on this site)."""
    request = context.get("request")
    params = {"process": process}
    target = next_url or (request.GET.get("next", "") if request else "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()} if request else None
    ):
        params["next"] = target
    if request is not None:
        params["token"] = start_token(request)
    query = urlencode(params)
    return {
        "buttons": [
            {
                "scheme": scheme,
                "url": f"{reverse('openid_connect_login', kwargs={'provider_id': scheme})}?{query}",
            }
            for scheme in identity.configured_schemes()
        ]
    }


@register.simple_tag
def spid_cie_schemes() -> list[str]:
    """{% spid_cie_schemes as schemes %}: the schemes configured ("spid", "cie")."""
    return identity.configured_schemes()
