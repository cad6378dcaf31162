from django.contrib import admin

from ambito.models import Ambito, Comune, StaffRole


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
    list_display = ["user", "role", "ambito", "comune"]
    list_filter = ["role", "ambito"]
    autocomplete_fields = ["user", "comune"]
