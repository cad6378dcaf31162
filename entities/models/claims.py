"""Claims: a person asks to administer an entity registered under a disputed tax code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import badges
from core.storage import private_storage
from core.uploads import DOCUMENT_KINDS, FileKindValidator, safe_filename
from entities.models.entity import Entity


def _claim_upload_to(instance, filename: str) -> str:
    return f"entities/claims/{timezone.now():%Y/%m}/{safe_filename(filename)}"


class EntityClaim(models.Model):
    """A person asks to administer an entity registered under a tax code they say is theirs
    (someone else registered it, or its administrators are gone), with a document proving that
    they represent it legally. The Ufficio di Piano of the entity's ambito decides: if it
    accepts, the claimant becomes an administrator and the earlier administrators are kept,
    made delegates or removed, as it chooses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In attesa di decisione")
        ACCEPTED = "accepted", _("Accolta")
        REJECTED = "rejected", _("Respinta")
        WITHDRAWN = "withdrawn", _("Ritirata")

    class PreviousAdmins(models.TextChoices):
        KEEP = "keep", _("Restano amministratori")
        DELEGATE = "delegate", _("Diventano delegati")
        REMOVE = "remove", _("Non fanno più parte dell'ente")

    MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="entity_claims",
        verbose_name=_("richiedente"),
    )
    role = models.CharField(
        _("ruolo nell'ente"),
        max_length=120,
        help_text=_("Per esempio: presidente e legale rappresentante."),
    )
    statement = models.TextField(
        _("motivazione della richiesta"),
        max_length=2000,
        help_text=_(
            "Spiega perché chiedi di amministrare l'ente (per esempio: chi l'ha registrato non lo rappresenta)."
        ),
    )
    document = models.FileField(
        _("documento che prova la rappresentanza legale"),
        storage=private_storage,
        upload_to=_claim_upload_to,
        validators=[FileKindValidator(DOCUMENT_KINDS, MAX_DOCUMENT_BYTES)],
        help_text=_(
            "Verbale di nomina, statuto o visura: PDF, ODT, DOCX o firmato digitalmente (.p7m), al massimo 20 MB."
        ),
    )
    document_sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("presentata il"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decisa il"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decisa da"),
    )
    decision_reason = models.TextField(_("motivazione della decisione"), blank=True)
    previous_admins = models.CharField(
        _("amministratori precedenti"), max_length=10, choices=PreviousAdmins.choices, blank=True
    )

    class Meta:
        verbose_name = _("richiesta di amministrazione")
        verbose_name_plural = _("richieste di amministrazione")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "claimant"],
                condition=Q(status="pending"),
                name="entityclaim_one_pending_per_claimant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimant} → {self.entity}"

    def get_absolute_url(self) -> str:
        return reverse("entities:claim_detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def status_tone(self) -> str:
        """Bootstrap tone of the status badge (the portal's usual tones: core.badges)."""
        return badges.tone_for(self.status)
