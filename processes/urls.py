from django.urls import path

from processes import views

app_name = "processes"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("nuovo/", views.procedure_create, name="create"),
    path("<int:pk>/", views.procedure_detail, name="detail"),
    path("<int:pk>/modifica/", views.procedure_edit, name="edit"),
    path("<int:pk>/passaggio/", views.procedure_transition, name="transition"),
    path("<int:pk>/annulla/", views.procedure_cancel, name="cancel"),
    path("<int:pk>/riapri-termini/", views.window_reopen, name="reopen"),
    path("<int:pk>/istanza/", views.request_document, name="request_document"),
    path("<int:pk>/storico/", views.procedure_audit, name="audit"),
    path("<int:pk>/domande/esporta/", views.applications_export, name="applications_export"),
    path("<int:pk>/avviso/", views.notice_edit, name="notice_edit"),
    path("avvisi/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("avvisi/<int:pk>/pubblica/", views.notice_publish, name="notice_publish"),
    path("<int:pk>/domanda/", views.application_start, name="application_start"),
    path("domande/<int:pk>/", views.application_detail, name="application_detail"),
    path("domande/<int:pk>/ritira/", views.application_withdraw, name="application_withdraw"),
    path(
        "domande/<int:pk>/allegati/",
        views.application_document_add,
        name="application_document_add",
    ),
    path("allegati/<int:pk>/", views.application_document_download, name="application_document"),
    path(
        "allegati/<int:pk>/elimina/",
        views.application_document_remove,
        name="application_document_remove",
    ),
    path("domande/<int:pk>/ricevuta/", views.application_receipt, name="application_receipt"),
    path("domande/<int:pk>/ammissione/", views.application_decide, name="application_decide"),
    path("domande/<int:pk>/soccorso/", views.integration_request, name="integration_request"),
    path("soccorso/<int:pk>/risposta/", views.integration_answer, name="integration_answer"),
    path(
        "domande/<int:pk>/motivi-ostativi/",
        views.exclusion_notice_send,
        name="exclusion_notice_send",
    ),
    path(
        "motivi-ostativi/<int:pk>/osservazioni/",
        views.exclusion_observations,
        name="exclusion_observations",
    ),
    path("motivi-ostativi/<int:pk>/esclusione/", views.exclusion_confirm, name="exclusion_confirm"),
    path("motivi-ostativi/<int:pk>/superati/", views.exclusion_withdraw, name="exclusion_withdraw"),
    path(
        "accreditati/<int:pk>/variazione/",
        views.accreditation_change,
        name="accreditation_change",
    ),
    path("domande/<int:pk>/valutazione/", views.application_score, name="application_score"),
    path("<int:pk>/commissione/", views.commission, name="commission"),
    path(
        "<int:pk>/commissione/dichiarazione/", views.commission_declare, name="commission_declare"
    ),
    path("commissari/<int:pk>/rimuovi/", views.commission_remove, name="commission_remove"),
    path("<int:pk>/documenti/nuovo/", views.outcome_document_add, name="document_add"),
    path("documenti/<int:pk>/", views.outcome_document_download, name="document"),
    path("<int:pk>/piano-economico/", views.project_budget, name="project_budget"),
    path("<int:pk>/convenzione/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/convenzione/file/", views.agreement_download, name="agreement_file"),
    path("<int:pk>/convenzione/firma/", views.agreement_sign, name="agreement_sign"),
    path(
        "<int:pk>/convenzione/file-firmato/",
        views.agreement_signed_file,
        name="agreement_signed_file",
    ),
    path("<int:pk>/rendicontazioni/nuova/", views.report_create, name="report_create"),
    path("rendicontazioni/<int:pk>/", views.report_detail, name="report_detail"),
    path("spese/<int:pk>/", views.report_cost_download, name="report_cost"),
]
