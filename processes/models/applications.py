"""Applications (domande) with their self-declarations, budget, documents, soccorso istruttorio and art. 10-bis notices."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import object_url
from core.models import AttachmentBase, attachment_upload_to
from core.storage import private_storage
from entities.models import Entity
from processes.models.common import DOCUMENT_VALIDATOR, _upload_to
from processes.models.procedures import Procedure
from processes.models.states import ApplicationStatus


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


class DeclaredWith(models.TextChoices):
    """How the self-declarations (DPR 445/2000) of a submitted application were confirmed."""

    CHECKBOX = "checkbox", _("caselle di conferma")
    SIGNED_DOCUMENT = "signed_document", _("dichiarazione firmata digitalmente")
    SPID_CIE = "spid_cie", _("accesso SPID/CIE di livello 2")


class Application(models.Model):
    """An entity's manifestazione di interesse / domanda to a procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="applications")
    entity = models.ForeignKey(
        Entity, verbose_name=_("ente"), on_delete=models.PROTECT, related_name="applications"
    )
    # The steps of an application: states.ApplicationStatus
    status = models.CharField(
        _("stato"),
        max_length=30,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
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
    communication = models.ForeignKey(
        "core.OutgoingEmail",
        verbose_name=_("comunicazione dell'ammissione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome_communication = models.ForeignKey(
        "core.OutgoingEmail",
        verbose_name=_("comunicazione dell'esito"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # How the DPR 445/2000 declarations were confirmed at submission, and by whom.
    declared_with = models.CharField(
        _("dichiarazioni confermate con"), max_length=20, choices=DeclaredWith.choices, blank=True
    )
    declared_fiscal_code = models.CharField(
        _("codice fiscale del dichiarante"), max_length=16, blank=True
    )
    declared_at = models.DateTimeField(_("dichiarazioni confermate il"), null=True, blank=True)
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


class ApplicationDocument(AttachmentBase):
    """A file attached to an application (or to its answer to an integration request or an
    art. 10-bis notice). Files uploaded before core.AttachmentBase stay where they are
    (processes/<year>/<month>/): the field keeps each row's stored name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("descrizione del documento"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=attachment_upload_to,
        max_length=255,
        validators=[DOCUMENT_VALIDATOR],
        help_text=_("PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."),
    )
    # core.signatures.Report.as_json() of the file, read when it was uploaded.
    signature = models.JSONField(_("firma digitale"), default=dict, blank=True)
    # The signed self-declaration (DPR 445/2000) that confirms the application's declarations.
    is_declaration = models.BooleanField(_("dichiarazione sostitutiva firmata"), default=False)
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

    class Meta(AttachmentBase.Meta):
        verbose_name = _("allegato alla domanda")
        verbose_name_plural = _("allegati alla domanda")

    def upload_folder(self) -> str:
        return f"processes/applications/{self.application_id}"

    def __str__(self) -> str:
        return self.title
