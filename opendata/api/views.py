"""The read-only API, /api/v1/. Every list and detail reads its rows through opendata.selectors,
that is through the policies of the pages: a list holds what the list page shows the user (the
session's user, or an anonymous visitor), a detail answers 404 where the page does."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import mixins, viewsets

from ambito.models import Comune
from processes.filters import ProcedureFilter
from tables import selectors as table_selectors
from tables.models import Minutes

from .. import selectors
from . import filters, serializers
from .conditional import ConditionalMixin


class ReadOnly(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and detail; `detail_serializer_class` for the detail when it shows more."""

    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def rows(self, user):  # the list
        raise NotImplementedError

    def detail_rows(self, user):  # what a detail may show (the page's policy)
        return self.rows(user)

    def get_queryset(self):
        user = self.request.user
        return self.detail_rows(user) if self.action == "retrieve" else self.rows(user)

    def get_object(self):
        try:
            return super().get_object()
        except (Http404, ValueError, TypeError) as exc:
            # Not visible, or a key of the wrong shape: "Non trovato.", naming nothing.
            raise Http404 from exc


@extend_schema_view(
    list=extend_schema(summary="Ambiti territoriali sociali"),
    retrieve=extend_schema(summary="Un ambito, con i suoi comuni"),
)
class AmbitoViewSet(ReadOnly):
    serializer_class = serializers.AmbitoSerializer
    detail_serializer_class = serializers.AmbitoDetailSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    cursor_ordering = ("code",)

    def rows(self, user):
        return selectors.ambiti()

    def detail_rows(self, user):
        return selectors.ambiti().prefetch_related(
            Prefetch("comuni", queryset=Comune.objects.order_by("name"), to_attr="comuni_sorted")
        )


@extend_schema_view(
    list=extend_schema(summary="Comuni degli ambiti"),
    retrieve=extend_schema(summary="Un comune"),
)
class ComuneViewSet(ReadOnly):
    serializer_class = serializers.ComuneSerializer
    filterset_class = filters.ComuneFilter
    lookup_field = "istat_code"
    lookup_value_regex = r"[0-9]{6}"
    cursor_ordering = ("istat_code",)

    def rows(self, user):
        return selectors.comuni()


@extend_schema_view(
    list=extend_schema(
        summary="Enti verificati (l'elenco pubblico)",
        description="Gli enti dell'elenco pubblico, con gli stessi filtri della pagina.",
    ),
    retrieve=extend_schema(summary="Un ente: i dati del suo profilo pubblico"),
)
class EntityViewSet(ReadOnly):
    serializer_class = serializers.EntitySerializer
    filterset_class = filters.EntityFilter
    cursor_ordering = ("name", "pk")

    def rows(self, user):
        return selectors.directory(user)

    def detail_rows(self, user):
        return selectors.entities(user)


@extend_schema_view(
    list=extend_schema(summary="Tavoli (come l'elenco dei tavoli)"),
    retrieve=extend_schema(summary="Un tavolo"),
)
class TableViewSet(ReadOnly):
    serializer_class = serializers.TableSerializer
    filterset_class = filters.TableFilter
    cursor_ordering = ("name", "pk")

    def rows(self, user):
        return selectors.table_list(user)

    def detail_rows(self, user):
        return selectors.tables(user)


@extend_schema_view(
    list=extend_schema(summary="Sedute dei tavoli"),
    retrieve=extend_schema(summary="Una seduta, con le versioni pubblicate del verbale"),
)
class MeetingViewSet(ReadOnly):
    serializer_class = serializers.MeetingSerializer
    detail_serializer_class = serializers.MeetingDetailSerializer
    filterset_class = filters.MeetingFilter
    cursor_ordering = ("starts_at", "pk")

    def rows(self, user):
        return selectors.meetings(user)

    def get_object(self):
        meeting = super().get_object()
        meeting.minutes_versions = []
        if meeting.public_minutes:
            minutes = Minutes.objects.get(meeting=meeting)
            meeting.minutes_versions = table_selectors.published_versions(minutes)
        return meeting


@extend_schema_view(
    list=extend_schema(summary="Procedimenti (come l'elenco dei procedimenti)"),
    retrieve=extend_schema(
        summary="Un procedimento con i suoi atti pubblici",
        description=(
            "Le versioni dell'avviso, le riaperture dei termini, l'esito (ammessi e non ammessi "
            "con i punteggi, quando è pubblicato), l'elenco degli accreditati, i documenti e la "
            "convenzione con la loro impronta SHA-256. Le domande non sono mai pubblicate."
        ),
    ),
)
class ProcedureViewSet(ReadOnly):
    serializer_class = serializers.ProcedureSerializer
    detail_serializer_class = serializers.ProcedureDetailSerializer
    filterset_class = ProcedureFilter
    cursor_ordering = ("-created_at", "-pk")

    def rows(self, user):
        return selectors.procedures(user)

    def detail_rows(self, user):
        return selectors.procedure_detail(user)

    def get_object(self):
        procedure = super().get_object()
        procedure.record = selectors.procedure_record(procedure, self.request.user)
        return procedure


@extend_schema_view(
    list=extend_schema(summary="Piani di zona"),
    retrieve=extend_schema(summary="Un piano di zona con la mappa dei fondi"),
)
class PlanViewSet(ReadOnly):
    serializer_class = serializers.PlanSerializer
    detail_serializer_class = serializers.PlanDetailSerializer
    filterset_class = filters.PlanFilter
    cursor_ordering = ("-start_year", "pk")

    def rows(self, user):
        return selectors.plans(user)

    def get_object(self):
        plan = super().get_object()
        plan.fund_map = selectors.fund_map(plan)
        return plan


@extend_schema_view(
    list=extend_schema(summary="Schede intervento dei piani di zona"),
    retrieve=extend_schema(summary="Una scheda intervento"),
)
class InterventionViewSet(ReadOnly):
    serializer_class = serializers.InterventionSerializer
    filterset_class = filters.InterventionFilter
    cursor_ordering = ("pk",)

    def rows(self, user):
        return selectors.interventions(user)


@extend_schema_view(
    list=extend_schema(
        summary="Eventi",
        parameters=[
            OpenApiParameter(
                "passati", enum=["0", "1"], description="1: eventi conclusi; 0: eventi da venire"
            )
        ],
    ),
    retrieve=extend_schema(summary="Un evento con le sue sessioni"),
)
class EventViewSet(ReadOnly):
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    cursor_ordering = ("starts_at", "pk")

    def rows(self, user):
        return selectors.events(user)


@extend_schema_view(
    list=extend_schema(summary="Notizie"),
    retrieve=extend_schema(summary="Una notizia con il suo testo"),
)
class NewsViewSet(ReadOnly):
    serializer_class = serializers.NewsSerializer
    detail_serializer_class = serializers.NewsDetailSerializer
    filterset_class = filters.NewsFilter
    cursor_ordering = ("-created_at", "-pk")

    def rows(self, user):
        return selectors.news(user)


class SchemaView(ConditionalMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 schema of this API (JSON)."""
