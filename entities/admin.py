"""Django admin for superusers: read and correct data. Everyday work happens in the portal's own
pages, which go through entities.services (audit trail, e-mails)."""

from django.contrib import admin

from entities.models import (
    Activity,
    Entity,
    EntityClaim,
    EntityInvitation,
    EntityMembership,
    TargetGroup,
)


class MembershipInline(admin.TabularInline):
    model = EntityMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_code", "legal_form", "runts_section", "status", "ambito"]
    list_filter = ["status", "legal_form", "runts_section", "ambito"]
    search_fields = ["name", "tax_code", "runts_number"]
    raw_id_fields = ["seat_comune", "operating_comuni"]
    filter_horizontal = ["activities", "target_groups"]
    readonly_fields = ["status", "status_reason", "status_changed_at", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(EntityInvitation)
class EntityInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "entity", "role", "created_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "entity__name"]
    raw_id_fields = ["entity", "invited_by", "accepted_by", "outgoing_email"]
    exclude = ["token"]


@admin.register(EntityClaim)
class EntityClaimAdmin(admin.ModelAdmin):
    """Read only: claims are decided in the portal (entities.services.claims)."""

    list_display = ["entity", "claimant", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["entity__name", "entity__tax_code", "claimant__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Activity)
admin.site.register(TargetGroup)
