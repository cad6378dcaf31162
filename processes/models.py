"""Art. 55-56 CTS procedures: co-programmazione, co-progettazione, accreditamento, convenzioni."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from entities.models import Activity, Entity, TargetGroup
from tables.models import Table


class Procedure(models.Model):
    class Kind(models.TextChoices):
        COPROGRAMMING = "coprogrammazione", _("Co-programmazione (art. 55 c. 2)")
        CODESIGN = "coprogettazione", _("Co-progettazione (art. 55 c. 3)")
        ACCREDITATION = "accreditamento", _("Accreditamento (art. 55 c. 4)")
        AGREEMENT_56 = "convenzione_56", _("Convenzione con ODV e APS (art. 56)")

    class Origin(models.TextChoices):
        EX_OFFICIO = "ex_officio", _("D'ufficio")
        ENTITY_REQUEST = "entity_request", _("Su istanza di un ente del Terzo settore")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="procedures"
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titolo"), max_length=255)
    subject = models.TextField(_("oggetto"))
    # The state machine of each kind lives in processes/ (its helper decides the states); the
    # value is a short code such as "draft", "notice_published", "closed", "cancelled".
    status = models.CharField(_("stato"), max_length=30, default="draft", db_index=True)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("attività (art. 5)"), related_name="procedures", blank=True
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("aree di utenza"), related_name="procedures", blank=True
    )
    tables = models.ManyToManyField(
        Table, verbose_name=_("tavoli collegati"), related_name="procedures", blank=True
    )
    rup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsabile unico del procedimento (RUP)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rup_procedures",
    )
    origin = models.CharField(
        _("avvio"), max_length=20, choices=Origin.choices, default=Origin.EX_OFFICIO
    )
    requesting_entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente richiedente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(
        _("risorse messe a disposizione (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    duration_months = models.PositiveSmallIntegerField(_("durata (mesi)"), null=True, blank=True)
    cup = models.CharField(_("CUP"), max_length=15, blank=True)
    legal_basis = models.TextField(_("atto o programmazione di riferimento"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("procedimento")
        verbose_name_plural = _("procedimenti")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:detail", kwargs={"pk": self.pk})


class Application(models.Model):
    """An entity's manifestazione di interesse / domanda to a procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="applications")
    entity = models.ForeignKey(
        Entity, verbose_name=_("ente"), on_delete=models.PROTECT, related_name="applications"
    )
    # "draft", "submitted", "admitted", "not_admitted", ... (see processes/ for the full set)
    status = models.CharField(_("stato"), max_length=30, default="draft", db_index=True)
    protocol_number = models.CharField(_("numero di protocollo"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("presentata il"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("domanda")
        verbose_name_plural = _("domande")
        ordering = ["procedure", "entity__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "entity"], name="application_one_per_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} — {self.procedure}"

    def get_absolute_url(self) -> str:
        return reverse("processes:application_detail", kwargs={"pk": self.pk})
