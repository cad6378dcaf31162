"""The outcome of a procedure: its documents, the project budget, the agreement and its reports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.funds import CODE_MAX_LENGTH, FUND_CHOICES
from core.storage import StoredFileMixin, private_storage
from entities.models import Entity
from processes.models.common import DOCUMENT_VALIDATOR, _upload_to
from processes.models.procedures import Procedure


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
    fund = models.CharField(
        _("fonte di finanziamento"), max_length=CODE_MAX_LENGTH, choices=FUND_CHOICES
    )
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
        _("convenzione"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        blank=True,
        help_text=_(
            "Il PDF da firmare (o già firmato, .p7m), al massimo 20 MB. Se lo lasci vuoto, il "
            "portale genera il PDF dai dati della convenzione."
        ),
    )
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, blank=True, editable=False)
    # core.signatures.Report.as_json() of `file`, read when it was uploaded.
    signature = models.JSONField(_("firma digitale"), default=dict, blank=True)
    ambito_signer_name = models.CharField(
        _("firmatario per l'ente pubblico"), max_length=200, blank=True
    )
    ambito_signer_fiscal_code = models.CharField(
        _("codice fiscale del firmatario per l'ente pubblico"),
        max_length=16,
        blank=True,
        help_text=_("Serve a verificare la firma digitale della convenzione."),
    )
    # The agreement signed digitally by the parties, kept beside the original `file`.
    signed_file = models.FileField(
        _("convenzione firmata digitalmente"),
        storage=private_storage,
        upload_to=_upload_to,
        validators=[DOCUMENT_VALIDATOR],
        blank=True,
    )
    signed_signature = models.JSONField(default=dict, blank=True)
    signed_file_at = models.DateTimeField(null=True, blank=True)
    fully_signed_at = models.DateTimeField(_("firmata da tutte le parti il"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("convenzione")
        verbose_name_plural = _("convenzioni")

    def __str__(self) -> str:
        return str(_("Convenzione — %(p)s") % {"p": self.procedure})


class AgreementCommunication(models.Model):
    """A formal communication about the agreement to one party (ready to sign, signed)."""

    class Kind(models.TextChoices):
        READY = "ready", _("Convenzione da firmare")
        SIGNED = "signed", _("Convenzione firmata")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="communications"
    )
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    communication = models.ForeignKey(
        "core.OutgoingEmail", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comunicazione sulla convenzione")
        verbose_name_plural = _("comunicazioni sulla convenzione")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.entity}"


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
    # core.signatures.Report.as_json() of the document, read when it was uploaded.
    signature = models.JSONField(_("firma digitale"), default=dict, blank=True)

    class Meta:
        verbose_name = _("spesa documentata")
        verbose_name_plural = _("spese documentate")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
