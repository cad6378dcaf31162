from django.contrib import admin

from plans.models import FundingSource, Plan, PlanVersion


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "ambito", "order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "ambito", "start_year", "end_year", "status", "version"]
    list_filter = ["status"]
    list_select_related = ["ambito"]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "approval_act_number", "approval_act_date"]
    readonly_fields = ["snapshot"]
