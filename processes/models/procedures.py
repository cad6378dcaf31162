"""The procedure (art. 55-56 CTS), its public timeline of steps, and the protocol counter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core import badges
from core.links import object_url
from core.storage import private_storage
from entities.models import Activity, Entity, TargetGroup
from processes.models.common import DOCUMENT_VALIDATOR, _upload_to
from processes.models.states import state_label
from tables.models import Table

if TYPE_CHECKING:
    from processes.models.notices import Notice


class Procedure(models.Model):
    class Kind(models.TextChoices):
        COPROGRAMMING = "coprogrammazione", _("Co-programmazione (art. 55 c. 2)")
        CODESIGN = "coprogettazione", _("Co-progettazione (art. 55 c. 3)")
        ACCREDITATION = "accreditamento", _("Accreditamento (art. 55 c. 4)")
        AGREEMENT_56 = "convenzione_56", _("Convenzione con ODV e APS (art. 56)")

    class Origin(models.TextChoices):
        EX_OFFICIO = "ex_officio", _("D'ufficio")
        ENTITY_REQUEST = "entity_request", _("Su istanza di un ente del Terzo settore")

    class DeclarationProof(models.TextChoices):
        """How the applicants must confirm their self-declarations (DPR 445/2000)."""

        CHECKBOX = "checkbox", _("Caselle di conferma ammesse")
        SPID_CIE_OR_SIGNED = (
            "spid_cie_or_signed",
            _("Obbligatori SPID/CIE di livello 2 o dichiarazione firmata digitalmente"),
        )

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
    declaration_proof = models.CharField(
        _("conferma delle dichiarazioni sostitutive"),
        max_length=20,
        choices=DeclarationProof.choices,
        default=DeclarationProof.CHECKBOX,
        help_text=_(
            "Come gli enti confermano le dichiarazioni (D.P.R. 445/2000) presentando la domanda. "
            "Si sceglie prima di pubblicare l'avviso e non si cambia dopo la pubblicazione "
            "dell'avviso."
        ),
    )
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
        return state_label(self.status, self.kind)

    @property
    def status_tone(self) -> str:
        """Tone of the status badge ({% status_badge procedure %})."""
        return badges.tone_for(
            self.status,
            {"cancelled": "danger", "closed": "secondary", "notice_published": "success"},
            default="primary",
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
    def requires_strong_declarations(self) -> bool:
        """Ticked boxes alone do not confirm the declarations: SPID/CIE level 2 or a signed
        declaration is required (see processes.services.declarations)."""
        return self.declaration_proof == self.DeclarationProof.SPID_CIE_OR_SIGNED

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
        return state_label(self.to_status)


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
