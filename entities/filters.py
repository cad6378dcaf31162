"""The public directory's filters (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.models import Comune
from core.forms import PortalForm
from entities import selectors
from entities.models import Activity, Entity, TargetGroup


class DirectoryFilterForm(PortalForm):
    pass


def _operating_comuni(request):
    return (
        Comune.objects.filter(operating_entities__status=Entity.Status.VERIFIED)
        .distinct()
        .order_by("name")
    )


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Cerca per nome o descrizione"), method="filter_q")
    attivita = django_filters.ModelChoiceFilter(
        label=_("Attività (art. 5)"),
        field_name="activities",
        queryset=Activity.objects.all(),
        to_field_name="code",
        empty_label=_("Tutte"),
    )
    utenza = django_filters.ModelChoiceFilter(
        label=_("Area di utenza"),
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        to_field_name="code",
        empty_label=_("Tutte"),
    )
    comune = django_filters.ModelChoiceFilter(
        label=_("Comune in cui opera"),
        field_name="operating_comuni",
        queryset=_operating_comuni,
        to_field_name="istat_code",
        empty_label=_("Tutti"),
    )
    sezione = django_filters.ChoiceFilter(
        label=_("Sezione RUNTS"),
        field_name="runts_section",
        choices=Entity.RunstSection.choices,
        empty_label=_("Tutte"),
    )
    forma = django_filters.ChoiceFilter(
        label=_("Forma giuridica"),
        field_name="legal_form",
        choices=Entity.LegalForm.choices,
        empty_label=_("Tutte"),
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
    )

    class Meta:
        model = Entity
        fields: list[str] = []
        form = DirectoryFilterForm

    def filter_q(self, queryset, name, value):
        return selectors.search(queryset, value)

    @property
    def qs(self):
        qs = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("ordine"):
            # Best matches first when searching (PostgreSQL ranks them), else alphabetical.
            qs = (
                qs.order_by("-rank", "name", "pk")
                if "rank" in qs.query.annotations
                else qs.order_by("name", "pk")
            )
        return qs


def active_filters(filterset: DirectoryFilter) -> bool:
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    return any(v for k, v in data.items() if k != "ordine")


__all__ = ["DirectoryFilter", "forms"]
