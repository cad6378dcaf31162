"""The reference lists an entity is described by: activities of general interest (art. 5) and
areas of users."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """An activity of general interest, art. 5 D.Lgs. 117/2017 (letters a-z)."""

    code = models.CharField(_("lettera"), max_length=1, unique=True)
    name = models.CharField(_("attività"), max_length=200)

    class Meta:
        verbose_name = _("attività di interesse generale (art. 5)")
        verbose_name_plural = _("attività di interesse generale (art. 5)")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}) {self.name}"


class TargetGroup(models.Model):
    """An area of users, as in ISTAT's survey of comuni's social spending."""

    code = models.SlugField(_("codice"), max_length=40, unique=True)
    name = models.CharField(_("area di utenza"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("area di utenza")
        verbose_name_plural = _("aree di utenza")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
