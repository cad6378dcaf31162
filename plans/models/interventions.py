"""Interventions (schede intervento) with their indicators and budget lines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.models import Comune
from core.links import object_url
from entities.models import Entity, TargetGroup
from participation.models import Proposal
from plans.models.funds import AMOUNT, FundingSource
from plans.models.plan import Plan
from processes.models import Procedure
from tables.models import Table


class Intervention(models.Model):
    """A scheda intervento of the plan."""

    class Runner(models.TextChoices):
        AMBITO = "ambito", _("L'ambito (Ufficio di Piano)")
        COMUNE = "comune", _("Un comune")
        ENTITY = "entity", _("Un ente del Terzo settore")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="interventions")
    code = models.CharField(
        _("codice"), max_length=20, blank=True, help_text=_("Per esempio: INC-01.")
    )
    title = models.CharField(_("titolo"), max_length=200)
    area = models.ForeignKey(
        TargetGroup,
        verbose_name=_("area di intervento"),
        on_delete=models.PROTECT,
        related_name="plan_interventions",
    )
    objective = models.TextField(_("obiettivo"))
    description = models.TextField(_("descrizione"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("destinatari (aree di utenza)"), related_name="+", blank=True
    )
    comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni coinvolti"), related_name="plan_interventions", blank=True
    )
    runner = models.CharField(
        _("chi lo realizza"), max_length=10, choices=Runner.choices, default=Runner.AMBITO
    )
    runner_comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune che lo realizza"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    runner_entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente che lo realizza"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_interventions",
    )
    source_table = models.ForeignKey(
        Table,
        verbose_name=_("tavolo di provenienza"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_interventions",
    )
    source_procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedimento di provenienza"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_interventions",
    )
    source_proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposta di provenienza"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_interventions",
    )
    order = models.PositiveIntegerField(_("ordine"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scheda intervento")
        verbose_name_plural = _("schede intervento")
        ordering = ["plan", "area__order", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return object_url("plans:intervention", pk=self.plan_id, intervention_pk=self.pk)

    def clean(self) -> None:
        if self.runner == self.Runner.COMUNE and not self.runner_comune_id:
            raise ValidationError(
                {"runner_comune": _("Indica il comune che realizza l'intervento.")}
            )
        if self.runner == self.Runner.ENTITY and not self.runner_entity_id:
            raise ValidationError({"runner_entity": _("Indica l'ente che realizza l'intervento.")})

    @property
    def runner_label(self) -> str:
        if self.runner == self.Runner.COMUNE and self.runner_comune_id:
            return str(self.runner_comune.name)
        if self.runner == self.Runner.ENTITY and self.runner_entity_id:
            return str(self.runner_entity.name)
        # The enum's label, not get_runner_display(): that rebuilds the choices map per call.
        return str(self.Runner(self.runner).label)


class Indicator(models.Model):
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicatore"), max_length=200)
    unit = models.CharField(_("unità di misura"), max_length=60, blank=True)
    baseline = models.DecimalField(
        _("valore di partenza"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("valore obiettivo"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicatore")
        verbose_name_plural = _("indicatori")
        ordering = ["intervention", "pk"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    """What an intervention takes from one source in one year."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="budget_lines"
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("fonte"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("anno"))
    amount = models.DecimalField(_("importo (€)"), validators=[MinValueValidator(0)], **AMOUNT)

    class Meta:
        verbose_name = _("voce di bilancio")
        verbose_name_plural = _("voci di bilancio")
        ordering = ["intervention", "year", "source__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "source", "year"], name="budgetline_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="budgetline_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year}: {self.amount}"
