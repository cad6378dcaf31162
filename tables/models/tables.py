"""Thematic working tables and their seats (memberships)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from core.links import object_url
from entities.models import Entity, TargetGroup


class TableQuerySet(models.QuerySet):
    def public(self) -> TableQuerySet:
        """Tables anyone may see: all but the reserved ones not yet made public."""
        return self.exclude(reserved=True, disclosed_at__isnull=True)


class Table(models.Model):
    # Fields the staff edit (TableForm); their changes go into the audit trail.
    EDITABLE_FIELDS = (
        "name", "slug", "kind", "themes", "comune", "description", "coordinators", "is_open",
    )  # fmt: skip

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Tavolo tematico")
        CONCERTATION = "concertation", _("Tavolo di concertazione di un comune")
        WORKING_GROUP = "working_group", _("Gruppo di lavoro")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="tables"
    )
    name = models.CharField(_("nome"), max_length=200)
    slug = models.SlugField(_("indirizzo breve"), max_length=80)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.THEMATIC)
    themes = models.ManyToManyField(
        TargetGroup, verbose_name=_("temi (aree di utenza)"), related_name="tables", blank=True
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tables",
        help_text=_("Solo per i tavoli di concertazione di un comune."),
    )
    description = models.TextField(_("descrizione"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinatori"),
        related_name="coordinated_tables",
        blank=True,
    )
    is_open = models.BooleanField(
        _("aperto"),
        default=True,
        help_text=_("Se aperto, gli enti verificati possono chiedere di partecipare."),
    )
    archived_at = models.DateTimeField(_("archiviato il"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A reserved table (the working table of a co-progettazione, for instance) is seen only by
    # its members, its coordinators and the staff of its ambito, meetings and minutes included,
    # until it is made public (disclosed_at), for example when the outcome it led to is public.
    reserved = models.BooleanField(
        _("riservato"),
        default=False,
        help_text=_(
            "Visibile solo ai membri, ai coordinatori e allo staff dell'ambito finché non è reso "
            "pubblico."
        ),
    )
    disclosed_at = models.DateTimeField(_("reso pubblico il"), null=True, blank=True)

    objects = TableQuerySet.as_manager()

    class Meta:
        verbose_name = _("tavolo")
        verbose_name_plural = _("tavoli")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "slug"], name="table_unique_slug_per_ambito")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("tables:detail", pk=self.pk)

    @property
    def is_private(self) -> bool:
        """Reserved and not yet made public: hidden from everyone but its people."""
        return self.reserved and self.disclosed_at is None


class TableMembershipQuerySet(models.QuerySet):
    def current(self, user=None) -> TableMembershipQuerySet:
        """Active seats; with `user`, the active seats they hold (as delegate or substitute)."""
        return self.filter(TableMembership.current_q(user))


class TableMembership(models.Model):
    """A seat at a table: an entity (with its delegate and a substitute), a comune's staff member,
    or a named expert. Requests, refusals and departures are kept as history."""

    class Kind(models.TextChoices):
        ENTITY = "entity", _("Ente")
        COMUNE = "comune", _("Comune")
        EXPERT = "expert", _("Esperto")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Richiesta in attesa")
        ACTIVE = "active", _("Membro")
        REFUSED = "refused", _("Richiesta respinta")
        LEFT = "left", _("Uscito")

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="memberships")
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="table_memberships",
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="table_memberships",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegato"),
        on_delete=models.PROTECT,
        related_name="table_delegations",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sostituto"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="table_substitutions",
    )
    motivation = models.TextField(_("motivazione"), blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    status_reason = models.TextField(_("motivazione della decisione"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)

    objects = TableMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partecipazione al tavolo")
        verbose_name_plural = _("partecipazioni ai tavoli")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "entity"],
                condition=Q(status__in=["requested", "active"]) & Q(entity__isnull=False),
                name="tablemembership_one_open_per_entity",
            ),
        ]

    def __str__(self) -> str:
        who = self.entity or self.comune or self.delegate
        return f"{who} @ {self.table}"

    @classmethod
    def current_q(cls, user=None, *, prefix: str = "") -> Q:
        """The one rule of a current membership: an active seat, held by `user` (its delegate or
        substitute) when given. `prefix` reaches it through a relation ("memberships__")."""
        q = Q(**{f"{prefix}status": cls.Status.ACTIVE})
        if user is not None:
            q &= Q(**{f"{prefix}delegate": user}) | Q(**{f"{prefix}substitute": user})
        return q
