"""Meetings of a table: agenda, attachments and invitations (with attendance)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambito.models import Comune
from core.links import object_url
from core.models import AttachmentBase, attachment_upload_to
from core.storage import private_storage
from core.uploads import DOCUMENT_KINDS, FileKindValidator
from entities.models import Entity
from tables.models.tables import Table, TableMembership


class Meeting(models.Model):
    """A meeting (seduta) of a table, called with an agenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparazione")
        CONVENED = "convened", _("Convocata")
        CANCELLED = "cancelled", _("Annullata")

    table = models.ForeignKey(
        Table, verbose_name=_("tavolo"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("titolo"), max_length=200)
    starts_at = models.DateTimeField(_("inizio"), db_index=True)
    ends_at = models.DateTimeField(_("fine"))
    place = models.CharField(_("luogo"), max_length=255, blank=True)
    online_url = models.URLField(_("collegamento online"), blank=True)
    description = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: grows with each update sent"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    invitations_sent_at = models.DateTimeField(_("convocazione inviata il"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annullata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("seduta")
        verbose_name_plural = _("sedute")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return object_url("tables:meeting_detail", pk=self.pk)

    @property
    def uid(self) -> str:
        """Stable iCalendar UID: the same for the invitation, its updates and its cancellation."""
        host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0]
        return f"meeting-{self.pk}@{host}"

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @staticmethod
    def schedule_errors(*, starts_at, ends_at, creating: bool) -> dict[str, str | Promise]:
        """Errors of a schedule by field: the end after the start, no new meeting in the past."""
        errors: dict[str, str | Promise] = {}
        if starts_at and ends_at and ends_at <= starts_at:
            errors["ends_at"] = _("La fine deve essere successiva all'inizio.")
        if creating and starts_at and starts_at < timezone.now():
            errors["starts_at"] = _("Non si può convocare una seduta nel passato.")
        return errors


class AgendaItem(models.Model):
    """A point of a meeting's agenda (ordine del giorno). After the meeting the minutes record,
    for each point, what was said (summary) and what was decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("ordine"), default=0)
    title = models.CharField(_("punto all'ordine del giorno"), max_length=255)
    description = models.TextField(_("dettagli"), blank=True)
    summary = models.TextField(_("sintesi della discussione"), blank=True)
    decisions = models.TextField(_("decisioni"), blank=True)

    class Meta:
        verbose_name = _("punto all'ordine del giorno")
        verbose_name_plural = _("ordine del giorno")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class MeetingAttachment(AttachmentBase):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("titolo"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=attachment_upload_to,
        max_length=255,
        validators=[FileKindValidator(DOCUMENT_KINDS, 20 * 1024 * 1024)],
        help_text=_("PDF, ODT, DOCX o P7M, al massimo 20 MB."),
    )

    class Meta(AttachmentBase.Meta):
        verbose_name = _("allegato della seduta")
        verbose_name_plural = _("allegati della seduta")

    def __str__(self) -> str:
        return self.title

    def upload_folder(self) -> str:
        return f"tables/meetings/{self.meeting_id}"


class Invitation(models.Model):
    """One invitee of a meeting: a portal user or a plain e-mail address. Its delivery state is
    the one of the last message sent (core OutgoingEmail); the RSVP link carries a signed token
    of the invitation's id. The attendance register is kept on the same row."""

    class Response(models.TextChoices):
        PENDING = "pending", _("Nessuna risposta")
        YES = "yes", _("Partecipa")
        NO = "no", _("Non partecipa")
        MAYBE = "maybe", _("Forse")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Non registrata")
        PRESENT = "present", _("Presente")
        ABSENT_JUSTIFIED = "justified", _("Assente giustificato")
        ABSENT = "absent", _("Assente")
        DELEGATED = "delegated", _("Delegato ad altri")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_invitations",
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nome e cognome"), max_length=200, blank=True)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    membership = models.ForeignKey(
        TableMembership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    response = models.CharField(
        _("risposta"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("risposto il"), null=True, blank=True)
    last_email = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_sequence = models.IntegerField(
        default=-1, help_text="Meeting.sequence of the last message sent"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        _("presenza"), max_length=10, choices=Attendance.choices, blank=True, default=""
    )
    attendance_note = models.CharField(_("giustificazione o note"), max_length=255, blank=True)
    delegated_to = models.CharField(_("delegato a"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invito")
        verbose_name_plural = _("inviti")
        ordering = ["entity__name", "name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"], name="invitation_unique_email_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def delivery_status(self) -> str:
        return self.last_email.status if self.last_email_id and self.last_email else ""
