from django.contrib import admin

from participation.models import (
    Event,
    EventSession,
    LibraryItem,
    LibraryTag,
    News,
    Principle,
    Proposal,
)


class EventSessionInline(admin.TabularInline):
    model = EventSession
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "ambito", "starts_at", "status"]
    list_filter = ["status", "ambito"]
    inlines = [EventSessionInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "ambito", "table", "procedure", "author", "status", "created_at"]
    list_filter = ["status", "ambito"]
    raw_id_fields = ["author", "answered_by", "table", "procedure", "entity"]


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ["title", "ambito", "published_at"]


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "level", "ambito", "published_at"]
    list_filter = ["kind", "level", "ambito"]


admin.site.register(LibraryTag)


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["title", "ambito", "order"]
    list_filter = ["ambito"]
