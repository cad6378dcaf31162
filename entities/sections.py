"""What entities/ shows on the home page and in "my area" (core.registry slots)."""

from __future__ import annotations

from core import registry
from entities import selectors
from entities.models import Entity


def _home(request):
    count = Entity.objects.filter(status=Entity.Status.VERIFIED).count()
    return "entities/sections/home_entities.html", {"count": count}


def _my_entities(request):
    if not request.user.is_authenticated:
        return None
    return "entities/sections/my_entities.html", {
        "memberships": list(selectors.my_memberships(request.user))
    }


def _personal_data(user):
    return [
        {
            "entity": m.entity.name,
            "role": m.role,
            "since": m.created_at.isoformat(),
            "ended": m.ended_at.isoformat() if m.ended_at else None,
        }
        for m in user.entity_memberships.select_related("entity")
    ]


registry.home_section("entities", 20, _home)
registry.my_area_section("entities", 10, _my_entities)
registry.personal_data_exporter("entities", _personal_data)
