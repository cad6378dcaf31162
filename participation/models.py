"""Participation above tables and procedures: proposals with official answers, public events,
news and the library."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from entities.models import Entity
from processes.models import Procedure
from tables.models import Table


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Presentata")
        UNDER_STUDY = "under_study", _("In valutazione")
        ACCEPTED = "accepted", _("Accolta")
        NOT_ACCEPTED = "not_accepted", _("Non accolta")

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="proposals")
    table = models.ForeignKey(
        Table, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    title = models.CharField(_("titolo"), max_length=200)
    text = models.TextField(_("testo"))
    status = models.CharField(
        _("stato"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    answer = models.TextField(_("risposta ufficiale"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposta")
        verbose_name_plural = _("proposte")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:proposal_detail", kwargs={"pk": self.pk})
