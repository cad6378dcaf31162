"""The widgets and lookups of the entity import: codes, choices, Italian dates, counts and the
comuni, read once per import (see entities.resources.entity)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from import_export import widgets
from import_export.instance_loaders import CachedInstanceLoader

from ambito.models import Comune
from entities.models import Activity, Entity, TargetGroup
from entities.validators import normalise_code

if TYPE_CHECKING:
    from entities.resources.entity import EntityResource


LIST_SEPARATORS = (",", ";", "|")


def split_list(value) -> list[str]:
    text = "" if value is None else str(value)
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [v.strip() for v in text.split(",") if v.strip()]


class TaxCodeWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalise_code(value)


class ChoiceWidget(widgets.CharWidget):
    """A choice given by its code or by its label (case-insensitive)."""

    def __init__(self, choices, message: str, allow_blank: bool = False):
        super().__init__()
        self.lookup = {}
        for code, label in choices:
            self.lookup[str(code).lower()] = code
            self.lookup[str(label).lower()] = code
        self.message = message
        self.allow_blank = allow_blank

    def clean(self, value, row=None, **kwargs):
        text = ("" if value is None else str(value)).strip().lower()
        if not text:
            if self.allow_blank:
                return ""
            raise ValueError(self.message % {"value": ""})
        if text not in self.lookup:
            raise ValueError(self.message % {"value": value})
        return self.lookup[text]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ItalianDateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(str(value).strip(), fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
        raise ValueError(
            _("Data non valida «%(value)s»: usa il formato GG/MM/AAAA.") % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return 0
        try:
            number = int(float(str(value).strip()))
        except ValueError as exc:
            raise ValueError(_("«%(value)s» non è un numero intero.") % {"value": value}) from exc
        if number < 0:
            raise ValueError(_("Il numero non può essere negativo."))
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class Lookups:
    """Everything the rows refer to, read once per import."""

    def __init__(self):
        self.comuni_by_code: dict[str, Comune] = {}
        self.comuni_by_name: dict[str, list[Comune]] = defaultdict(list)
        for c in Comune.objects.only("pk", "istat_code", "name", "province_code"):
            self.comuni_by_code[c.istat_code] = c
            self.comuni_by_name[c.name.lower()].append(c)
        self.activities = {a.code: a for a in Activity.objects.all()}
        self.target_groups = {}
        for t in TargetGroup.objects.all():
            self.target_groups[t.code] = t
            self.target_groups[t.name.lower()] = t
        # RUNTS number -> (tax code, ambito id) of the entity that holds it
        self.runts_numbers = {
            number: (code, ambito_id)
            for number, code, ambito_id in Entity.objects.exclude(
                runts_number__isnull=True
            ).values_list("runts_number", "tax_code", "ambito_id")
        }

    def comune(self, value) -> Comune:
        text = ("" if value is None else str(value)).strip()
        if text.isdigit():
            text = text.zfill(6)
            if text in self.comuni_by_code:
                return self.comuni_by_code[text]
        else:
            name = text.lower()
            if "(" in name:  # "Fano (PU)"
                name, _sep, prov = name.partition("(")
                name, prov = name.strip(), prov.strip(" )").upper()
                matches = [c for c in self.comuni_by_name.get(name, []) if c.province_code == prov]
            else:
                matches = self.comuni_by_name.get(name, [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValueError(
                    _("Il nome «%(value)s» corrisponde a più comuni: usa il codice ISTAT.")
                    % {"value": text}
                )
        raise ValueError(
            _("Comune sconosciuto: «%(value)s» (usa il codice ISTAT o il nome esatto).")
            % {"value": text}
        )


class ComuneWidget(widgets.Widget):
    def __init__(self, resource: EntityResource):
        super().__init__()
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("Manca il comune della sede legale."))
        return self.resource.lookups.comune(value)

    def render(self, value, obj=None, **kwargs):
        return value.istat_code if value else ""


class M2MExportWidget(widgets.Widget):
    def __init__(self, attr: str):
        super().__init__()
        self.attr = attr

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(getattr(o, self.attr) for o in value.all())


class ImportableInstanceLoader(CachedInstanceLoader):
    """CachedInstanceLoader limited to the entities the importer may update: another ambito's
    entity is never loaded, so nothing of it reaches the dry run. The file's tax codes that
    belong to such entities are handed to the resource, which refuses their rows."""

    def get_queryset(self):
        return self.resource.updatable(super().get_queryset()).select_related("seat_comune")

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        codes = set()
        if self.dataset.dict and self.pk_field.column_name in self.dataset.dict[0]:
            codes = {self.pk_field.clean(row) for row in self.dataset.dict}
        codes -= set(self.all_instances)
        resource.refused_tax_codes = set(
            Entity.objects.filter(tax_code__in=codes).values_list("tax_code", flat=True)
        )
