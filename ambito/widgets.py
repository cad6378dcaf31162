"""Comune pickers: never all ~7,900 comuni in a page, a search box (htmx) brings the ones asked."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse, reverse_lazy

from ambito.models import Comune
from core.forms import int_ids


class ComuneSearchSelect(forms.Select):
    """A <select> of comuni that renders only the chosen one: the options come from the search
    box next to it (htmx asks ambito:comune_options), never all ~7,900 comuni at once."""

    template_name = "ambito/widgets/comune_search_select.html"

    def optgroups(self, name, value, attrs=None):
        ids = int_ids(value)  # after a refused POST, the value is whatever was sent
        self.choices = [("", "—")] + [(c.pk, str(c)) for c in Comune.objects.filter(pk__in=ids)]
        return super().optgroups(name, value, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse_lazy("ambito:comune_options")
        return context


class ComuneCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of comuni: those of `area()` and the ones already chosen; a search box adds any
    other comune (htmx asks ambito:comune_checkboxes, which answers checkboxes of the same name)."""

    template_name = "ambito/widgets/comune_checkboxes.html"
    show_codes = False  # each comune's ISTAT code beside its name

    def area(self) -> QuerySet[Comune]:
        """Comuni always offered (none by default)."""
        return Comune.objects.none()

    def optgroups(self, name, value, attrs=None):
        qs = self.area() | Comune.objects.filter(pk__in=int_ids(value))
        self.choices = [
            (c.pk, f"{c} — {c.istat_code}" if self.show_codes else str(c))
            for c in qs.distinct().order_by("name")
        ]
        return super().optgroups(name, value, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        query = urlencode({"name": name, **({"codici": "1"} if self.show_codes else {})})
        context["widget"]["search_url"] = f"{reverse('ambito:comune_checkboxes')}?{query}"
        return context
