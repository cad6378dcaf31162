from django.urls import path

from ambito import staff_views, views

app_name = "ambito"

urlpatterns = [
    path("", views.ambito_list, name="list"),
    path("comuni/", views.comune_options, name="comune_options"),
    path("registro-modifiche/", staff_views.audit_log, name="audit_log"),
    path("email-non-inviate/", staff_views.failed_emails, name="failed_emails"),
    path(
        "email-non-inviate/<int:pk>/reinvia/",
        staff_views.failed_email_resend,
        name="failed_email_resend",
    ),
    path("<slug:code>/", views.ambito_detail, name="detail"),
]
