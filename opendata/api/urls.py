"""/api/v1/: the read-only API (JSON only)."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import errors, views

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False  # JSON only: no .json/.api variants of every address


router = Router(trailing_slash="/?")
router.register("ambiti", views.AmbitoViewSet, basename="ambito")
router.register("comuni", views.ComuneViewSet, basename="comune")
router.register("enti", views.EntityViewSet, basename="ente")
router.register("tavoli", views.TableViewSet, basename="tavolo")
router.register("sedute", views.MeetingViewSet, basename="seduta")
router.register("procedimenti", views.ProcedureViewSet, basename="procedimento")
router.register("piani", views.PlanViewSet, basename="piano")
router.register("interventi", views.InterventionViewSet, basename="intervento")
router.register("eventi", views.EventViewSet, basename="evento")
router.register("notizie", views.NewsViewSet, basename="notizia")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    *router.urls,
    re_path(r"^(?P<path>.*)$", errors.not_found, name="not_found"),
]
