"""The open list of an accreditamento, the evaluation commission and its scores."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity
from processes.models.applications import Application
from processes.models.notices import Criterion
from processes.models.procedures import Procedure


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
    STATUS_AFTER: dict[str, str] = {
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
