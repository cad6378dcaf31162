from django.urls import path

from tables import views

app_name = "tables"

urlpatterns = [
    path("", views.table_list, name="list"),
    path("nuovo/", views.table_create, name="create"),
    path("<int:pk>/", views.table_detail, name="detail"),
    path("<int:pk>/modifica/", views.table_update, name="update"),
    path("<int:pk>/archivia/", views.table_archive, name="archive"),
    path("<int:pk>/membri/", views.table_members, name="members"),
    path("<int:pk>/membri/esporta/", views.members_export, name="members_export"),
    path("<int:pk>/partecipa/", views.table_join, name="join"),
    path("<int:pk>/calendario.ics", views.table_feed, name="table_feed"),
    path("<int:pk>/sedute/nuova/", views.meeting_create, name="meeting_create"),
    path("partecipazioni/<int:pk>/decisione/", views.membership_decide, name="membership_decide"),
    path("partecipazioni/<int:pk>/uscita/", views.membership_leave, name="membership_leave"),
    path("sedute/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("sedute/<int:pk>/modifica/", views.meeting_update, name="meeting_update"),
    path("sedute/<int:pk>/annulla/", views.meeting_cancel, name="meeting_cancel"),
    path("sedute/<int:pk>/convocazione/", views.meeting_send, name="meeting_send"),
    path("sedute/<int:pk>/risposte/", views.invitations_panel, name="invitations_panel"),
    path("sedute/<int:pk>/rispondi/", views.meeting_rsvp, name="meeting_rsvp"),
    path("sedute/<int:pk>/presenze/", views.attendance, name="attendance"),
    path("sedute/<int:pk>/allegati/", views.attachment_add, name="attachment_add"),
    path("sedute/<int:pk>/calendario.ics", views.meeting_ics, name="meeting_ics"),
    path("sedute/<int:pk>/verbale/", views.minutes_detail, name="minutes_detail"),
    path("sedute/<int:pk>/verbale/modifica/", views.minutes_edit, name="minutes_edit"),
    path("sedute/<int:pk>/verbale/condividi/", views.minutes_share, name="minutes_share"),
    path("sedute/<int:pk>/verbale/approva/", views.minutes_approve, name="minutes_approve"),
    path("sedute/<int:pk>/verbale/rigenera/", views.minutes_regenerate, name="minutes_regenerate"),
    path("sedute/<int:pk>/verbale/osservazioni/", views.minutes_comment, name="minutes_comment"),
    path("sedute/<int:pk>/verbale/stato/", views.minutes_job, name="minutes_job"),
    path("sedute/<int:pk>/verbale/pdf/", views.minutes_pdf, name="minutes_pdf"),
    path("sedute/<int:pk>/verbale/rettifica/", views.minutes_correction, name="minutes_correction"),
    path(
        "sedute/<int:pk>/verbale/rettifica/approva/",
        views.minutes_correction_approve,
        name="minutes_correction_approve",
    ),
    path(
        "sedute/<int:pk>/verbale/rettifica/annulla/",
        views.minutes_correction_discard,
        name="minutes_correction_discard",
    ),
    path(
        "sedute/<int:pk>/verbale/versioni/<int:number>/",
        views.minutes_version,
        name="minutes_version",
    ),
    path(
        "sedute/<int:pk>/verbale/versioni/<int:number>/pdf/",
        views.minutes_version_pdf,
        name="minutes_version_pdf",
    ),
    path("allegati/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("allegati/<int:pk>/elimina/", views.attachment_delete, name="attachment_delete"),
    path("inviti/<int:pk>/reinvia/", views.invitation_resend, name="invitation_resend"),
    path("risposta/<str:token>/", views.rsvp, name="rsvp"),
    path("calendario/", views.calendar_subscribe, name="calendar"),
    path("calendario/<str:token>.ics", views.personal_feed, name="personal_feed"),
]
