from django.urls import path

from entities import views

app_name = "entities"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("registra/", views.register, name="register"),
    path("verifica/", views.verification_queue, name="verification_queue"),
    path("importa/", views.import_entities, name="import"),
    path("importa/modello/", views.import_template, name="import_template"),
    path("importa/<int:pk>/", views.import_job, name="import_job"),
    path("importa/<int:pk>/stato/", views.import_job_status, name="import_job_status"),
    path("importa/<int:pk>/conferma/", views.import_confirm, name="import_confirm"),
    path("esporta/", views.export, name="export"),
    path("rivendica/", views.claim, name="claim"),
    path("rivendicazioni/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("rivendicazioni/<int:pk>/documento/", views.claim_document, name="claim_document"),
    path("rivendicazioni/<int:pk>/ritira/", views.claim_withdraw, name="claim_withdraw"),
    path("invito/<str:token>/", views.invitation, name="invitation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifica/", views.edit, name="edit"),
    path("<int:pk>/legale-rappresentante/", views.take_over, name="take_over"),
    path("<int:pk>/stato/<slug:action>/", views.set_status, name="set_status"),
    path("<int:pk>/persone/", views.members, name="members"),
    path(
        "<int:pk>/persone/<int:membership_pk>/<slug:action>/",
        views.membership_action,
        name="membership_action",
    ),
    path(
        "<int:pk>/inviti/<int:invitation_pk>/<slug:action>/",
        views.invitation_action,
        name="invitation_action",
    ),
]
