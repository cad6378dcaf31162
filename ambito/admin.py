from django.contrib import admin

from ambito.models import Ambito, Comune, StaffInvitation, StaffRole


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["name", "istat_code", "province_code", "region", "population"]
    search_fields = ["name", "istat_code"]
    list_filter = ["region"]


@admin.register(Ambito)
class AmbitoAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "lead_comune"]
    autocomplete_fields = ["lead_comune", "comuni"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "ambito", "comune", "rup_eligible"]
    list_filter = ["role", "ambito", "rup_eligible"]
    autocomplete_fields = ["user", "comune"]


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are sent, resent and withdrawn from the roles page of the portal
    (with their e-mail and audit trail)."""

    list_display = ["email", "role", "ambito", "comune", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "ambito"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in StaffInvitation._meta.fields if f.name != "token"]
    exclude = ["token"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
