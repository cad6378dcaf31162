from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, FileJob, Notification, OutgoingEmail, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "fiscal_code"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Dati personali"),
            {"fields": ("first_name", "last_name", "fiscal_code", "phone", "notification_email")},
        ),
        (
            _("Permessi"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Date"), {"fields": ("last_login", "date_joined", "anonymised_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_repr", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_repr"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    exclude = ["attachments"]


admin.site.register(Notification)
admin.site.register(FileJob)
