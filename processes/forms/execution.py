"""Forms of the commission and scores, and of outcome documents, project budget, agreement and reports."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ambito.funds import FUND_CHOICES
from core.forms import (
    CheckboxGrid,
    DateInput,
    PortalForm,
    PortalModelForm,
    RadioGrid,
    style_widgets,
)
from core.models import User
from entities.models import Entity
from processes.models import (
    DOCUMENT_VALIDATOR,
    Agreement,
    CommissionMember,
    OutcomeDocument,
    Procedure,
    Report,
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
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k.value, k.label) for k in kinds
        ] + [(OutcomeDocument.Kind.OTHER.value, OutcomeDocument.Kind.OTHER.label)]
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
            "ambito_signer_name",
            "ambito_signer_fiscal_code",
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


class SignedAgreementForm(PortalForm):
    signed_file = forms.FileField(
        label=_("Convenzione firmata digitalmente"),
        validators=[DOCUMENT_VALIDATOR],
        help_text=_(
            "Il file scaricato dal portale con la tua firma digitale: .p7m (CAdES) o PDF firmato "
            "(PAdES). Se un'altra parte ha già firmato, firma il file già firmato."
        ),
    )


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
