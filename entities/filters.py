"""The public directory's filters (django-filter)."""

from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ambito import routing
from ambito import selectors as ambito_selectors
from core.forms import FrozenChoices, PortalForm, QuickSelect
from core.http import without_page
from core.prepared import Prepared, Rows
from core.templatetags.memo import remembered
from entities import selectors
from entities.models import Entity, EntityQuerySet


class DirectoryFilterForm(PortalForm):
    pass


Sources = tuple[list[tuple[str, str]] | None, dict[str, list[tuple[str, str]]]]


class DirectoryFilter(django_filters.FilterSet):
    """Inside an ambito (its URL prefix) the directory lists that ambito's bodies; on a regional
    portal's own pages it lists every ambito's, with an "Ambito" filter."""

    # The directory page offers the ambito as a choice on a regional portal's own pages only.
    ambito_by_place = True
    q = django_filters.CharFilter(label=_("Cerca per nome o descrizione"), method="filter_q")
    ambito = django_filters.ChoiceFilter(
        label=_("Ambito"), field_name="ambito__code", empty_label=_("Tutti"), widget=QuickSelect
    )
    # Options from selectors.directory_choices (cached), set in __init__.
    attivita = django_filters.ChoiceFilter(
        label=_("Attività (art. 5)"),
        field_name="activities__code",
        empty_label=_("Tutte"),
        widget=QuickSelect,
    )
    utenza = django_filters.ChoiceFilter(
        label=_("Area di utenza"),
        field_name="target_groups__code",
        empty_label=_("Tutte"),
        widget=QuickSelect,
    )
    comune = django_filters.ChoiceFilter(
        label=_("Comune in cui opera"),
        field_name="operating_comuni__istat_code",
        empty_label=_("Tutti"),
        widget=QuickSelect,
    )
    sezione = django_filters.ChoiceFilter(
        label=_("Sezione RUNTS"),
        field_name="runts_section",
        choices=Entity.RunstSection.choices,
        empty_label=_("Tutte"),
        widget=QuickSelect,
    )
    forma = django_filters.ChoiceFilter(
        label=_("Forma giuridica"),
        field_name="legal_form",
        choices=Entity.LegalForm.choices,
        empty_label=_("Tutte"),
        widget=QuickSelect,
    )
    tipo = django_filters.ChoiceFilter(
        label=_("Tipo di soggetto"),
        choices=[
            ("non_ets", _("Partecipanti non ETS (sindacati, scuole, gruppi informali...)")),
            ("tutti", _("Tutti")),
        ],
        empty_label=_("Enti del Terzo settore"),  # the default: see qs
        method="filter_kind",
        widget=QuickSelect,
    )
    ordine = django_filters.OrderingFilter(
        label=_("Ordina per"),
        fields=(
            ("name", "nome"),
            ("seat_comune__name", "comune"),
            ("volunteers", "volontari"),
            ("created_at", "data"),
        ),
        choices=[
            ("nome", _("Nome (A-Z)")),
            ("-nome", _("Nome (Z-A)")),
            ("comune", _("Comune della sede")),
            ("-volontari", _("Più volontari")),
            ("-data", _("Iscritti di recente")),
        ],
        empty_label=None,
        widget=QuickSelect,
    )

    class Meta:
        model = Entity
        fields: list[str] = []
        form = DirectoryFilterForm

    def __init__(self, *args, queryset=None, sources: Sources | None = None, **kwargs):
        """`sources`: what `sources()` returns, when the caller has read it."""
        here = routing.place().pk
        if here is not None and queryset is not None:
            queryset = queryset.filter(ambito_id=here)
        super().__init__(*args, queryset=queryset, **kwargs)
        ambiti, choices = sources or self.sources()
        if ambiti is not None:
            self.filters["ambito"].extra["choices"] = ambiti
        elif self.ambito_by_place:
            del self.filters["ambito"]
        for name, key in (
            ("attivita", "activities"),
            ("utenza", "target_groups"),
            ("comune", "comuni"),
        ):
            self.filters[name].extra["choices"] = FrozenChoices(choices[key])

    @classmethod
    def sources(cls) -> Sources:
        """What the form's options come from: the ambiti to choose from (on a regional portal's
        own pages; None: no ambito to choose) and selectors.directory_choices()."""
        ambiti = None
        if cls.ambito_by_place and routing.place().pk is None and routing.is_regional():
            ambiti = [(a.code, a.name) for a in ambito_selectors.ambiti_named()]
        return ambiti, selectors.directory_choices()

    @classmethod
    def form_html(cls, data: QueryDict, sources: Sources) -> SafeString:
        """The filter form for the query string `data` (its page aside), rendered once for
        every visitor who asks the same with the same options (memo.remembered: building the
        form set and its eight selects cost a third of the directory page)."""
        chosen = without_page(data)
        return remembered(
            "entities.DirectoryFilter.form",
            [sorted(chosen.lists()), sources],
            lambda: cls(chosen or None, sources=sources).form.render(),
        )

    def filter_q(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_kind(self, queryset, name, value):
        return queryset.non_ets() if value == "non_ets" else queryset

    @property
    def qs(self):
        qs = super().qs
        chosen = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        if not (chosen.get("tipo") or chosen.get("forma")):
            qs = qs.ets()  # by default the directory lists enti del Terzo settore (a legal form
            # chosen says which kind it wants)
        if not getattr(self.form, "cleaned_data", {}).get("ordine"):
            # Best matches first when searching (PostgreSQL ranks them), else alphabetical.
            qs = (
                qs.order_by("-rank", "name", "pk")
                if "rank" in qs.query.annotations
                else qs.order_by("name", "pk")
            )
        return qs

    @staticmethod
    def unfiltered_rows(place_id: int | None) -> Rows[Entity]:
        """The rows of `qs` when nothing is chosen (the directory as first opened, and its
        pages), inside the ambito `place_id` if given, compiled once (core.prepared)."""
        return Rows(_UNFILTERED, place_id=place_id)


def _unfiltered(*, place_id: int | None):
    # what DirectoryFilter(queryset=...).qs is with nothing chosen
    qs = cast(EntityQuerySet, selectors.directory_entities(prefetch=False))
    if place_id is not None:
        qs = qs.filter(ambito_id=place_id)
    return qs.ets().order_by("name", "pk")


_UNFILTERED = Prepared(_unfiltered)


def active_filters(filterset: DirectoryFilter) -> bool:
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    return any(v for k, v in data.items() if k != "ordine")


__all__ = ["DirectoryFilter", "forms"]
