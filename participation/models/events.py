"""Public events of an ambito (e.g. the Stati generali) with a programme of sessions. Anyone
registers with name and e-mail; each chosen session gives a seat or a place on its waiting list."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.links import object_url
from tables.models import Table


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        """Not over yet at `now` (by default the present)."""
        return self.filter(ends_at__gte=now or timezone.now())


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bozza")
        PUBLISHED = "published", _("Pubblicato")
        CANCELLED = "cancelled", _("Annullato")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("titolo"), max_length=200)
    summary = models.CharField(_("sintesi"), max_length=300, blank=True)
    description = models.TextField(_("descrizione"), blank=True)
    place = models.CharField(_("luogo"), max_length=255)
    starts_at = models.DateTimeField(_("inizio"), db_index=True)
    ends_at = models.DateTimeField(_("fine"))
    registration_closes_at = models.DateTimeField(
        _("chiusura delle iscrizioni"),
        null=True,
        blank=True,
        help_text=_("Se vuoto, le iscrizioni chiudono all'inizio."),
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("evento")
        verbose_name_plural = _("eventi")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("participation:event_detail", pk=self.pk)

    @property
    def registration_open(self) -> bool:
        closes = self.registration_closes_at or self.starts_at
        return self.status == self.Status.PUBLISHED and timezone.now() < closes


class EventSession(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("titolo"), max_length=200)
    description = models.TextField(_("descrizione"), blank=True)
    place = models.CharField(_("luogo (sala)"), max_length=255)
    starts_at = models.DateTimeField(_("inizio"))
    ends_at = models.DateTimeField(_("fine"))
    capacity = models.PositiveIntegerField(_("posti disponibili"))
    table = models.ForeignKey(
        Table,
        verbose_name=_("tavolo tematico"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_sessions",
    )

    class Meta:
        verbose_name = _("sessione")
        verbose_name_plural = _("sessioni")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="eventsession_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="eventsession_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """One person's registration to an event (no account needed). The signed link of its e-mails
    carries its id; `email` is what the person typed. Until the person confirms the address from
    that link (`confirmed_at`), its seats are held until `hold_expires_at`, then it is deleted
    (participation.services.events.registrations_expire). Registering one's own account address
    while logged in is confirmed at once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("nome e cognome"), max_length=200)
    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    privacy_accepted_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("indirizzo confermato il"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(
        _("posti trattenuti fino a"), null=True, blank=True, db_index=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("iscrizione")
        verbose_name_plural = _("iscrizioni")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(cancelled_at__isnull=True),
                name="registration_one_active_per_email",
            ),
        ]
        # "My area" finds a person's registrations by account or by address, case-insensitively.
        indexes = [models.Index(Upper("email"), name="registration_email_upper")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Booking(models.Model):
    """A registration's place in one session: a seat (held until the address is confirmed, then
    confirmed), or a position on the waiting list. Held and confirmed seats count against the
    session's capacity; a hold stops counting when its registration's hold expires."""

    class Status(models.TextChoices):
        HELD = "held", _("Posto trattenuto: conferma l'indirizzo")
        CONFIRMED = "confirmed", _("Posto confermato")
        WAITING = "waiting", _("In lista d'attesa")
        CANCELLED = "cancelled", _("Annullata")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="bookings"
    )
    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(_("stato"), max_length=10, choices=Status.choices, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(_("presente alle"), null=True, blank=True)

    class Meta:
        verbose_name = _("prenotazione")
        verbose_name_plural = _("prenotazioni")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=~Q(status="cancelled"),
                name="booking_one_open_per_session",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.registration} — {self.session}"
