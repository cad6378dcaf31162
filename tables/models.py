"""Thematic working tables, their members and their meetings."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from core.links import object_url
from core.storage import private_storage
from core.uploads import DOCUMENT_KINDS, FileKindValidator
from entities.models import Entity, TargetGroup


class TableQuerySet(models.QuerySet):
    def public(self) -> TableQuerySet:
        """Tables anyone may see: all but the reserved ones not yet made public."""
        return self.exclude(reserved=True, disclosed_at__isnull=True)


class Table(models.Model):
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


class Meeting(models.Model):
    """A meeting (seduta) of a table, called with an agenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparazione")
        CONVENED = "convened", _("Convocata")
        CANCELLED = "cancelled", _("Annullata")

    table = models.ForeignKey(
        Table, verbose_name=_("tavolo"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("titolo"), max_length=200)
    starts_at = models.DateTimeField(_("inizio"), db_index=True)
    ends_at = models.DateTimeField(_("fine"))
    place = models.CharField(_("luogo"), max_length=255, blank=True)
    online_url = models.URLField(_("collegamento online"), blank=True)
    description = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: grows with each update sent"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    invitations_sent_at = models.DateTimeField(_("convocazione inviata il"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annullata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("seduta")
        verbose_name_plural = _("sedute")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return object_url("tables:meeting_detail", pk=self.pk)

    @property
    def uid(self) -> str:
        """Stable iCalendar UID: the same for the invitation, its updates and its cancellation."""
        host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0]
        return f"meeting-{self.pk}@{host}"

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class AgendaItem(models.Model):
    """A point of a meeting's agenda (ordine del giorno). After the meeting the minutes record,
    for each point, what was said (summary) and what was decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("ordine"), default=0)
    title = models.CharField(_("punto all'ordine del giorno"), max_length=255)
    description = models.TextField(_("dettagli"), blank=True)
    summary = models.TextField(_("sintesi della discussione"), blank=True)
    decisions = models.TextField(_("decisioni"), blank=True)

    class Meta:
        verbose_name = _("punto all'ordine del giorno")
        verbose_name_plural = _("ordine del giorno")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance: MeetingAttachment, filename: str) -> str:
    from core.uploads import safe_filename

    return f"tables/meetings/{instance.meeting_id}/{safe_filename(filename)}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("titolo"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=_attachment_path,
        validators=[FileKindValidator(DOCUMENT_KINDS, 20 * 1024 * 1024)],
        help_text=_("PDF, ODT, DOCX o P7M, al massimo 20 MB."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("allegato della seduta")
        verbose_name_plural = _("allegati della seduta")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """One invitee of a meeting: a portal user or a plain e-mail address. Its delivery state is
    the one of the last message sent (core OutgoingEmail); the RSVP link carries a signed token
    of the invitation's id. The attendance register is kept on the same row."""

    class Response(models.TextChoices):
        PENDING = "pending", _("Nessuna risposta")
        YES = "yes", _("Partecipa")
        NO = "no", _("Non partecipa")
        MAYBE = "maybe", _("Forse")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Non registrata")
        PRESENT = "present", _("Presente")
        ABSENT_JUSTIFIED = "justified", _("Assente giustificato")
        ABSENT = "absent", _("Assente")
        DELEGATED = "delegated", _("Delegato ad altri")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_invitations",
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nome e cognome"), max_length=200, blank=True)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("ente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    membership = models.ForeignKey(
        TableMembership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    response = models.CharField(
        _("risposta"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("risposto il"), null=True, blank=True)
    last_email = models.ForeignKey(
        "core.OutgoingEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_sequence = models.IntegerField(
        default=-1, help_text="Meeting.sequence of the last message sent"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        _("presenza"), max_length=10, choices=Attendance.choices, blank=True, default=""
    )
    attendance_note = models.CharField(_("giustificazione o note"), max_length=255, blank=True)
    delegated_to = models.CharField(_("delegato a"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invito")
        verbose_name_plural = _("inviti")
        ordering = ["entity__name", "name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"], name="invitation_unique_email_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def delivery_status(self) -> str:
        return self.last_email.status if self.last_email_id and self.last_email else ""


class Minutes(models.Model):
    """The minutes (verbale) of a meeting: draft -> shared with members for comments -> approved.
    The per-item summary and decisions live on AgendaItem; attendance on Invitation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bozza")
        SHARED = "shared", _("Condiviso con i membri per osservazioni")
        APPROVED = "approved", _("Approvato")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    introduction = models.TextField(_("premessa"), blank=True)
    closing = models.TextField(_("conclusione e varie"), blank=True)
    chair = models.CharField(_("presidente della seduta"), max_length=200, blank=True)
    secretary = models.CharField(_("segretario verbalizzante"), max_length=200, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("verbale")
        verbose_name_plural = _("verbali")

    def __str__(self) -> str:
        return f"Verbale — {self.meeting}"

    def get_absolute_url(self) -> str:
        return object_url("tables:minutes_detail", pk=self.meeting_id)

    @property
    def is_approved(self) -> bool:
        """Approved minutes freeze the meeting's record: meeting data, agenda, attendance,
        attachments and the text of the minutes change only through a correction (rettifica),
        published as a new MinutesVersion."""
        return self.status == self.Status.APPROVED


class MinutesComment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("osservazione"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("osservazione al verbale")
        verbose_name_plural = _("osservazioni al verbale")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class MinutesVersion(models.Model):
    """A version of approved minutes. Version 1 is the record approved after the meeting; each
    later one is a correction (rettifica) written by staff with its reason, then approved and
    published. `record` holds everything the public page and the PDF show (tables.records), so
    that they never depend on live rows again. A published version never changes and stays
    public, with its date, after a later one replaces it."""

    PDF_KIND = "minutes_pdf"  # core.FileJob.kind of a version's PDF (the job's owner)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Rettifica in preparazione")
        PUBLISHED = "published", _("Pubblicata")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versione"))
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reason = models.TextField(_("motivo della rettifica"), blank=True)
    record = models.JSONField(_("contenuto del verbale"), encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approvata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("versione del verbale")
        verbose_name_plural = _("versioni del verbale")
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "number"], name="minutesversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["minutes"],
                condition=Q(status="draft"),
                name="minutesversion_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="minutesversion_published_is_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} — v{self.number}"

    def get_absolute_url(self) -> str:
        return object_url("tables:minutes_version", pk=self.minutes.meeting_id, number=self.number)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_correction(self) -> bool:
        return self.number > 1
