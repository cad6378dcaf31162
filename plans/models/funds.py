"""The fund map (Mappafondo): funding sources and what the plan has from each, year by year."""

from __future__ import annotations

from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.funds import CODE_MAX_LENGTH, FundKind
from ambito.models import Ambito
from plans.models.plan import Plan

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class FundingSource(models.Model):
    """A source of the Mappafondo. Standard sources (ambito empty) come from DOMAIN.md; each
    ambito's Ufficio di Piano may add its own."""

    Kind = FundKind  # the kinds of the one list of funds

    ambito = models.ForeignKey(
        Ambito,
        verbose_name=_("ambito"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="funding_sources",
    )
    code = models.SlugField(_("codice"), max_length=CODE_MAX_LENGTH)
    name = models.CharField(_("fonte di finanziamento"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.NATIONAL)
    order = models.PositiveSmallIntegerField(_("ordine"), default=100)
    is_active = models.BooleanField(_("attiva"), default=True)

    class Meta:
        verbose_name = _("fonte di finanziamento")
        verbose_name_plural = _("fonti di finanziamento")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(ambito__isnull=True),
                name="fundingsource_code_standard",
            ),
            models.UniqueConstraint(
                fields=["ambito", "code"], name="fundingsource_code_per_ambito"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundAvailability(models.Model):
    """Resources available to the plan from one source in one year (one cell of the Mappafondo)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="funds")
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("fonte"),
        on_delete=models.PROTECT,
        related_name="availabilities",
    )
    year = models.PositiveSmallIntegerField(_("anno"))
    amount = models.DecimalField(
        _("importo disponibile (€)"), validators=[MinValueValidator(0)], **AMOUNT
    )

    class Meta:
        verbose_name = _("risorsa disponibile")
        verbose_name_plural = _("risorse disponibili")
        ordering = ["plan", "source__order", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source", "year"], name="fundavailability_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="fundavailability_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year}: {self.amount}"
