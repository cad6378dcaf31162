from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito import routing
from ambito.models import Comune
from core.formatting import format_euro, parse_amount
from core.forms import (
    DateInput,
    PortalForm,
    PortalFormMixin,
    PortalModelForm,
    RichTextField,
    choose_from,
    style_widgets,
)
from entities.models import Entity, TargetGroup
from entities.permissions import entity_policy
from participation.models import Proposal
from plans.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    Intervention,
    Need,
    Plan,
    PlanComment,
    Section,
    Service,
)
from plans.selectors import sources_for
from processes.models import Procedure
from processes.permissions import procedure_policy
from tables.models import Table
from tables.permissions import table_policy


def fields_ready(form: forms.BaseForm) -> None:
    """core's PortalFormMixin validates a bound form while styling it in __init__; forms that
    narrow their querysets afterwards drop that early result so validation uses their choices."""
    if form.is_bound:
        form._errors = None


class AmountField(forms.CharField):
    """Euro with cents, typed the Italian way ("1.234,56"); refuses negatives and sub-cents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_euro(value, symbol=False)
        return value

    def to_python(self, value):
        return parse_amount(super().to_python(value))


class PlanForm(PortalModelForm):
    class Meta:
        model = Plan
        fields = ["ambito", "title", "start_year", "end_year"]

    def __init__(self, *args, ambiti=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].queryset = ambiti
        here = routing.place().pk  # the ambito the visitor is in, when it is one of theirs
        if len(ambiti) == 1:
            self.fields["ambito"].initial = ambiti[0].pk
        elif any(a.pk == here for a in ambiti):
            self.fields["ambito"].initial = here
        self.fields["title"].initial = _("Piano sociale di zona")
        fields_ready(self)


class SectionForm(PortalModelForm):
    body = RichTextField(label=_("Testo della sezione"), required=False)

    class Meta:
        model = Section
        fields = ["title", "body"]


class FundingSourceForm(PortalModelForm):
    class Meta:
        model = FundingSource
        fields = ["name", "kind"]


class FundMapForm(PortalForm):
    """One amount per (source, year): the Mappafondo grid. Empty means nothing available."""

    def __init__(
        self, *args, plan: Plan, sources, initial_amounts: dict[tuple[int, int], Decimal], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.plan, self.sources = plan, list(sources)
        for source in self.sources:
            for year in plan.years:
                name = self.field_name(source.pk, year)
                self.fields[name] = AmountField(
                    label=_("%(source)s, anno %(year)s") % {"source": source.name, "year": year},
                    required=False,
                    initial=initial_amounts.get((source.pk, year)),
                )
        style_widgets(self)

    @staticmethod
    def field_name(source_id: int, year: int) -> str:
        return f"amount_{source_id}_{year}"

    def grid(self):
        """Rows for the template: (source, [bound fields per year])."""
        return [
            (s, [self[self.field_name(s.pk, y)] for y in self.plan.years]) for s in self.sources
        ]

    def amounts(self) -> dict[tuple[int, int], Decimal | None]:
        return {
            (s.pk, y): self.cleaned_data.get(self.field_name(s.pk, y))
            for s in self.sources
            for y in self.plan.years
        }


class InterventionForm(PortalModelForm):
    description = RichTextField(label=_("Descrizione"), required=False)

    class Meta:
        model = Intervention
        fields = [
            "code",
            "title",
            "area",
            "objective",
            "description",
            "target_groups",
            "comuni",
            "runner",
            "runner_comune",
            "runner_entity",
            "source_table",
            "source_procedure",
            "source_proposal",
        ]
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
            "target_groups": forms.CheckboxSelectMultiple,
            "comuni": forms.CheckboxSelectMultiple,
            "runner": forms.RadioSelect,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        ambito_id = plan.ambito_id
        comuni = Comune.objects.filter(ambiti=ambito_id).order_by("name")
        choose_from(
            self,
            area=TargetGroup.objects.order_by("order"),
            target_groups=TargetGroup.objects.order_by("order"),
            comuni=comuni,
            runner_comune=comuni,
            runner_entity=Entity.objects.filter(
                ambito_id=ambito_id, status=Entity.Status.VERIFIED
            ).order_by("name"),
            source_table=Table.objects.filter(ambito_id=ambito_id).order_by("name"),
            source_procedure=Procedure.objects.filter(ambito_id=ambito_id).order_by("-created_at"),
            source_proposal=Proposal.objects.filter(ambito_id=ambito_id).order_by("-created_at"),
        )
        fields_ready(self)


class IndicatorForm(PortalModelForm):
    target = AmountField(label=_("Valore obiettivo"))
    baseline = AmountField(label=_("Valore di partenza"), required=False)

    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target"]


class BudgetLineForm(PortalModelForm):
    amount = AmountField(label=_("Importo (€)"))

    class Meta:
        model = BudgetLine
        fields = ["source", "year", "amount"]

    def __init__(self, *args, plan: Plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        choose_from(self, source=sources_for(plan.ambito_id))
        self.fields["year"].widget.attrs.update(min=plan.start_year, max=plan.end_year)
        self.fields["year"].help_text = _("Tra %(start)s e %(end)s.") % {
            "start": plan.start_year,
            "end": plan.end_year,
        }
        fields_ready(self)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not self.plan.year_in_period(year):
            raise forms.ValidationError(
                _("L'anno %(year)s è fuori dal periodo del piano (%(start)s-%(end)s).")
                % {"year": year, "start": self.plan.start_year, "end": self.plan.end_year}
            )
        return year


class _PortalInlineFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, plan: Plan | None = None, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if issubclass(self.form, BudgetLineForm):
            kwargs["plan"] = self.plan
        return kwargs


class BudgetLineFormSet(_PortalInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("source"), form.cleaned_data.get("year"))
            if None in key:
                continue
            if key in seen:
                form.add_error(
                    "year",
                    _(
                        "Questa fonte ha già una voce per lo stesso anno: somma gli importi in un'unica voce."
                    ),
                )
            seen.add(key)


IndicatorFormSet = forms.inlineformset_factory(
    Intervention,
    Indicator,
    form=IndicatorForm,
    formset=_PortalInlineFormSet,
    extra=2,
    can_delete=True,
)
BudgetFormSet = forms.inlineformset_factory(
    Intervention,
    BudgetLine,
    form=BudgetLineForm,
    formset=BudgetLineFormSet,
    extra=3,
    can_delete=True,
)


class ConsultationForm(PortalForm):
    consultation_until = forms.DateField(
        label=_("Osservazioni fino al"),
        required=False,
        widget=DateInput,
        help_text=_("Facoltativo: la data entro cui inviare le osservazioni."),
    )


class ApprovalForm(PortalForm):
    act_number = forms.CharField(
        label=_("Numero della delibera del Comitato dei Sindaci"), max_length=60
    )
    act_date = forms.DateField(label=_("Data della delibera"), widget=DateInput)


class CommentForm(PortalModelForm):
    class Meta:
        model = PlanComment
        fields = ["section", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, section=plan.sections.order_by("order"))
        self.fields["section"].empty_label = _("Il piano nel suo insieme")
        fields_ready(self)


class _MappingForm(PortalFormMixin, forms.ModelForm):
    """Choices are what `user` may see (the policies): a Third Sector person is never offered,
    nor may post, a procedure still reserved to the staff."""

    def __init__(self, *args, plan: Plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        ambito_id = plan.ambito_id
        choose_from(self, area=TargetGroup.objects.order_by("order"))
        choose_from(self, comuni=Comune.objects.filter(ambiti=ambito_id).order_by("name"))
        if "source_table" in self.fields:
            choose_from(
                self,
                source_table=(
                    table_policy.visible(user).filter(ambito_id=ambito_id).order_by("name")
                ),
            )
            choose_from(
                self,
                source_procedure=(
                    procedure_policy.visible(user)
                    .filter(ambito_id=ambito_id)
                    .order_by("-created_at")
                ),
            )
        if "run_by_entity" in self.fields:
            choose_from(
                self,
                run_by_entity=(
                    entity_policy.visible(user)
                    .filter(Q(ambito_id=ambito_id) & Q(status=Entity.Status.VERIFIED))
                    .order_by("name")
                ),
            )
        fields_ready(self)


class NeedForm(_MappingForm):
    class Meta:
        model = Need
        fields = [
            "title",
            "description",
            "area",
            "target",
            "comuni",
            "source_table",
            "source_procedure",
        ]
        widgets = {
            "comuni": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class ServiceForm(_MappingForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "area",
            "target",
            "run_by",
            "run_by_entity",
            "place",
            "comuni",
        ]
        widgets = {
            "comuni": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
