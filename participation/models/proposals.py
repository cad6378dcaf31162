"""Proposals that members of a table, applicants in a co-design phase, or (where the ambito allows
it) any registered person put forward; staff give an official answer and moderate the public ones.
The plan intervention an accepted proposal became is linked from plans/."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from core.links import object_url
from core.models import AttachmentBase, attachment_upload_to
from core.storage import private_storage
from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, FileKindValidator
from entities.models import Entity, TargetGroup
from processes.models import Procedure
from tables.models import Table

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_KINDS = DOCUMENT_KINDS | IMAGE_KINDS


class ParticipationSettings(models.Model):
    """What an ambito's Ufficio di Piano opens to citizens (one row per ambito, created when the
    settings are first saved: no row means everything closed)."""

    ambito = models.OneToOneField(
        Ambito, on_delete=models.CASCADE, related_name="participation_settings"
    )
    citizen_proposals = models.BooleanField(
        _("i cittadini possono presentare proposte"),
        default=False,
        help_text=_(
            "Chiunque abbia un account verificato può presentare una proposta all'ambito (o a "
            "un suo tavolo pubblico) e renderla pubblica; l'Ufficio di Piano la modera."
        ),
    )
    citizen_proposals_need_spid = models.BooleanField(
        _("solo con SPID o CIE"),
        default=False,
        help_text=_(
            "Se l'accesso con SPID o CIE è attivo nel portale, può proporre solo chi ha collegato "
            "al suo account un'identità SPID o CIE."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("impostazioni della partecipazione")
        verbose_name_plural = _("impostazioni della partecipazione")

    def __str__(self) -> str:
        return str(self.ambito)


class Moderated(models.Model):
    """Hidden by the Ufficio di Piano, with the reason shown in place of the text."""

    hidden_at = models.DateTimeField(_("nascosto il"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(_("motivo"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Proposal(Moderated):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Presentata")
        UNDER_STUDY = "under_study", _("In valutazione")
        ACCEPTED = "accepted", _("Accolta")
        NOT_ACCEPTED = "not_accepted", _("Non accolta")

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="proposals")
    table = models.ForeignKey(
        Table,
        verbose_name=_("tavolo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedimento"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente proponente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    title = models.CharField(_("titolo"), max_length=200)
    text = models.TextField(_("testo"))
    area = models.ForeignKey(
        TargetGroup,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals_in_area",
        help_text=_("L'area principale a cui si riferisce la proposta."),
    )
    target_groups = models.ManyToManyField(
        TargetGroup,
        verbose_name=_("destinatari (aree di utenza)"),
        related_name="proposals",
        blank=True,
    )
    comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni interessati"), related_name="proposals", blank=True
    )
    status = models.CharField(
        _("stato"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    answer = models.TextField(_("risposta ufficiale"), blank=True)
    # When the official answer was given (read by the participation analytics: time to answer).
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Public: everyone reads it (and registered people support and comment on it); otherwise
    # only the people of its table or procedure and the staff of its ambito.
    is_public = models.BooleanField(_("pubblica"), default=False, db_index=True)
    # A citizen's proposal, to the ambito (or one of its public tables) rather than as a member.
    by_citizen = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposta")
        verbose_name_plural = _("proposte")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(table__isnull=False) | Q(procedure__isnull=False) | Q(by_citizen=True),
                name="proposal_has_table_or_procedure",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="proposal_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("participation:proposal_detail", pk=self.pk)

    @property
    def context_object(self) -> Table | Procedure | None:
        return self.table or self.procedure

    @property
    def shown_title(self) -> str:
        """The title lists show: a hidden proposal's is replaced, like its text."""
        return str(_("Proposta nascosta dalla moderazione")) if self.is_hidden else self.title

    @property
    def is_answered(self) -> bool:
        return self.status != self.Status.SUBMITTED


def proposal_upload_to(instance: ProposalAttachment, filename: str) -> str:
    """Kept for migration 0002; the field now uses core.models.attachment_upload_to."""
    return attachment_upload_to(instance, filename)


class ProposalAttachment(AttachmentBase):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=attachment_upload_to,
        max_length=255,
        validators=[FileKindValidator(ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES)],
    )
    name = models.CharField(_("nome"), max_length=200)
    size = models.PositiveIntegerField(default=0)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("allegato della proposta")
        verbose_name_plural = _("allegati della proposta")

    def __str__(self) -> str:
        return self.name

    def upload_folder(self) -> str:
        return f"participation/proposals/{self.proposal_id}"


class ProposalSupport(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adesione alla proposta")
        verbose_name_plural = _("adesioni alle proposte")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], name="proposalsupport_one_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.proposal}"


class ProposalComment(Moderated):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_comments"
    )
    text = models.TextField(_("commento"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commento alla proposta")
        verbose_name_plural = _("commenti alle proposte")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="proposalcomment_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
