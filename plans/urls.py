from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("nuovo/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/sezioni/<int:section_pk>/", views.section_edit, name="section_edit"),
    path("<int:pk>/fondi/", views.funds, name="funds"),
    path("<int:pk>/fondi/nuova-fonte/", views.source_create, name="source_create"),
    path("<int:pk>/bilancio/", views.budget, name="budget"),
    path("<int:pk>/bilancio.xlsx", views.budget_xlsx, name="budget_xlsx"),
    path("<int:pk>/interventi/esporta/", views.interventions_export, name="interventions_export"),
    path("<int:pk>/interventi/nuovo/", views.intervention_create, name="intervention_create"),
    path(
        "<int:pk>/interventi/<int:intervention_pk>/", views.intervention_detail, name="intervention"
    ),
    path(
        "<int:pk>/interventi/<int:intervention_pk>/modifica/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path(
        "<int:pk>/interventi/<int:intervention_pk>/elimina/",
        views.intervention_delete,
        name="intervention_delete",
    ),
    path("<int:pk>/bisogni/nuovo/", views.need_create, name="need_create"),
    path("<int:pk>/servizi/nuovo/", views.service_create, name="service_create"),
    path("<int:pk>/consultazione/", views.open_consultation, name="open_consultation"),
    path("<int:pk>/approvazione/", views.approve, name="approve"),
    path("<int:pk>/revisione/", views.start_revision, name="start_revision"),
    path("<int:pk>/osservazioni/", views.comment_create, name="comment_create"),
    path("<int:pk>/versioni/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versioni/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("<int:pk>/esporta/", views.export, name="export"),
    path("<int:pk>/esporta/<int:job_pk>/stato/", views.export_status, name="export_status"),
    path("<int:pk>/esporta/<int:job_pk>/scarica/", views.export_download, name="export_download"),
]
