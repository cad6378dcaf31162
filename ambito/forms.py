"""Forms of ambito/: a new ambito, and the staff roles of an ambito."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune, StaffRole
from ambito.widgets import ComuneCheckboxes, ComuneSearchSelect
from core.forms import PortalForm, PortalModelForm, RadioGrid


class ComuniPicker(ComuneCheckboxes):
    show_codes = True


def comuni_by_istat_code(text: str) -> list[Comune]:
    """The comuni of a list of ISTAT codes (six digits each, separated by spaces, commas or
    lines); an unknown or malformed code is an error that names it."""
    codes = [c for c in re.split(r"[\s,;]+", text.strip()) if c]
    malformed = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
    if malformed:
        raise ValidationError(
            _("Non sono codici ISTAT (sei cifre): %(codes)s"),
            params={"codes": ", ".join(malformed)},
        )
    found = {c.istat_code: c for c in Comune.objects.filter(istat_code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            _(
                "Codici ISTAT che non sono nell'elenco dei comuni: %(codes)s. Controlla il codice "
                "o aggiorna l'elenco con manage.py import_comuni."
            ),
            params={"codes": ", ".join(unknown)},
        )
    return [found[c] for c in dict.fromkeys(codes)]


class AmbitoForm(PortalModelForm):
    """A superuser creates an ambito: its comuni (picked, or pasted as ISTAT codes), the ente
    capofila, and the address of its first coordinator."""

    istat_codes = forms.CharField(
        label=_("Oppure incolla i codici ISTAT dei comuni"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Sei cifre ciascuno, separati da spazi, virgole o a capo (per esempio 041044)."
        ),
    )
    coordinator_email = forms.EmailField(
        label=_("E-mail del coordinatore dell'Ufficio di Piano"),
        help_text=_(
            "Riceve l'invito: con questo indirizzo accede, o crea il suo account, e diventa "
            "coordinatore; poi gestisce da sé gli altri ruoli dell'ambito."
        ),
    )

    class Meta:
        model = Ambito
        fields = ["name", "code", "lead_comune", "comuni"]
        widgets = {"lead_comune": ComuneSearchSelect, "comuni": ComuniPicker}
        labels = {"comuni": _("Comuni dell'ambito")}
        help_texts = {
            "lead_comune": _("Scrivi le prime lettere e scegli il comune dall'elenco."),
            "comuni": _(
                "Cerca i comuni per nome o codice ISTAT e spunta quelli dell'ambito; l'ente "
                "capofila vi è compreso comunque."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comuni"].required = False
        self.fields["comuni"].queryset = Comune.objects.all()

    def clean_istat_codes(self) -> list[Comune]:
        return comuni_by_istat_code(self.cleaned_data.get("istat_codes") or "")

    def clean(self):
        data = super().clean()
        members = [*(data.get("comuni") or []), *(data.get("istat_codes") or [])]
        if not members and not self.has_error("istat_codes"):
            self.add_error("comuni", _("Indica almeno un comune dell'ambito."))
        data["members"] = list({c.pk: c for c in members}.values())
        return data


class StaffRoleForm(PortalForm):
    """A role of the ambito: given by invitation, or changed. `roles` are those the user may
    give; `comuni` the comuni they may give the comune role in."""

    role = forms.ChoiceField(label=_("Ruolo"), widget=RadioGrid)
    comune = forms.ModelChoiceField(
        label=_("Comune"),
        queryset=Comune.objects.none(),
        required=False,
        help_text=_("Solo per i servizi sociali di un comune."),
        error_messages={"invalid_choice": _("Scegli uno dei comuni dell'ambito.")},
    )
    job_title = forms.CharField(label=_("Qualifica"), max_length=120, required=False)
    rup_eligible = forms.BooleanField(
        label=StaffRole._meta.get_field("rup_eligible").verbose_name.capitalize(),
        help_text=StaffRole._meta.get_field("rup_eligible").help_text,
        required=False,
        initial=True,
    )

    def __init__(self, *args, roles: list[str], comuni, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(StaffRole.Role.choices)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [(r, labels[r]) for r in roles]
        if len(roles) == 1:
            role.initial = roles[0]
        cast(forms.ModelChoiceField, self.fields["comune"]).queryset = comuni

    def clean(self):
        data = super().clean()
        if (
            data.get("role") == StaffRole.Role.COMUNE
            and not data.get("comune")
            and not self.has_error("comune")
        ):
            self.add_error("comune", _("Scegli il comune."))
        if data.get("role") and data["role"] != StaffRole.Role.COMUNE:
            data["comune"] = None
        return data


class StaffInvitationForm(StaffRoleForm):
    email = forms.EmailField(label=_("E-mail della persona da invitare"))
    field_order = ["email", "role", "comune", "job_title", "rup_eligible"]
