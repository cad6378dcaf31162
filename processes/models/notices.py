"""The avviso pubblico in its versions, its evaluation criteria, and the reopenings of its window."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import object_url
from processes.models.procedures import Procedure


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
