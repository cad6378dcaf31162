from django.urls import path

from ambito import pec_views, roles_views, staff_views, views

app_name = "ambito"

urlpatterns = [
    path("", views.ambito_list, name="list"),
    path("nuovo/", roles_views.ambito_create, name="create"),
    path("mappafondo/", views.region_funds, name="region_funds"),
    path("enti/", views.region_directory, name="region_directory"),
    path("comuni/", views.comune_options, name="comune_options"),
    path("comuni/caselle/", views.comune_checkboxes, name="comune_checkboxes"),
    path("registro-modifiche/", staff_views.audit_log, name="audit_log"),
    path("email-non-inviate/", staff_views.failed_emails, name="failed_emails"),
    path(
        "email-non-inviate/<int:pk>/reinvia/",
        staff_views.failed_email_resend,
        name="failed_email_resend",
    ),
    path("invito/<str:token>/", roles_views.invitation, name="staff_invitation"),
    path("<slug:code>/", views.ambito_detail, name="detail"),
    path("<slug:code>/ruoli/", roles_views.roles, name="roles"),
    path("<slug:code>/pec/", pec_views.communications, name="pec_communications"),
    path(
        "<slug:code>/pec/<int:pk>/ricevuta/",
        pec_views.receipt_upload,
        name="pec_receipt_upload",
    ),
    path("<slug:code>/ruoli/<int:pk>/", roles_views.role_edit, name="role_edit"),
    path("<slug:code>/ruoli/<int:pk>/revoca/", roles_views.role_revoke, name="role_revoke"),
    path(
        "<slug:code>/inviti/<int:pk>/reinvia/",
        roles_views.invitation_resend,
        name="staff_invitation_resend",
    ),
    path(
        "<slug:code>/inviti/<int:pk>/ritira/",
        roles_views.invitation_revoke,
        name="staff_invitation_revoke",
    ),
]
