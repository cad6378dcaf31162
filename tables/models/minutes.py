"""Minutes (verbale) of a meeting, members' comments and the published versions."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import object_url
from tables.models.meetings import Meeting


class Minutes(models.Model):
    """The minutes (verbale) of a meeting: draft -> shared with members for comments -> approved.
    The per-item summary and decisions live on AgendaItem; attendance on Invitation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bozza")
        SHARED = "shared", _("Condiviso con i membri per osservazioni")
        APPROVED = "approved", _("Approvato")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    introduction = models.TextField(_("premessa"), blank=True)
    closing = models.TextField(_("conclusione e varie"), blank=True)
    chair = models.CharField(_("presidente della seduta"), max_length=200, blank=True)
    secretary = models.CharField(_("segretario verbalizzante"), max_length=200, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("verbale")
        verbose_name_plural = _("verbali")

    def __str__(self) -> str:
        return f"Verbale — {self.meeting}"

    def get_absolute_url(self) -> str:
        return object_url("tables:minutes_detail", pk=self.meeting_id)

    @property
    def is_approved(self) -> bool:
        """Approved minutes freeze the meeting's record: meeting data, agenda, attendance,
        attachments and the text of the minutes change only through a correction (rettifica),
        published as a new MinutesVersion."""
        return self.status == self.Status.APPROVED


class MinutesComment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("osservazione"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("osservazione al verbale")
        verbose_name_plural = _("osservazioni al verbale")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class MinutesVersion(models.Model):
    """A version of approved minutes. Version 1 is the record approved after the meeting; each
    later one is a correction (rettifica) written by staff with its reason, then approved and
    published. `record` holds everything the public page and the PDF show (tables.records), so
    that they never depend on live rows again. A published version never changes and stays
    public, with its date, after a later one replaces it."""

    PDF_KIND = "minutes_pdf"  # core.FileJob.kind of a version's PDF (the job's owner)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Rettifica in preparazione")
        PUBLISHED = "published", _("Pubblicata")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versione"))
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reason = models.TextField(_("motivo della rettifica"), blank=True)
    record = models.JSONField(_("contenuto del verbale"), encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approvata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("versione del verbale")
        verbose_name_plural = _("versioni del verbale")
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "number"], name="minutesversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["minutes"],
                condition=Q(status="draft"),
                name="minutesversion_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="minutesversion_published_is_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} — v{self.number}"

    def get_absolute_url(self) -> str:
        return object_url("tables:minutes_version", pk=self.minutes.meeting_id, number=self.number)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_correction(self) -> bool:
        return self.number > 1
