"""Forms of a procedure and its avviso: data, criteria, moves, cancellation, reopening."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.selectors import rup_candidates
from core.forms import (
    CheckboxGrid,
    DateInput,
    DateTimeInput,
    PortalForm,
    PortalModelForm,
    RadioGrid,
    style_widgets,
)
from entities.models import Entity
from processes.models import (
    Notice,
    Procedure,
)
from tables.models import Table

CUP_RE = re.compile(r"^[A-Z0-9]{15}$")


class ProcedureForm(PortalModelForm):
    class Meta:
        model = Procedure
        fields = [
            "kind",
            "title",
            "subject",
            "activities",
            "target_groups",
            "rup",
            "origin",
            "requesting_entity",
            "request_document",
            "budget",
            "duration_months",
            "cup",
            "legal_basis",
            "accreditation_list",
            "declaration_proof",
            "tables",
        ]
        widgets = {
            "activities": CheckboxGrid,
            "target_groups": CheckboxGrid,
            "tables": CheckboxGrid,
            "origin": RadioGrid,
            "declaration_proof": RadioGrid,
            "subject": forms.Textarea(attrs={"rows": 4}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "cup": _(
                "Codice unico di progetto: 15 caratteri, obbligatorio per la co-progettazione finanziata."
            ),
            "legal_basis": _(
                "Il piano (per esempio il Piano di Zona) o l'atto di programmazione su cui si fonda."
            ),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        # staff of the ambito whose role allows it (and the RUP already named)
        self.fields["rup"].queryset = rup_candidates(ambito, keep=self.instance.rup_id)
        self.fields["rup"].required = True
        self.fields["requesting_entity"].queryset = Entity.objects.filter(
            ambito=ambito, status=Entity.Status.VERIFIED
        )
        self.fields["tables"].queryset = Table.objects.filter(
            ambito=ambito, archived_at__isnull=True
        )
        self.fields["activities"].required = True
        self.fields["accreditation_list"].queryset = Procedure.objects.filter(
            ambito=ambito, kind=Procedure.Kind.ACCREDITATION, status="notice_published"
        ).order_by("title")
        # A post without a choice keeps the procedure's (the default for a new one).
        self.fields["declaration_proof"].required = False
        if self.instance.pk and self.instance.is_public:
            for name in ("kind", "accreditation_list", "declaration_proof"):  # the avviso says so
                self.fields[name].disabled = True
            self.fields["kind"].help_text = _(
                "Il tipo non si cambia dopo la pubblicazione dell'avviso."
            )
            self.fields["declaration_proof"].help_text = _(
                "Annunciata dall'avviso pubblicato: non si cambia dopo la pubblicazione "
                "dell'avviso."
            )
            self.fields["accreditation_list"].queryset = Procedure.objects.filter(
                pk=self.instance.accreditation_list_id
            )
        style_widgets(self)

    def clean_declaration_proof(self):
        return self.cleaned_data.get("declaration_proof") or self.instance.declaration_proof

    def clean_cup(self):
        cup = (self.cleaned_data.get("cup") or "").strip().upper()
        if cup and not CUP_RE.match(cup):
            raise ValidationError(_("Il CUP ha 15 caratteri, lettere e cifre."))
        return cup

    def clean(self):
        data = super().clean()
        if data.get("origin") == Procedure.Origin.ENTITY_REQUEST:
            if not data.get("requesting_entity"):
                self.add_error("requesting_entity", _("Indica l'ente che ha chiesto l'avvio."))
            if not data.get("request_document") and not (
                self.instance and self.instance.request_document
            ):
                self.add_error("request_document", _("Allega l'istanza dell'ente."))
        if data.get("kind") == Procedure.Kind.CODESIGN:
            for name, message in (
                ("budget", _("Indica le risorse messe a disposizione.")),
                ("duration_months", _("Indica la durata del progetto.")),
                ("legal_basis", _("Indica il piano o l'atto su cui si fonda la co-progettazione.")),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        elif data.get("accreditation_list"):
            self.add_error(
                "accreditation_list", _("Solo una co-progettazione attinge a un elenco.")
            )
        return data


class NoticeForm(PortalModelForm):
    class Meta:
        model = Notice
        fields = [
            "subject",
            "requirements",
            "documents_required",
            "deadline",
            "admission_threshold",
            "correction_note",
        ]
        widgets = {
            "deadline": DateTimeInput,
            "subject": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "documents_required": forms.Textarea(attrs={"rows": 3}),
            "correction_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, procedure: Procedure, correction: bool, locked_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        deadline = cast(forms.DateTimeField, self.fields["deadline"])
        deadline.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        if procedure.is_open_list:
            deadline.label = _("Elenco aperto fino al (facoltativo)")
            deadline.help_text = _(
                "Vuoto: l'elenco resta aperto finché non lo chiudi. Data e ora in ora italiana."
            )
        else:
            deadline.required = True
        if not procedure.is_codesign:
            del self.fields["admission_threshold"]
        if not correction:
            del self.fields["correction_note"]
        else:
            self.fields["correction_note"].required = True
        if locked_at is not None:
            note = _("Bloccato dalla prima domanda presentata (%(d)s).") % {
                "d": timezone.localtime(locked_at).strftime("%d/%m/%Y %H:%M")
            }
            for name in ("requirements", "documents_required", "admission_threshold"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = note
        style_widgets(self)

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline is not None and deadline <= timezone.now():
            raise ValidationError(_("Il termine deve essere nel futuro."))
        return deadline


class CriterionForm(PortalForm):
    name = forms.CharField(label=_("Criterio"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("Peso"), min_value=1, max_value=100, required=False)
    description = forms.CharField(label=_("Descrizione"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("weight"):
            self.add_error("weight", _("Indica il peso del criterio."))
        if data.get("weight") and not data.get("name"):
            self.add_error("name", _("Indica il nome del criterio."))
        return data


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        weights = [f.cleaned_data["weight"] for f in self.forms if f.cleaned_data.get("name")]
        if weights and sum(weights) != 100:
            raise ValidationError(
                _("I pesi dei criteri devono sommare a 100: ora sommano a %(n)d.")
                % {"n": sum(weights)}
            )


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriterionFormSet, extra=0, min_num=6, max_num=12
)


class TransitionForm(PortalForm):
    target = forms.CharField(widget=forms.HiddenInput)
    act_reference = forms.CharField(
        label=_("Atto (facoltativo)"),
        max_length=200,
        required=False,
        help_text=_("Per esempio: determina n. 45."),
    )
    act_date = forms.DateField(label=_("Data dell'atto"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("Nota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(PortalForm):
    reason = forms.CharField(
        label=_("Motivo dell'annullamento"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sarà pubblicato sulla pagina del procedimento."),
    )


class ReopenForm(PortalForm):
    until = forms.DateTimeField(
        label=_("Nuovo termine"),
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    reason = forms.CharField(label=_("Motivazione"), widget=forms.Textarea(attrs={"rows": 3}))
