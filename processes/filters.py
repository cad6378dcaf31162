"""The filters of the procedures list (choices come from what the user may see)."""

from __future__ import annotations

import functools

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from ambito.models import Ambito
from core.forms import QuickSelect, style_widgets
from core.http import without_page
from core.prepared import Prepared
from core.templatetags.memo import remembered
from entities.models import Activity
from processes import workflow
from processes.models import Procedure


def _activity_choices() -> list[tuple[int, str]]:
    """The activities as str(Activity) labels them, from plain values (the options of a select
    are read on each request: model instances cost more than the query)."""
    return [(pk, f"{code}) {name}") for pk, code, name in _ACTIVITIES.run()]


_ACTIVITIES = Prepared(lambda: Activity.objects.values_list("pk", "code", "name"))  # by code


def _ambito_choices() -> list[tuple[int, str]]:
    return _AMBITI.run()


_AMBITI = Prepared(lambda: Ambito.objects.order_by("name").values_list("pk", "name"))


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

    def __init__(
        self,
        *args,
        ambiti: list[tuple[int, str]] | None = None,
        by_ambito: bool = True,
        activities: list[tuple[int, str]] | None = None,
        **kwargs,
    ):
        """`ambiti`: the (key, name) of the ambiti to offer (the regional list: those with
        procedures the visitor sees), every ambito when None; `by_ambito` False: no ambito to
        choose (inside one); `activities`: their choices, when the caller has read them."""
        super().__init__(*args, **kwargs)
        if not by_ambito:
            del self.filters["ambito"]  # before the form is built from the filters
        style_widgets(self.form)
        ambito_choices = _ambito_choices if ambiti is None else functools.partial(list, ambiti)
        activity_choices = (
            _activity_choices if activities is None else functools.partial(list, activities)
        )
        # read once per request, when first needed (the select, or checking a chosen value)
        for name, choices in (("ambito", ambito_choices), ("activity", activity_choices)):
            if name in self.form.fields:
                self.form.fields[name].choices = functools.cache(choices)

    @classmethod
    def form_html(
        cls, data: QueryDict, *, ambiti: list[tuple[int, str]] | None, by_ambito: bool
    ) -> SafeString:
        """The filter's fields for the query string `data` (its page aside), rendered once for
        every visitor who asks the same with the same options (memo.remembered)."""
        chosen = without_page(data)
        offered = (_ambito_choices() if ambiti is None else ambiti) if by_ambito else []
        activities = _activity_choices()

        def render() -> SafeString:
            form = cls(
                chosen or None,
                queryset=Procedure.objects.none(),
                ambiti=offered,
                by_ambito=by_ambito,
                activities=activities,
            ).form
            return render_to_string("processes/partials/filter_fields.html", {"form": form})

        return remembered(
            "processes.ProcedureFilter.form",
            [sorted(chosen.lists()), offered, activities, by_ambito],
            render,
        )

    def filter_queryset(self, queryset):
        return self.apply(queryset, self._filled())

    def _filled(self) -> dict:
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }

    def chosen(self) -> dict[str, int | str]:
        """What the visitor filtered by (none when the form is unbound or invalid), the keys of
        ambito and activity as integers: the arguments of selectors.procedure_rows."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {
            name: int(value) if name in ("ambito", "activity") else value
            for name, value in self._filled().items()
        }

    @classmethod
    def apply(cls, queryset: QuerySet, chosen: dict) -> QuerySet:
        """`queryset` filtered by the non-empty values `chosen` (distinct: an activity joins)."""
        for name, value in chosen.items():
            queryset = cls.base_filters[name].filter(queryset, value)
        return queryset.distinct()
