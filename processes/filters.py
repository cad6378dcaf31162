"""The filters of the procedures list (choices come from what the user may see)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from entities.models import Activity
from processes import workflow
from processes.models import Procedure


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Cerca nel titolo")
    )
    ambito = django_filters.ModelChoiceFilter(
        queryset=Ambito.objects.all(), label=_("Ambito"), empty_label=_("Tutti")
    )
    kind = django_filters.ChoiceFilter(
        choices=Procedure.Kind.choices, label=_("Tipo"), empty_label=_("Tutti")
    )
    status = django_filters.ChoiceFilter(
        choices=[(s, workflow.STATE_LABELS[s]) for s in workflow.ALL_STATES],
        label=_("Stato"),
        empty_label=_("Tutti"),
    )
    activity = django_filters.ModelChoiceFilter(
        field_name="activities",
        queryset=Activity.objects.all(),
        label=_("Attività (art. 5)"),
        empty_label=_("Tutte"),
    )

    class Meta:
        model = Procedure
        fields = ["q", "ambito", "kind", "status", "activity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core.forms import style_widgets

        style_widgets(self.form)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()
