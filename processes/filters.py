"""The filters of the procedures list (choices come from what the user may see)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.forms import QuickSelect, style_widgets
from entities.models import Activity
from processes import workflow
from processes.models import Procedure


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Cerca nel titolo")
    )
    ambito = django_filters.ModelChoiceFilter(
        queryset=Ambito.objects.all(), label=_("Ambito"), empty_label=_("Tutti"), widget=QuickSelect
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
    activity = django_filters.ModelChoiceFilter(
        field_name="activities",
        queryset=Activity.objects.all(),
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

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()
