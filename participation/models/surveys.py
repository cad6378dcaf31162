"""Surveys (questionari): the Ufficio di Piano of an ambito asks the members of a table, the
entities of given target groups or the public a few ordered questions between two dates. One
response per person, or per entity, is enforced by unique constraints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.links import object_url
from entities.models import Entity, TargetGroup
from tables.models import Table

SCALE = range(1, 6)


class Survey(models.Model):
    class Audience(models.TextChoices):
        TABLE = "table", _("I membri di un tavolo")
        TARGET_GROUPS = "target_groups", _("Gli enti di alcune aree di utenza")
        PUBLIC = "public", _("Tutti (cittadini con un account)")

    class Respondent(models.TextChoices):
        PERSON = "person", _("Una risposta per persona")
        ENTITY = "entity", _("Una risposta per ente")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bozza")
        PUBLISHED = "published", _("Pubblicato")

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("titolo"), max_length=200)
    description = models.TextField(_("presentazione"), blank=True)
    audience = models.CharField(
        _("a chi è rivolto"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    respondent = models.CharField(
        _("chi risponde"), max_length=10, choices=Respondent.choices, default=Respondent.PERSON
    )
    table = models.ForeignKey(
        Table,
        verbose_name=_("tavolo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("aree di utenza"), related_name="surveys", blank=True
    )
    opens_at = models.DateTimeField(_("apertura"))
    closes_at = models.DateTimeField(_("chiusura"))
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("questionario")
        verbose_name_plural = _("questionari")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(audience="table") | Q(table__isnull=False),
                name="survey_table_audience_has_table",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("participation:survey_detail", pk=self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def per_entity(self) -> bool:
        return self.respondent == self.Respondent.ENTITY

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def phase(self, now=None) -> str:
        """draft, upcoming, open or closed (for badges and messages)."""
        now = now or timezone.now()
        if self.is_draft:
            return "draft"
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Scelta singola")
        MULTIPLE = "multiple", _("Scelta multipla")
        SCALE = "scale", _("Scala da 1 a 5")
        TEXT = "text", _("Testo libero")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("posizione"))
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("domanda"), max_length=300)
    help_text = models.CharField(_("spiegazione"), max_length=300, blank=True)
    required = models.BooleanField(_("obbligatoria"), default=True)
    options = models.TextField(
        _("opzioni"), blank=True, help_text=_("Per le domande a scelta: un'opzione per riga.")
    )

    class Meta:
        verbose_name = _("domanda")
        verbose_name_plural = _("domande")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_one_per_position")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def option_list(self) -> list[str]:
        if self.kind == self.Kind.SCALE:
            return [str(n) for n in SCALE]
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class Response(models.Model):
    """One person's (or one entity's) answers to a survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="survey_responses"
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("risposta al questionario")
        verbose_name_plural = _("risposte ai questionari")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "entity"],
                condition=Q(entity__isnull=False),
                name="surveyresponse_one_per_entity",
            ),
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(entity__isnull=True),
                name="surveyresponse_one_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} — {self.entity or self.user}"


class Answer(models.Model):
    """One value given to one question: a choice question answered with several options has
    one row per option (so counts are one GROUP BY); a free text or a scale value is one row."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField()

    class Meta:
        verbose_name = _("risposta alla domanda")
        verbose_name_plural = _("risposte alle domande")

    def __str__(self) -> str:
        return self.value[:60]
