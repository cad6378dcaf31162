from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import FrozenChoices, QuickSelect
from entities.models import TargetGroup
from entities.selectors import directory_choices
from participation.models import LibraryItem, LibraryTag, Proposal


class _Styled:
    """Bootstrap Italia classes on the filter form's widgets."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            from core.forms import style_widgets

            style_widgets(form)
            form._styled = True
        return form


class LibraryFilter(_Styled, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Cerca"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(
        label=_("Tipo"), choices=LibraryItem.Kind.choices, empty_label=_("Tutti")
    )
    level = django_filters.ChoiceFilter(
        label=_("Livello della normativa"),
        choices=LibraryItem.Level.choices,
        empty_label=_("Tutti"),
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Etichetta"),
        field_name="tags",
        queryset=LibraryTag.objects.all(),
        to_field_name="slug",
        empty_label=_("Tutte"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area di utenza"),
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        empty_label=_("Tutte"),
    )

    class Meta:
        model = LibraryItem
        fields = ["q", "kind", "level", "tag", "area"]

    def search(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(source__icontains=word)
                | Q(tags__name__icontains=word)
            )
        return queryset.distinct()


class ProposalFilter(_Styled, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Cerca"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(
        label=_("Stato"),
        choices=Proposal.Status.choices,
        empty_label=_("Tutti"),
        widget=QuickSelect,
    )
    # Options: the cached target groups of the directory's filters, set in __init__.
    area = django_filters.ChoiceFilter(
        label=_("Area"), field_name="area__code", empty_label=_("Tutte"), widget=QuickSelect
    )

    class Meta:
        model = Proposal
        fields = ["q", "status", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].extra["choices"] = FrozenChoices(directory_choices()["target_groups"])

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))


class PublicProposalFilter(ProposalFilter):
    """The public list of an ambito: by area, state and table (its public tables)."""

    table = django_filters.ModelChoiceFilter(
        label=_("Tavolo"), queryset=None, empty_label=_("Tutti"), widget=QuickSelect
    )

    class Meta(ProposalFilter.Meta):
        fields = ["q", "status", "area", "table"]

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        from participation.permissions import citizen_tables

        self.filters["table"].queryset = citizen_tables(ambito).only("id", "name")

    def search(self, queryset, name, value):
        # hidden proposals are not searched by their text: the list shows the reason only
        return queryset.filter(hidden_at__isnull=True).filter(
            Q(title__icontains=value) | Q(text__icontains=value)
        )
