"""The pages' own filters (django-filter FilterSets) applied to the API's lists: a bad value is
a 400 with the message of the form field, as the page shows it next to the field. The lists
without a page of their own get filters named like the pages' (`ambito` is an ambito's code)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from ambito.models import Comune
from entities.filters import DirectoryFilter
from entities.models import Entity
from participation.models import Event, News
from plans.models import Intervention, Plan
from tables.models import Meeting, Table

from .. import selectors


class PageFilterBackend(DjangoFilterBackend):
    raise_exception = True


def _by_ambito() -> django_filters.CharFilter:
    return django_filters.CharFilter(
        field_name="ambito__code", label=_("Codice dell'ambito"), max_length=40
    )


class EntityFilter(DirectoryFilter):
    """The directory's filters (search, activity, target group, comune, RUNTS section, legal
    form, kind), and the ambito. The order is the API's (cursor), not the page's."""

    ambito = _by_ambito()
    ambito_by_place = False  # the API filters by any ambito's code, wherever it is called
    ordine = None

    class Meta(DirectoryFilter.Meta):
        model = Entity


class TableFilter(django_filters.FilterSet):
    """The tables list's filter: the ambito (by code)."""

    ambito = _by_ambito()

    class Meta:
        model = Table
        fields: list[str] = []


class MeetingFilter(django_filters.FilterSet):
    tavolo = django_filters.NumberFilter(field_name="table_id", label=_("Tavolo (id)"))
    ambito = django_filters.CharFilter(
        field_name="table__ambito__code", label=_("Codice dell'ambito"), max_length=40
    )

    class Meta:
        model = Meeting
        fields: list[str] = []


class PlanFilter(django_filters.FilterSet):
    ambito = _by_ambito()
    stato = django_filters.ChoiceFilter(
        field_name="status", choices=Plan.Status.choices, label=_("Stato")
    )

    class Meta:
        model = Plan
        fields: list[str] = []


class InterventionFilter(django_filters.FilterSet):
    piano = django_filters.NumberFilter(field_name="plan_id", label=_("Piano (id)"))
    area = django_filters.CharFilter(
        field_name="area__code", label=_("Area di intervento (codice)"), max_length=40
    )

    class Meta:
        model = Intervention
        fields: list[str] = []


class EventFilter(django_filters.FilterSet):
    """The events list's `passati`: 1 the events ended, 0 those to come (the page's default);
    without it, all."""

    ambito = _by_ambito()
    passati = django_filters.ChoiceFilter(
        choices=[("0", _("Prossimi")), ("1", _("Passati"))],
        method="filter_past",
        label=_("Eventi passati"),
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_past(self, queryset, name, value):
        return selectors.upcoming(queryset, past=value == "1")


class NewsFilter(django_filters.FilterSet):
    ambito = _by_ambito()

    class Meta:
        model = News
        fields: list[str] = []


class ComuneFilter(django_filters.FilterSet):
    ambito = django_filters.CharFilter(
        field_name="ambiti__code", label=_("Codice dell'ambito"), max_length=40
    )

    class Meta:
        model = Comune
        fields: list[str] = []
