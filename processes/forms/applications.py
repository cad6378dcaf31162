"""Forms of applications: the domanda and its budget, documents, decisions, 10-bis, soccorso istruttorio, accreditation changes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import (
    CheckboxGrid,
    DateTimeInput,
    PortalForm,
    style_widgets,
)
from entities.models import Entity
from processes.models import (
    DOCUMENT_VALIDATOR,
    AccreditationEvent,
    Declaration,
    ExclusionNotice,
)


class ApplicationForm(PortalForm):
    declarations = forms.MultipleChoiceField(
        label=_("Dichiarazioni sostitutive (D.P.R. 445/2000)"),
        choices=Declaration.choices,
        widget=CheckboxGrid,
        required=False,
        help_text=_("Per presentare la domanda vanno spuntate tutte."),
    )
    proposal = forms.CharField(
        label=_("Proposta progettuale"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner"),
        queryset=Entity.objects.none(),
        required=False,
        help_text=_("Altri enti che partecipano con voi."),
    )
    lead_entity = forms.ModelChoiceField(
        label=_("Capofila"),
        queryset=Entity.objects.none(),
        required=False,
        empty_label=_("Il nostro ente"),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        others = (
            Entity.objects.filter(status=Entity.Status.VERIFIED)
            .exclude(pk=application.entity_id)
            .order_by("name")
        )
        self.fields["partners"].queryset = others
        self.fields["partners"].widget.attrs["size"] = 8
        self.fields["lead_entity"].queryset = others
        if not application.procedure.is_codesign:
            for name in ("proposal", "partners", "lead_entity"):
                del self.fields[name]
        style_widgets(self)

    def clean(self):
        data = super().clean()
        lead = data.get("lead_entity")
        if lead and lead not in (data.get("partners") or []):
            self.add_error(
                "lead_entity",
                _("Il capofila deve essere tra i partner (oppure lascia il vostro ente)."),
            )
        return data


class BudgetLineForm(PortalForm):
    description = forms.CharField(label=_("Voce di spesa"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Importo (€)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    cofinancing = forms.DecimalField(
        label=_("Di cui cofinanziamento (€)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("description") and data.get("amount") is None:
            self.add_error("amount", _("Indica l'importo."))
        if (data.get("cofinancing") or 0) > (data.get("amount") or 0):
            self.add_error("cofinancing", _("Il cofinanziamento non può superare l'importo."))
        return data


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=0, min_num=5, max_num=30)


class DocumentForm(PortalForm):
    title = forms.CharField(label=_("Descrizione del documento"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )
    is_declaration = forms.BooleanField(
        label=_(
            "È la dichiarazione sostitutiva (D.P.R. 445/2000) firmata digitalmente dal legale "
            "rappresentante"
        ),
        required=False,
    )


class DecisionForm(PortalForm):
    """Admission. An exclusion goes through ExclusionNoticeForm (art. 10-bis) instead."""

    reason = forms.CharField(
        label=_("Nota sull'ammissione (facoltativa)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ExclusionNoticeForm(PortalForm):
    reasons = forms.CharField(
        label=_("Motivi che impediscono di accogliere la domanda"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Saranno comunicati all'ente, che potrà presentare osservazioni."),
    )
    term_days = forms.IntegerField(
        label=_("Termine per le osservazioni (giorni)"),
        min_value=ExclusionNotice.TERM_DAYS,
        max_value=60,
        initial=ExclusionNotice.TERM_DAYS,
        help_text=_(
            "Almeno 10 giorni (art. 10-bis L. 241/1990), fino alla fine dell'ultimo giorno."
        ),
    )


class ObservationsForm(PortalForm):
    observations = forms.CharField(
        label=_("Osservazioni dell'ente"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    title = forms.CharField(label=_("Descrizione del documento"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Documento (facoltativo)"),
        required=False,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )


class ExclusionDecisionForm(PortalForm):
    motivation = forms.CharField(
        label=_("Motivazione"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "Dai conto delle osservazioni dell'ente, o della loro mancanza: la motivazione sarà "
            "comunicata all'ente e pubblicata con l'esito."
        ),
    )


class IntegrationRequestForm(PortalForm):
    message = forms.CharField(
        label=_("Documento o chiarimento richiesto"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateTimeField(
        label=_("Termine per rispondere"),
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise ValidationError(_("Il termine deve essere nel futuro."))
        return deadline


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Motivo (facoltativo)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    confirm = forms.BooleanField(
        label=_(
            "Ho capito: la domanda torna in bozza e, per partecipare, va presentata di nuovo "
            "entro il termine."
        ),
        error_messages={"required": _("Conferma di voler ritirare la domanda.")},
    )


class IntegrationAnswerForm(PortalForm):
    answer = forms.CharField(label=_("Risposta"), widget=forms.Textarea(attrs={"rows": 3}))
    title = forms.CharField(label=_("Descrizione del documento"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Documento"),
        required=False,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )


class AccreditationChangeForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("Variazione"),
        choices=[
            (k.value, k.label)
            for k in (
                AccreditationEvent.Kind.SUSPENDED,
                AccreditationEvent.Kind.REINSTATED,
                AccreditationEvent.Kind.REMOVED,
            )
        ],
    )
    reason = forms.CharField(
        label=_("Motivazione"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Pubblica nell'elenco e comunicata all'ente."),
    )
