"""Forms of the procedures: Bootstrap Italia markup through core.forms, errors next to fields."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.funds import FUND_CHOICES
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
from core.models import User
from entities.models import Entity
from processes.models import (
    DOCUMENT_VALIDATOR,
    AccreditationEvent,
    Agreement,
    CommissionMember,
    Declaration,
    ExclusionNotice,
    Notice,
    OutcomeDocument,
    Procedure,
    Report,
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
            "tables",
        ]
        widgets = {
            "activities": CheckboxGrid,
            "target_groups": CheckboxGrid,
            "tables": CheckboxGrid,
            "origin": RadioGrid,
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
        if self.instance.pk and self.instance.status not in ("draft", "started"):
            for name in ("kind", "accreditation_list"):  # the avviso was published on them
                self.fields[name].disabled = True
            self.fields["kind"].help_text = _(
                "Il tipo non si cambia dopo la pubblicazione dell'avviso."
            )
            self.fields["accreditation_list"].queryset = Procedure.objects.filter(
                pk=self.instance.accreditation_list_id
            )
        style_widgets(self)

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
        deadline = self.fields["deadline"]
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


class CommissionMemberForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail della persona"),
        help_text=_("La persona deve avere un account sul portale."),
    )
    role = forms.ChoiceField(label=_("Ruolo"), choices=CommissionMember.Role.choices)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(_("Nessun account con questa e-mail."))
        self.user = user
        return email


class ScoreForm(PortalForm):
    def __init__(self, *args, criteria, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for c in criteria:
            score = existing.get(c.pk)
            self.fields[f"c{c.pk}"] = forms.DecimalField(
                label=_("%(name)s (peso %(w)d): punteggio da 0 a 10")
                % {"name": c.name, "w": c.weight},
                min_value=Decimal(0),
                max_value=Decimal(10),
                decimal_places=2,
                initial=score.value if score else None,
                help_text=c.description,
            )
            self.fields[f"n{c.pk}"] = forms.CharField(
                label=_("Motivazione per «%(name)s»") % {"name": c.name},
                required=False,
                max_length=500,
                initial=score.note if score else "",
            )
        style_widgets(self)

    def values(self, criteria) -> dict[int, tuple[Decimal, str]]:
        return {
            c.pk: (self.cleaned_data[f"c{c.pk}"], self.cleaned_data.get(f"n{c.pk}", ""))
            for c in criteria
        }


class OutcomeDocumentForm(PortalModelForm):
    class Meta:
        model = OutcomeDocument
        fields = ["kind", "title", "summary", "act_reference", "act_date", "file"]
        widgets = {"act_date": DateInput, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, procedure: Procedure, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = (
            [OutcomeDocument.Kind.SINTESI]
            if procedure.kind == Procedure.Kind.COPROGRAMMING
            else [
                OutcomeDocument.Kind.FINAL_PROJECT,
                OutcomeDocument.Kind.APPROVAL,
                OutcomeDocument.Kind.RANKING_ACT,
            ]
        )
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds] + [
            (OutcomeDocument.Kind.OTHER.value, OutcomeDocument.Kind.OTHER.label)
        ]
        style_widgets(self)


class ProjectBudgetLineForm(PortalForm):
    entity = forms.ModelChoiceField(
        label=_("Parte"),
        queryset=Entity.objects.none(),
        required=False,
        empty_label=_("Ambito (ente pubblico)"),
    )
    fund = forms.ChoiceField(label=_("Fonte"), choices=[("", "—"), *FUND_CHOICES], required=False)
    description = forms.CharField(label=_("Voce"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Importo (€)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields["entity"].queryset = parties
            style_widgets(self)

    def clean(self):
        data = super().clean()
        if data.get("description"):
            if data.get("amount") is None:
                self.add_error("amount", _("Indica l'importo."))
            if not data.get("fund"):
                self.add_error("fund", _("Indica la fonte di finanziamento."))
        return data


ProjectBudgetFormSet = forms.formset_factory(ProjectBudgetLineForm, extra=0, min_num=6, max_num=40)


class AgreementForm(PortalModelForm):
    class Meta:
        model = Agreement
        fields = [
            "parties",
            "signed_on",
            "starts_on",
            "duration_months",
            "resources",
            "reporting_schedule",
            "notes",
            "file",
        ]
        widgets = {
            "parties": CheckboxGrid,
            "signed_on": DateInput,
            "starts_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = parties
        style_widgets(self)


class ReportForm(PortalModelForm):
    class Meta:
        model = Report
        fields = ["entity", "period_start", "period_end", "activities"]
        widgets = {
            "period_start": DateInput,
            "period_end": DateInput,
            "activities": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, entities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities
        if entities.count() == 1:
            self.fields["entity"].initial = entities.first()
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_end"] < data["period_start"]
        ):
            self.add_error("period_end", _("La fine del periodo viene dopo l'inizio."))
        return data


class ReportCostForm(PortalForm):
    description = forms.CharField(label=_("Spesa"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Importo (€)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    document = forms.FileField(
        label=_("Giustificativo"), required=False, validators=[DOCUMENT_VALIDATOR]
    )

    def clean(self):
        data = super().clean()
        if data.get("description"):
            if data.get("amount") is None:
                self.add_error("amount", _("Indica l'importo."))
            if not data.get("document"):
                self.add_error("document", _("Allega il giustificativo."))
        return data


ReportCostFormSet = forms.formset_factory(ReportCostForm, extra=0, min_num=4, max_num=30)


class ReviewForm(PortalForm):
    accept = forms.TypedChoiceField(
        label=_("Esito"),
        choices=[("1", _("Accettata")), ("0", _("Da correggere"))],
        coerce=lambda v: v == "1",
        widget=RadioGrid,
    )
    note = forms.CharField(
        label=_("Osservazioni"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
