"""Public communication: news, the library (good practices, regulations, guides) and each
ambito's page with its Regolamento and principles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from core.links import object_url
from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, FileKindValidator
from entities.models import TargetGroup

IMAGE_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class News(models.Model):
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="news"
    )
    title = models.CharField(_("titolo"), max_length=200)
    summary = models.CharField(
        _("sintesi"),
        max_length=300,
        help_text=_("Una o due frasi: compaiono negli elenchi e nei feed."),
    )
    body = models.TextField(_("testo"))
    image = models.ImageField(
        _("immagine"),
        upload_to="participation/news/",
        blank=True,
        validators=[FileKindValidator(IMAGE_KINDS, IMAGE_MAX_BYTES)],
    )
    image_alt = models.CharField(
        _("descrizione dell'immagine"),
        max_length=200,
        blank=True,
        help_text=_("Per chi non vede l'immagine."),
    )
    published_at = models.DateTimeField(_("pubblicata il"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notizia")
        verbose_name_plural = _("notizie")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("participation:news_detail", pk=self.pk)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


class LibraryTag(models.Model):
    name = models.CharField(_("nome"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("etichetta")
        verbose_name_plural = _("etichette")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LibraryItem(models.Model):
    class Kind(models.TextChoices):
        GOOD_PRACTICE = "good_practice", _("Buona pratica")
        REGULATION = "regulation", _("Normativa")
        GUIDE = "guide", _("Guida")

    class Level(models.TextChoices):
        NATIONAL = "national", _("Nazionale")
        REGIONAL = "regional", _("Regionale")
        AMBITO = "ambito", _("Dell'ambito")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("ambito"), on_delete=models.PROTECT, related_name="library_items"
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, db_index=True)
    level = models.CharField(
        _("livello"),
        max_length=10,
        choices=Level.choices,
        blank=True,
        help_text=_("Per la normativa: da chi proviene."),
    )
    title = models.CharField(_("titolo"), max_length=250)
    description = models.TextField(_("descrizione"))
    source = models.CharField(_("fonte o autore"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("anno"), null=True, blank=True)
    tags = models.ManyToManyField(
        LibraryTag, verbose_name=_("etichette"), related_name="items", blank=True
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("aree di utenza"), related_name="library_items", blank=True
    )
    file = models.FileField(
        _("documento"),
        upload_to="participation/library/",
        blank=True,
        max_length=255,
        validators=[FileKindValidator(DOCUMENT_KINDS, DOCUMENT_MAX_BYTES)],
    )
    url = models.URLField(_("collegamento"), blank=True)
    is_regolamento = models.BooleanField(
        _("è il Regolamento dell'ambito"),
        default=False,
        help_text=_("Compare nella pagina dell'ambito."),
    )
    published_at = models.DateTimeField(_("pubblicato il"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("documento della biblioteca")
        verbose_name_plural = _("biblioteca")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""), name="libraryitem_file_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("participation:library_detail", pk=self.pk)


class Principle(models.Model):
    """One of the principles an ambito's Regolamento states (publicity and transparency, ...)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="principles")
    order = models.PositiveSmallIntegerField(_("ordine"), default=0)
    title = models.CharField(_("principio"), max_length=120)
    text = models.TextField(_("descrizione"))

    class Meta:
        verbose_name = _("principio")
        verbose_name_plural = _("principi")
        ordering = ["ambito", "order", "id"]

    def __str__(self) -> str:
        return self.title
