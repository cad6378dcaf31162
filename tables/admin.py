from django.contrib import admin

from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAttachment,
    Minutes,
    MinutesVersion,
    Table,
    TableMembership,
)


class MembershipInline(admin.TabularInline):
    model = TableMembership
    extra = 0
    raw_id_fields = ["entity", "comune", "delegate", "substitute", "decided_by"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["name", "ambito", "kind", "is_open", "archived_at"]
    list_filter = ["ambito", "kind", "is_open"]
    search_fields = ["name"]
    filter_horizontal = ["themes", "coordinators"]
    inlines = [MembershipInline]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = MeetingAttachment
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "table", "starts_at", "status", "sequence"]
    list_filter = ["status", "table__ambito"]
    search_fields = ["title", "table__name"]
    date_hierarchy = "starts_at"
    inlines = [AgendaInline, AttachmentInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "meeting", "response", "attendance", "reminded_at"]
    list_filter = ["response", "attendance"]
    search_fields = ["email", "name"]
    raw_id_fields = ["meeting", "user", "entity", "comune", "membership", "last_email"]


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "status", "approved_at"]
    list_filter = ["status"]
    raw_id_fields = ["meeting", "approved_by"]


@admin.register(MinutesVersion)
class MinutesVersionAdmin(admin.ModelAdmin):
    """Read only: a published version never changes; corrections go through the portal's
    rettifica, which is approved, audited and published as a new version."""

    list_display = ["minutes", "number", "status", "approved_at"]
    list_filter = ["status"]
    raw_id_fields = ["minutes", "created_by", "approved_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
