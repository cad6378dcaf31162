"""The Piano di Zona (L. 328/2000 art. 19), its sections, comments during consultation and the
approved versions kept read-only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core import badges
from core.links import object_url
from core.storage import private_storage

MAX_PLAN_YEARS = 5


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In bozza")
        CONSULTATION = "consultation", _("In consultazione")
        APPROVED = "approved", _("Approvato")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("titolo"), max_length=200)
    start_year = models.PositiveSmallIntegerField(
        _("anno di inizio"), validators=[MinValueValidator(2000)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("anno di fine"), validators=[MinValueValidator(2000)]
    )
    status = models.CharField(
        _("stato"), max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    consultation_until = models.DateField(_("osservazioni fino al"), null=True, blank=True)
    approval_act_number = models.CharField(
        _("numero dell'atto di approvazione"), max_length=60, blank=True
    )
    approval_act_date = models.DateField(_("data dell'atto di approvazione"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("versione approvata corrente"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("piano di zona")
        verbose_name_plural = _("piani di zona")
        ordering = ["-start_year", "ambito__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_year}-{self.end_year}"

    def get_absolute_url(self) -> str:
        return object_url("plans:detail", pk=self.pk)

    @property
    def status_tone(self) -> str:
        """Tone of the status badge ({% status_badge plan %})."""
        return badges.tone_for(self.status, {"approved": "success", "consultation": "warning"})

    def clean(self) -> None:
        if self.start_year and self.end_year:
            if self.end_year < self.start_year:
                raise ValidationError(
                    {"end_year": _("L'anno di fine non può precedere l'anno di inizio.")}
                )
            if self.end_year - self.start_year >= MAX_PLAN_YEARS:
                raise ValidationError(
                    {"end_year": _("Un piano copre al massimo %(n)s anni.") % {"n": MAX_PLAN_YEARS}}
                )

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.APPROVED

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.CONSULTATION, self.Status.APPROVED)

    def year_in_period(self, year: int | None) -> bool:
        return year is not None and self.start_year <= year <= self.end_year


class PlanVersion(models.Model):
    """An approved version, frozen: the snapshot of its content and its PDF (rendered after approval)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versione"))
    approval_act_number = models.CharField(_("numero dell'atto"), max_length=60)
    approval_act_date = models.DateField(_("data dell'atto"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField(_("contenuto"), default=dict)
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="plans/versions/", blank=True
    )
    # the fingerprint of the published PDF, shown beside it so that a copy can be checked
    pdf_sha256 = models.CharField(_("impronta SHA-256 del PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("versione approvata")
        verbose_name_plural = _("versioni approvate")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} — v{self.number}"

    def get_absolute_url(self) -> str:
        return object_url("plans:version", pk=self.plan_id, number=self.number)


class Section(models.Model):
    """A chapter of the plan. Standard ones follow L. 328/2000 art. 19 and the common structure;
    some (analysis, budget, interventions, participation) are followed by generated content."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Testo")
        ANALYSIS = "analysis", _("Analisi del contesto e dei bisogni")
        BUDGET = "budget", _("Bilancio integrato")
        INTERVENTIONS = "interventions", _("Schede intervento")
        PARTICIPATION = "participation", _("Percorso partecipativo")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(_("tipo"), max_length=15, choices=Kind.choices, default=Kind.TEXT)
    title = models.CharField(_("titolo"), max_length=200)
    guidance = models.TextField(_("indicazioni"), blank=True)
    body = models.TextField(_("testo"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordine"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sezione")
        verbose_name_plural = _("sezioni")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def anchor(self) -> str:
        return f"sezione-{self.pk}"


class PlanComment(models.Model):
    """An observation on a plan in consultation, by a table member or staff."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(
        Section,
        verbose_name=_("sezione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_comments"
    )
    body = models.TextField(_("osservazione"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("osservazione")
        verbose_name_plural = _("osservazioni")
        ordering = ["plan", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} — {self.plan}"
