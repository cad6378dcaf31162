"""The filters of the procedures list (choices come from what the user may see)."""

from __future__ import annotations

import functools

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.forms import QuickSelect, style_widgets
from entities.models import Activity
from processes import workflow
from processes.models import Procedure


def _activity_choices() -> list[tuple[int, str]]:
    """The activities as str(Activity) labels them, from plain values (the options of a select
    are read on each request: model instances cost more than the query)."""
    rows = Activity.objects.values_list("pk", "code", "name")  # by code (Meta)
    return [(pk, f"{code}) {name}") for pk, code, name in rows]


def _ambito_choices() -> list[tuple[int, str]]:
    return list(Ambito.objects.values_list("pk", "name"))  # by name (Meta)


# ambito and activity are ChoiceFilters over plain values, not ModelChoiceFilters: the same
# options and the same lookup (the key), without building a model instance per option
class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Cerca nel titolo")
    )
    ambito = django_filters.ChoiceFilter(
        choices=_ambito_choices,
        label=_("Ambito"),
        empty_label=_("Tutti"),
        widget=QuickSelect,
    )
    kind = django_filters.ChoiceFilter(
        choices=Procedure.Kind.choices, label=_("Tipo"), empty_label=_("Tutti"), widget=QuickSelect
    )
    status = django_filters.ChoiceFilter(
        choices=[(s, workflow.STATE_LABELS[s]) for s in workflow.ALL_STATES],
        label=_("Stato"),
        empty_label=_("Tutti"),
        widget=QuickSelect,
    )
    activity = django_filters.ChoiceFilter(
        field_name="activities",
        choices=_activity_choices,
        label=_("Attività (art. 5)"),
        empty_label=_("Tutte"),
        widget=QuickSelect,
    )

    class Meta:
        model = Procedure
        fields = ["q", "ambito", "kind", "status", "activity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.form)
        # read once per request, when first needed (the select, or checking a chosen value)
        for name, choices in (("ambito", _ambito_choices), ("activity", _activity_choices)):
            self.form.fields[name].choices = functools.cache(choices)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()
