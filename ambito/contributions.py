"""What ambito/ contributes to other pages (registry slots): the home page, "my area", the
privacy page, and the personal data of its staff roles."""

from __future__ import annotations

from ambito import permissions, routing, selectors
from ambito.services import personal_data
from core import registry


def _home(request):
    """The ambito's presentation; on a regional portal's own home, the ambiti of the region."""
    ambito = selectors.current_ambito(request)
    if ambito is not None:
        return "ambito/sections/home_ambito.html", {
            "ambito": ambito,
            "comuni": list(selectors.comuni_of(ambito)),
        }
    if not routing.is_regional():
        return None
    return "ambito/sections/region.html", region_context(request)


def region_context(request) -> dict:
    """The ambiti with what each app shows of them (registry slot "ambito_card"): constant
    queries whatever the number of ambiti."""
    ambiti = selectors.region_ambiti()
    blocks = registry.render_each("ambito_card", request, ambiti)
    return {"cards": [(a, blocks[a.pk]) for a in ambiti]}


def _my_roles(request):
    roles = permissions.roles_of(request.user)
    return "ambito/sections/my_roles.html", {
        "roles": roles,
        "ambiti": list({r.ambito_id: r.ambito for r in roles}.values()),
        "is_superuser": request.user.is_superuser,
        "is_ufficio_di_piano": permissions.is_ufficio_di_piano(request.user),
    }


def _privacy_controllers(request):
    """The privacy page names each ambito's data controller, the portal's own first."""
    main = selectors.current_ambito(request)
    others = [a for a in selectors.ambiti_list() if main is None or a.pk != main.pk]
    return "ambito/sections/privacy_controllers.html", {"main": main, "others": others}


def register() -> None:
    registry.add("home", "ambito", 0, _home)
    registry.add("my_area", "ambito_roles", 0, _my_roles)
    registry.add("privacy_page", "ambito", 0, _privacy_controllers)
    registry.add("personal_data", "staff_roles", 0, personal_data.export_roles)
    registry.add("personal_data", "staff_invitations", 0, personal_data.export_invitations)
    registry.add("erase_personal_data", "staff_roles", 0, personal_data.erase_roles)
