from django.urls import path, re_path

from opendata import transparency_views, views

app_name = "opendata"

urlpatterns = [
    path("dati-aperti/", views.index, name="index"),
    path("dati-aperti/<slug:code>/", views.ambito_page, name="ambito"),
    path("dati-aperti/<slug:code>/catalogo.jsonld", views.catalogue, name="catalogue"),
    # before the datasets' pattern, which would take trasparenza.csv for a dataset
    path("dati-aperti/<slug:code>/trasparenza/", transparency_views.page, name="transparency"),
    re_path(
        r"^dati-aperti/(?P<code>[-a-zA-Z0-9_]+)/trasparenza\.(?P<fmt>csv|json|xml)$",
        transparency_views.download,
        name="transparency_download",
    ),
    re_path(
        r"^dati-aperti/(?P<code>[-a-zA-Z0-9_]+)/trasparenza/procedimento-(?P<pk>[0-9]+)"
        r"\.(?P<fmt>csv|json|xml)$",
        transparency_views.procedure_download,
        name="transparency_procedure",
    ),
    re_path(
        r"^dati-aperti/(?P<code>[-a-zA-Z0-9_]+)/(?P<dataset>[a-z]+)\.(?P<fmt>csv|json)$",
        views.download,
        name="download",
    ),
    path("api/", views.api_docs, name="api_docs"),
]
