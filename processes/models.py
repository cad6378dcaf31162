"""Art. 55-56 CTS procedures: co-programmazione, co-progettazione, accreditamento, convenzioni."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.links import object_url
from core.storage import StoredFileMixin, private_storage
from core.uploads import DOCUMENT_KINDS, FileKindValidator
from entities.models import Activity, Entity, TargetGroup
from tables.models import Table

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_VALIDATOR = FileKindValidator(DOCUMENT_KINDS, MAX_DOCUMENT_BYTES)


def _upload_to(instance, filename: str) -> str:
    from core.uploads import safe_filename

    return f"processes/{timezone.now():%Y/%m}/{safe_filename(filename)}"


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
    request_document = models.FileField(
        _("istanza dell'ente"),
        storage=private_storage,
        upload_to=_upload_to,
        blank=True,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_(
            "L'istanza con cui l'ente ha chiesto di avviare il procedimento (PDF, ODT, DOCX o firmato .p7m)."
        ),
    )
    cancel_reason = models.TextField(_("motivo dell'annullamento"), blank=True)
    cancelled_at = models.DateTimeField(_("annullato il"), null=True, blank=True)
    # Set when the first application is submitted: from then on a correction of the avviso
    # keeps its criteria, weights and admission requirements (see services.notice_save_draft).
    notice_locked_at = models.DateTimeField(
        _("criteri e requisiti bloccati dal"), null=True, blank=True
    )
    accreditation_list = models.ForeignKey(
        "self",
        verbose_name=_("elenco degli enti accreditati"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawing_procedures",
        limit_choices_to={"kind": "accreditamento"},
        help_text=_(
            "Solo per la co-progettazione: se indicato, possono partecipare soltanto gli enti "
            "accreditati in questo elenco alla data di apertura dell'avviso."
        ),
    )
    # The table where the admitted entities of a co-progettazione work, reserved to them, the
    # RUP and the ambito's staff (created when the admitted are published).
    reserved_table = models.OneToOneField(
        Table,
        verbose_name=_("tavolo riservato di co-progettazione"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("procedimento")
        verbose_name_plural = _("procedimenti")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("processes:detail", pk=self.pk)

    def clean(self) -> None:
        super().clean()
        source = self.accreditation_list
        if source is None:
            return
        if self.kind != self.Kind.CODESIGN:
            raise ValidationError(
                {"accreditation_list": _("Solo una co-progettazione attinge a un elenco.")}
            )
        if source.kind != self.Kind.ACCREDITATION or source.ambito_id != self.ambito_id:
            raise ValidationError(
                {
                    "accreditation_list": _(
                        "Scegli un procedimento di accreditamento dello stesso ambito."
                    )
                }
            )

    @property
    def status_label(self) -> str:
        from processes import workflow

        return workflow.label(self.status, self.kind)

    @property
    def status_tone(self) -> str:
        """Colour of the status badge (components/status_badge.html)."""
        return {"cancelled": "danger", "closed": "secondary", "notice_published": "success"}.get(
            self.status, "primary"
        )

    @property
    def agreement_states(self) -> tuple[str, ...]:
        """States in which the signed agreement can be recorded (once: it is not amended)."""
        if self.kind == self.Kind.AGREEMENT_56:
            return ("ranking_published", "execution")
        return ("approved", "execution")

    @property
    def can_record_agreement(self) -> bool:
        return (
            self.kind in (self.Kind.CODESIGN, self.Kind.AGREEMENT_56)
            and self.status in self.agreement_states
        )

    @property
    def is_codesign(self) -> bool:
        return self.kind in (self.Kind.CODESIGN, self.Kind.AGREEMENT_56)

    @property
    def is_public(self) -> bool:
        return self.status not in ("draft", "started")

    @property
    def is_open_list(self) -> bool:
        """An accreditamento: entities apply and are admitted at any time while it is open."""
        return self.kind == self.Kind.ACCREDITATION

    @property
    def in_istruttoria(self) -> bool:
        """Applications are being checked: admission, soccorso istruttorio, art. 10-bis notices
        (for an open list, all the time it is open)."""
        if self.is_open_list:
            return self.status == "notice_published"
        return self.status == "admission"

    @cached_property
    def current_notice(self) -> Notice | None:
        """The latest published version of the avviso."""
        return self.notices.filter(published_at__isnull=False).order_by("-version").first()

    @cached_property
    def effective_deadline(self):
        """The deadline for applications: the avviso's, or a later one when staff reopened it."""
        notice = self.current_notice
        deadline = notice.deadline if notice else None
        if "reopenings" in getattr(self, "_prefetched_objects_cache", {}):  # a page read them
            reopening = max(self.reopenings.all(), key=lambda r: r.until, default=None)
        else:
            reopening = self.reopenings.order_by("-until").first()
        if reopening and (deadline is None or reopening.until > deadline):
            return reopening.until
        return deadline

    @property
    def accepts_applications(self) -> bool:
        if self.status not in ("notice_published", "admission"):
            return False
        deadline = self.effective_deadline
        if deadline is None:  # an open list without a closing date
            return self.is_open_list and self.status == "notice_published"
        return timezone.now() <= deadline

    @cached_property
    def opened_at(self):
        """When the first version of the avviso was published (the procedure opened)."""
        first = self.notices.filter(published_at__isnull=False).order_by("version").first()
        return first.published_at if first else None

    @cached_property
    def reached_states(self) -> set[str]:
        return {s.to_status for s in self.steps.all()}


def protocol_prefix(ambito: Ambito) -> str:
    parts = [p for p in ambito.code.upper().split("-") if p]
    return "".join(parts[:2]) or "PROT"


class ProcedureStep(models.Model):
    """One move of the state machine: when, by whom, with which act, why. The public timeline."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    act_reference = models.CharField(
        _("atto"),
        max_length=200,
        blank=True,
        help_text=_("Per esempio: determina n. 45 del 12/03/2026."),
    )
    act_date = models.DateField(_("data dell'atto"), null=True, blank=True)
    note = models.TextField(_("motivazione o nota"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("passaggio del procedimento")
        verbose_name_plural = _("passaggi del procedimento")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.procedure} → {self.to_status}"

    @property
    def label(self) -> str:
        from processes import workflow

        return workflow.label(self.to_status)


class Notice(models.Model):
    """A version of the avviso pubblico. Version 1 is the avviso; later versions are dated
    corrections. A published version never changes."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="notices")
    version = models.PositiveSmallIntegerField(_("versione"), default=1)
    subject = models.TextField(_("oggetto dell'avviso"))
    requirements = models.TextField(_("requisiti di partecipazione"))
    documents_required = models.TextField(_("documenti da allegare"), blank=True)
    # Empty only for an accreditamento: an open list takes applications while it is open.
    deadline = models.DateTimeField(
        _("termine per le domande"),
        null=True,
        blank=True,
        help_text=_("Data e ora (ora italiana)."),
    )
    admission_threshold = models.DecimalField(
        _("soglia di ammissione (punti su 100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    correction_note = models.TextField(
        _("che cosa cambia"),
        blank=True,
        help_text=_("Per le rettifiche: che cosa cambia rispetto alla versione precedente."),
    )
    published_at = models.DateTimeField(_("pubblicato il"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("avviso")
        verbose_name_plural = _("avvisi")
        ordering = ["procedure", "version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="notice_unique_version"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(published_at__isnull=True),
                name="notice_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} — v{self.version}"

    def get_absolute_url(self) -> str:
        return object_url("processes:notice_detail", pk=self.pk)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class Criterion(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterio"), max_length=200)
    description = models.TextField(_("descrizione"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("peso"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterio di valutazione")
        verbose_name_plural = _("criteri di valutazione")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class WindowReopening(models.Model):
    """Staff reopened the window for applications until a new time, with a reason."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="reopenings")
    until = models.DateTimeField(_("nuovo termine"))
    reason = models.TextField(_("motivazione"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("riapertura dei termini")
        verbose_name_plural = _("riaperture dei termini")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.procedure} → {self.until}"


class ProtocolCounter(models.Model):
    """The last protocol number given in an ambito in a year; locked while a number is taken, so
    numbers are unique and without gaps."""

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ambito", "year"], name="protocolcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ambito} {self.year}: {self.last_number}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Bozza")
    SUBMITTED = "submitted", _("Presentata")
    INTEGRATION = "integration", _("Soccorso istruttorio in corso")
    PRE_REJECTION = "pre_rejection", _("Motivi ostativi comunicati (art. 10-bis)")
    ADMITTED = "admitted", _("Ammessa")
    NOT_ADMITTED = "not_admitted", _("Non ammessa")


class Declaration(models.TextChoices):
    """Self-declarations under DPR 445/2000, arts. 46-47 (checked one by one)."""

    TRUTH = (
        "truth",
        _(
            "Consapevole delle sanzioni penali previste dall'art. 76 del D.P.R. 445/2000 per le "
            "dichiarazioni mendaci e della decadenza dai benefici (art. 75), dichiaro che quanto "
            "indicato nella domanda e negli allegati corrisponde al vero."
        ),
    )
    REQUIREMENTS = (
        "requirements",
        _(
            "Dichiaro, ai sensi degli artt. 46 e 47 del D.P.R. 445/2000, che l'ente possiede i requisiti "
            "di partecipazione previsti dall'avviso."
        ),
    )
    NO_EXCLUSION = (
        "no_exclusion",
        _(
            "Dichiaro, ai sensi degli artt. 46 e 47 del D.P.R. 445/2000, che a carico del legale "
            "rappresentante e dell'ente non sussistono cause di esclusione, di decadenza, di sospensione "
            "o di divieto a contrarre con la pubblica amministrazione."
        ),
    )
    PRIVACY = (
        "privacy",
        _(
            "Dichiaro di aver letto l'informativa sul trattamento dei dati personali (art. 13 del "
            "Regolamento UE 2016/679)."
        ),
    )


class Application(models.Model):
    """An entity's manifestazione di interesse / domanda to a procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="applications")
    entity = models.ForeignKey(
        Entity, verbose_name=_("ente"), on_delete=models.PROTECT, related_name="applications"
    )
    # "draft", "submitted", "admitted", "not_admitted", ... (see processes/ for the full set)
    status = models.CharField(_("stato"), max_length=30, default="draft", db_index=True)
    protocol_number = models.CharField(_("numero di protocollo"), max_length=40, blank=True)
    protocol_date = models.DateTimeField(_("data di protocollo"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("presentata il"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declarations = models.JSONField(_("dichiarazioni"), default=list, blank=True)
    proposal = models.TextField(_("proposta progettuale"), blank=True)
    partners = models.ManyToManyField(
        Entity, verbose_name=_("partner"), related_name="partner_applications", blank=True
    )
    lead_entity = models.ForeignKey(
        Entity,
        verbose_name=_("capofila"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_applications",
        help_text=_("Se vuoto, il capofila è l'ente che presenta la domanda."),
    )
    decision_reason = models.TextField(_("motivazione della decisione"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_score = models.DecimalField(
        _("punteggio totale"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("posizione in graduatoria"), null=True, blank=True)
    receipt = models.FileField(storage=private_storage, upload_to=_upload_to, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
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
        return object_url("processes:application_detail", pk=self.pk)

    @property
    def status_label(self) -> str:
        try:
            return str(ApplicationStatus(self.status).label)
        except ValueError:
            return self.status

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), Decimal("0"))

    @property
    def lead(self) -> Entity:
        return self.lead_entity or self.entity


class BudgetLine(models.Model):
    """A line of the budget of a co-progettazione proposal."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    description = models.CharField(_("voce di spesa"), max_length=200)
    amount = models.DecimalField(
        _("importo (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cofinancing = models.DecimalField(
        _("di cui cofinanziamento dell'ente (€)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("voce del piano economico")
        verbose_name_plural = _("voci del piano economico")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class IntegrationRequest(models.Model):
    """Soccorso istruttorio: staff ask for a missing document by a new deadline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="integration_requests"
    )
    message = models.TextField(_("documento o chiarimento richiesto"))
    deadline = models.DateTimeField(_("termine per rispondere"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("risposta"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    protocol_number = models.CharField(_("numero di protocollo"), max_length=40, blank=True)
    protocol_date = models.DateTimeField(_("data di protocollo"), null=True, blank=True)

    class Meta:
        verbose_name = _("soccorso istruttorio")
        verbose_name_plural = _("soccorsi istruttori")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.message[:40]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ExclusionNotice(models.Model):
    """Comunicazione dei motivi ostativi (art. 10-bis L. 241/1990): before an application is
    excluded, the entity is told why and given a term (10 days at least) for observations, with a
    document if it wishes. Only after its observations, or once the term has run out, may staff
    confirm the exclusion, with a motivation that answers them; or they find the reasons overcome
    and the application goes back where it was."""

    TERM_DAYS = 10

    class Outcome(models.TextChoices):
        OPEN = "open", _("In attesa delle osservazioni")
        EXCLUDED = "excluded", _("Esclusione confermata")
        WITHDRAWN = "withdrawn", _("Motivi ostativi superati")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="exclusion_notices"
    )
    reasons = models.TextField(_("motivi ostativi"))
    term_days = models.PositiveSmallIntegerField(
        _("termine per le osservazioni (giorni)"),
        default=TERM_DAYS,
        validators=[MinValueValidator(TERM_DAYS), MaxValueValidator(60)],
    )
    sent_at = models.DateTimeField(_("comunicata il"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline = models.DateTimeField(_("osservazioni entro il"))
    # The application's status before the notice: where it goes back if the reasons are overcome.
    previous_status = models.CharField(max_length=30)
    communication = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    observations = models.TextField(_("osservazioni dell'ente"), blank=True)
    observations_at = models.DateTimeField(_("osservazioni presentate il"), null=True, blank=True)
    observations_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(
        _("esito"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    motivation = models.TextField(_("motivazione del provvedimento"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_communication = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("comunicazione dei motivi ostativi")
        verbose_name_plural = _("comunicazioni dei motivi ostativi")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(outcome="open"),
                name="exclusionnotice_one_open_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.reasons[:40]}"

    @staticmethod
    def deadline_for(sent_at, term_days: int):
        """The term ends at the last moment of its last day, Italian time (a term in days runs
        to the end of the day it falls on)."""
        from datetime import datetime, time, timedelta

        last_day = timezone.localtime(sent_at).date() + timedelta(days=term_days)
        return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def accepts_observations(self) -> bool:
        return self.is_open and self.observations_at is None and timezone.now() <= self.deadline

    @property
    def can_be_decided(self) -> bool:
        """Staff decide once the entity has answered or the term has run out."""
        return self.is_open and (self.observations_at is not None or timezone.now() > self.deadline)


class ApplicationDocument(StoredFileMixin, models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("descrizione del documento"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )
    integration_request = models.ForeignKey(
        IntegrationRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    exclusion_notice = models.ForeignKey(
        ExclusionNotice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allegato alla domanda")
        verbose_name_plural = _("allegati alla domanda")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Accreditation(models.Model):
    """An entity on the open list of an accreditamento (art. 55 c. 4 CTS): admitted on a date,
    later perhaps suspended, reinstated or removed. Every change is an AccreditationEvent, so the
    list can say who was accredited on any past date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Accreditato")
        SUSPENDED = "suspended", _("Sospeso")
        REMOVED = "removed", _("Cancellato dall'elenco")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="accreditations"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("ente"), on_delete=models.PROTECT, related_name="accreditations"
    )
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="accreditation"
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    admitted_at = models.DateTimeField(_("accreditato il"))

    class Meta:
        verbose_name = _("accreditamento")
        verbose_name_plural = _("elenco degli accreditati")
        ordering = ["admitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "entity"], name="accreditation_one_per_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} ({self.get_status_display()})"


class AccreditationEvent(models.Model):
    class Kind(models.TextChoices):
        ADMITTED = "admitted", _("Ammesso nell'elenco")
        SUSPENDED = "suspended", _("Sospeso")
        REINSTATED = "reinstated", _("Sospensione revocata")
        REMOVED = "removed", _("Cancellato dall'elenco")

    # The status each kind of event leaves the accreditation in.
    STATUS_AFTER = {
        Kind.ADMITTED: Accreditation.Status.ACTIVE,
        Kind.SUSPENDED: Accreditation.Status.SUSPENDED,
        Kind.REINSTATED: Accreditation.Status.ACTIVE,
        Kind.REMOVED: Accreditation.Status.REMOVED,
    }

    accreditation = models.ForeignKey(
        Accreditation, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("variazione"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("data"))
    reason = models.TextField(_("motivazione"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    communication = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("variazione dell'elenco")
        verbose_name_plural = _("variazioni dell'elenco")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.accreditation.entity}: {self.get_kind_display()}"


class CommissionMember(models.Model):
    """A named member of the evaluation commission. They see applications only after declaring
    that they have no conflict of interest."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("Presidente")
        MEMBER = "member", _("Componente")
        SECRETARY = "secretary", _("Segretario verbalizzante")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="commissions",
    )
    role = models.CharField(_("ruolo"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    declared_at = models.DateTimeField(
        _("dichiarazione di assenza di conflitti"), null=True, blank=True
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("componente della commissione")
        verbose_name_plural = _("commissione di valutazione")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "user"], name="commission_one_seat")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def scores_applications(self) -> bool:
        return self.role != self.Role.SECRETARY


class Score(models.Model):
    """A commissioner's score (0-10) of one application on one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(CommissionMember, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(
        _("punteggio (0-10)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    note = models.CharField(_("motivazione"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("punteggio")
        verbose_name_plural = _("punteggi")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "member"], name="score_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.criterion}: {self.value}"


class OutcomeDocument(StoredFileMixin, models.Model):
    """A document of the procedure's outcome: documento di sintesi, progetto definitivo,
    approval act, others. Public once published, and never changed afterwards (a new act is a
    new document)."""

    class Kind(models.TextChoices):
        SINTESI = "sintesi", _("Documento di sintesi")
        FINAL_PROJECT = "final_project", _("Progetto definitivo")
        APPROVAL = "approval", _("Atto di approvazione")
        RANKING_ACT = "ranking_act", _("Atto di approvazione della graduatoria")
        OTHER = "other", _("Altro atto")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titolo"), max_length=255)
    summary = models.TextField(_("sintesi"), blank=True)
    act_reference = models.CharField(_("estremi dell'atto"), max_length=200, blank=True)
    act_date = models.DateField(_("data"), null=True, blank=True)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )
    # The fingerprint of the published bytes, shown on the public page (core.storage.sha256_of).
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("documento del procedimento")
        verbose_name_plural = _("documenti del procedimento")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Fund(models.TextChoices):
    FNPS = "fnps", _("Fondo nazionale politiche sociali (FNPS)")
    POVERTY = "poverta", _("Fondo Povertà")
    FNA = "fna", _("Fondo non autosufficienze (FNA)")
    PNRR = "pnrr", _("PNRR M5C2")
    PN_INCLUSION = "pn_inclusione", _("PN Inclusione 2021-2027")
    DOPO_DI_NOI = "dopo_di_noi", _("Dopo di noi (L. 112/2016)")
    FAMILY = "famiglia", _("Fondo famiglia")
    L285 = "l285", _("L. 285/1997")
    REGIONAL = "regionale", _("Fondo sociale regionale")
    COMUNI = "comuni", _("Risorse proprie dei comuni")
    ASL = "asl", _("ASL (integrazione socio-sanitaria)")
    ETS = "ets", _("Cofinanziamento del Terzo settore")
    FOUNDATIONS = "fondazioni", _("Fondazioni")


class ProjectBudgetLine(models.Model):
    """The budget of the progetto definitivo: what each party brings, from which fund."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="project_budget"
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("parte"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Vuoto = l'ambito (ente pubblico)."),
    )
    fund = models.CharField(_("fonte di finanziamento"), max_length=20, choices=Fund.choices)
    description = models.CharField(_("voce"), max_length=200)
    amount = models.DecimalField(
        _("importo (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("voce del piano economico del progetto")
        verbose_name_plural = _("piano economico del progetto")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Agreement(StoredFileMixin, models.Model):
    """The convenzione / accordo di collaborazione signed with the partner entities. Public once
    recorded, and never changed afterwards (an amendment is a new act among the documents)."""

    class Schedule(models.TextChoices):
        QUARTERLY = "quarterly", _("Trimestrale")
        SEMIANNUAL = "semiannual", _("Semestrale")
        ANNUAL = "annual", _("Annuale")

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="agreement")
    parties = models.ManyToManyField(
        Entity, verbose_name=_("enti firmatari"), related_name="agreements"
    )
    signed_on = models.DateField(_("data di sottoscrizione"))
    starts_on = models.DateField(_("inizio"))
    duration_months = models.PositiveSmallIntegerField(
        _("durata (mesi)"), validators=[MinValueValidator(1)]
    )
    resources = models.DecimalField(
        _("risorse complessive (€)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    reporting_schedule = models.CharField(
        _("cadenza della rendicontazione"), max_length=12, choices=Schedule.choices
    )
    notes = models.TextField(_("impegni delle parti"), blank=True)
    file = models.FileField(
        _("convenzione firmata"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("convenzione")
        verbose_name_plural = _("convenzioni")

    def __str__(self) -> str:
        return str(_("Convenzione — %(p)s") % {"p": self.procedure})


class Report(models.Model):
    """A periodic report (rendicontazione) of a party: activities and documented costs."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Presentata")
        ACCEPTED = "accepted", _("Accettata")
        REJECTED = "rejected", _("Da correggere")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reports")
    entity = models.ForeignKey(
        Entity, verbose_name=_("ente"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("dal"))
    period_end = models.DateField(_("al"))
    activities = models.TextField(_("attività svolte"))
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    protocol_number = models.CharField(_("numero di protocollo"), max_length=40, blank=True)
    protocol_date = models.DateTimeField(_("data di protocollo"), null=True, blank=True)
    review_note = models.TextField(_("osservazioni"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rendicontazione")
        verbose_name_plural = _("rendicontazioni")
        ordering = ["-period_end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.period_start}–{self.period_end}"

    @property
    def total_cost(self) -> Decimal:
        return sum((c.amount for c in self.costs.all()), Decimal("0"))


class ReportCost(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="costs")
    description = models.CharField(_("spesa"), max_length=200)
    amount = models.DecimalField(
        _("importo (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    document = models.FileField(
        _("giustificativo"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("Fattura, ricevuta o altro giustificativo (PDF, ODT, DOCX, .p7m)."),
    )

    class Meta:
        verbose_name = _("spesa documentata")
        verbose_name_plural = _("spese documentate")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
