"""The needs and services mapping of the territory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from entities.models import Entity, TargetGroup
from processes.models import Procedure
from tables.models import Table


class MappingRecord(models.Model):
    """What a need and an active service share: the area of users, the comuni, the entity that
    reported it (if an entity did) and who recorded it. Abstract: no table. Each keeps its own
    `ambito` (the reverse names differ, and a template name would alter the migration state)."""

    description = models.TextField(_("descrizione"), blank=True)
    area = models.ForeignKey(
        TargetGroup, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    comuni = models.ManyToManyField(Comune, verbose_name=_("comuni"), related_name="+", blank=True)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("segnalato dall'ente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Need(MappingRecord):
    """A need recorded by staff or an entity, from a table or a procedure."""

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.CASCADE, related_name="plan_needs"
    )
    title = models.CharField(_("bisogno"), max_length=200)
    target = models.CharField(
        _("destinatari"),
        max_length=200,
        blank=True,
        help_text=_("Per esempio: giovani 18-25 anni."),
    )
    source_table = models.ForeignKey(
        Table,
        verbose_name=_("emerso nel tavolo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("emerso nel procedimento"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bisogno")
        verbose_name_plural = _("bisogni")
        ordering = ["area__order", "title"]

    def __str__(self) -> str:
        return self.title


class Service(MappingRecord):
    """An active service of the territory: who runs it, where, for whom."""

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.CASCADE, related_name="plan_services"
    )
    name = models.CharField(_("servizio"), max_length=200)
    target = models.CharField(_("per chi"), max_length=200)
    run_by = models.CharField(_("chi lo gestisce"), max_length=200)
    run_by_entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente gestore"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place = models.CharField(
        _("dove"), max_length=200, blank=True, help_text=_("Indirizzo o sede.")
    )
    comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni serviti"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("servizio attivo")
        verbose_name_plural = _("servizi attivi")
        ordering = ["area__order", "name"]

    def __str__(self) -> str:
        return self.name
