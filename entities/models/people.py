"""The people acting for an entity: memberships and invitations by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.invitations import Invitation
from entities.models.entity import Entity


class EntityMembershipQuerySet(models.QuerySet):
    def current(self) -> EntityMembershipQuerySet:
        """Memberships not ended: the people acting for their entity today."""
        return self.filter(EntityMembership.current_q())


class EntityMembership(models.Model):
    """A person acting for an entity. Administrators edit it and act for it; delegates read and
    represent it at tables. Ended memberships are kept (ended_at) as history."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Amministratore")
        DELEGATE = "delegate", _("Delegato")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entity_memberships"
    )
    role = models.CharField(_("ruolo"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EntityMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("persona dell'ente")
        verbose_name_plural = _("persone dell'ente")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "user"],
                condition=Q(ended_at__isnull=True),
                name="entitymembership_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.entity} ({self.get_role_display()})"

    @staticmethod
    def current_q(prefix: str = "") -> Q:
        """The one rule of a current membership (not ended); `prefix` reaches it through a
        relation, e.g. "entity_memberships__" from a user, "memberships__" from an entity."""
        return Q(**{f"{prefix}ended_at__isnull": True})


class EntityInvitation(Invitation):
    """An administrator invites a colleague by e-mail. The link carries a random token; whoever
    follows it logs in or signs up (with that address) and becomes a member with `role`."""

    REVOKED = _("Questo invito è stato ritirato dall'amministratore dell'ente.")
    EXPIRED = _(
        "Questo invito è scaduto: chiedi all'amministratore dell'ente di inviarlo di nuovo."
    )

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("ruolo"), max_length=10, choices=EntityMembership.Role.choices)

    class Meta(Invitation.Meta):
        verbose_name = _("invito")
        verbose_name_plural = _("inviti")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="entityinvitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.entity}"

    def get_absolute_url(self) -> str:
        return reverse("entities:invitation", kwargs={"token": self.token})
