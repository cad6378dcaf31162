"""What ambito/ shows on the home page and in "my area"."""

from __future__ import annotations

from core import registry
from ambito import permissions, selectors


def _home(request):
    ambito = selectors.default_ambito()
    if ambito is None:
        return None
    return "ambito/sections/home_ambito.html", {"ambito": ambito, "comuni": list(selectors.comuni_of(ambito))}


def _my_roles(request):
    roles = permissions.roles_of(request.user)
    return "ambito/sections/my_roles.html", {
        "roles": roles,
        "is_superuser": request.user.is_superuser,
        "is_ufficio_di_piano": permissions.is_ufficio_di_piano(request.user),
    }


registry.home_section("ambito", 0, _home)
registry.my_area_section("ambito_roles", 0, _my_roles)
