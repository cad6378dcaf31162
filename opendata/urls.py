from django.urls import path, re_path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("dati-aperti/", views.index, name="index"),
    path("dati-aperti/<slug:code>/", views.ambito_page, name="ambito"),
    path("dati-aperti/<slug:code>/catalogo.jsonld", views.catalogue, name="catalogue"),
    re_path(
        r"^dati-aperti/(?P<code>[-a-zA-Z0-9_]+)/(?P<dataset>[a-z]+)\.(?P<fmt>csv|json)$",
        views.download,
        name="download",
    ),
    path("api/", views.api_docs, name="api_docs"),
]
