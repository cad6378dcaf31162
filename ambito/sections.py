"""What ambito/ shows on the home page and in "my area"."""

from __future__ import annotations

from ambito import permissions, routing, selectors
from core import registry, usercache


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
    ambiti = list(selectors.region_ambiti())
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


registry.home_section("ambito", 0, _home)
registry.my_area_section("ambito_roles", 0, _my_roles)
registry.add("privacy_page", "ambito", 0, _privacy_controllers)


def _export_roles(user):
    return [
        {
            "ambito": r.ambito.name,
            "role": r.get_role_display(),
            "comune": r.comune.name if r.comune else None,
            "job_title": r.job_title,
            "rup_eligible": r.rup_eligible,
        }
        for r in permissions.roles_of(user)
    ]


def _export_invitations(user):
    from ambito.models import StaffInvitation

    return [
        {
            "ambito": i.ambito.name,
            "role": i.get_role_display(),
            "comune": i.comune.name if i.comune_id else None,
            "invited_at": i.created_at.isoformat(),
            "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
            "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None,
        }
        for i in StaffInvitation.objects.filter(email__iexact=user.email).select_related(
            "ambito", "comune"
        )
    ]


def _erase_roles(user):
    """An erased account holds no role any more (the audit trail keeps who held it); invitations
    still open to the address go, the others keep the pseudonymous address."""
    from ambito.models import StaffInvitation, StaffRole

    roles = list(StaffRole.objects.filter(user=user))
    StaffRole.objects.filter(user=user).delete()
    usercache.remember(user, permissions.STAFF_ROLES_KEY, [])
    to_them = StaffInvitation.objects.filter(email__iexact=user.email)
    invitations = list(to_them)
    to_them.filter(accepted_at__isnull=True, revoked_at__isnull=True).delete()
    to_them.update(email=user.pseudonymous_email)
    return [*roles, *invitations]


registry.personal_data_exporter("staff_roles", _export_roles)
registry.personal_data_exporter("staff_invitations", _export_invitations)
registry.personal_data_eraser("staff_roles", _erase_roles)
