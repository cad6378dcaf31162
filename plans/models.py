"""Piano di Zona (L. 328/2000 art. 19): the plan, its sections, the fund map (Mappafondo), the
interventions (schede intervento) with indicators and budget lines, the needs and services
mapping, comments during consultation, and the approved versions kept read-only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from core.links import object_url
from core.storage import private_storage
from entities.models import Entity, TargetGroup
from participation.models import Proposal
from processes.models import Procedure
from tables.models import Table

MAX_PLAN_YEARS = 5
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class FundingSource(models.Model):
    """A source of the Mappafondo. Standard sources (ambito empty) come from DOMAIN.md; each
    ambito's Ufficio di Piano may add its own."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Nazionale")
        EUROPEAN = "european", _("Europeo / PNRR")
        REGIONAL = "regional", _("Regionale")
        LOCAL = "local", _("Comuni e ASL")
        PRIVATE = "private", _("Terzo settore e privati")

    ambito = models.ForeignKey(
        Ambito,
        verbose_name=_("ambito"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="funding_sources",
    )
    code = models.SlugField(_("codice"), max_length=40)
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


class Need(models.Model):
    """A need recorded by staff or an entity, from a table or a procedure."""

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.CASCADE, related_name="plan_needs"
    )
    title = models.CharField(_("bisogno"), max_length=200)
    description = models.TextField(_("descrizione"), blank=True)
    area = models.ForeignKey(
        TargetGroup, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(
        _("destinatari"),
        max_length=200,
        blank=True,
        help_text=_("Per esempio: giovani 18-25 anni."),
    )
    comuni = models.ManyToManyField(Comune, verbose_name=_("comuni"), related_name="+", blank=True)
    source_table = models.ForeignKey(
        Table,
        verbose_name=_("emerso nel tavolo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("emerso nel procedimento"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("segnalato dall'ente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bisogno")
        verbose_name_plural = _("bisogni")
        ordering = ["area__order", "title"]

    def __str__(self) -> str:
        return self.title


class Service(models.Model):
    """An active service of the territory: who runs it, where, for whom."""

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.CASCADE, related_name="plan_services"
    )
    name = models.CharField(_("servizio"), max_length=200)
    description = models.TextField(_("descrizione"), blank=True)
    area = models.ForeignKey(
        TargetGroup, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("per chi"), max_length=200)
    run_by = models.CharField(_("chi lo gestisce"), max_length=200)
    run_by_entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente gestore"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place = models.CharField(
        _("dove"), max_length=200, blank=True, help_text=_("Indirizzo o sede.")
    )
    comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni serviti"), related_name="+", blank=True
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("segnalato dall'ente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("servizio attivo")
        verbose_name_plural = _("servizi attivi")
        ordering = ["area__order", "name"]

    def __str__(self) -> str:
        return self.name


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
