"""Shared building blocks: the user, the audit trail, notifications, the e-mail outbox and the
generated-file jobs. Domain apps hold foreign keys to these, never the other way round."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import StoredFileMixin, private_storage


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("The e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with the e-mail address; roles come from ambito and entity memberships."""

    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Subito")
        DAILY = "daily", _("Riepilogo giornaliero")
        NONE = "none", _("Nessuna e-mail")

    username = None
    email = models.EmailField(_("indirizzo e-mail"), unique=True)
    phone = models.CharField(_("telefono"), max_length=30, blank=True)
    notification_email = models.CharField(
        _("e-mail per le notifiche"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    anonymised_at = models.DateTimeField(_("anonimizzato il"), null=True, blank=True)
    # The fiscal code proven by SPID or CIE (core.identity): set by a login or a link with one of
    # them (or by a superuser in the admin), never typed by the person, so that it can identify
    # them. Empty for accounts that never used SPID/CIE.
    fiscal_code = models.CharField(
        _("codice fiscale"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("Verificato con SPID o CIE: identifica la persona al posto dell'e-mail."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_code"],
                condition=~models.Q(fiscal_code=""),
                name="core_user_fiscal_code_unique",
                violation_error_message=_("Un altro account ha già questo codice fiscale."),
            )
        ]

    # What display_name reads: the fields a page showing people needs to load (see
    # core.queries.select_related_only).
    DISPLAY_FIELDS = ("first_name", "last_name", "email")

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        if self.fiscal_code:
            from core.identity import normalise_fiscal_code

            try:
                self.fiscal_code = normalise_fiscal_code(self.fiscal_code)
            except ValidationError as exc:
                raise ValidationError({"fiscal_code": exc.messages}) from exc

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    # What replaces a deleted account's person (core.services.user_erase): in place of their
    # address, in rows that must keep one, and in place of their address or name in the audit trail.
    @property
    def pseudonymous_email(self) -> str:
        return f"cancellato-{self.pk}@invalid.example"

    @property
    def pseudonym(self) -> str:
        return f"utente-cancellato-{self.pk}"


class AuditEvent(models.Model):
    """Who changed what, when, and why: one row per state change, written by services."""

    created_at = models.DateTimeField(_("quando"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_repr = models.CharField(_("chi"), max_length=255, blank=True)
    action = models.CharField(_("azione"), max_length=80)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("oggetto"), max_length=255)
    # Scope for the ambito's staff; a plain integer so that core stays below ambito.
    ambito_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("modifiche"), default=dict, blank=True)
    reason = models.TextField(_("motivazione"), blank=True)

    class Meta:
        verbose_name = _("evento di audit")
        verbose_name_plural = _("registro delle modifiche")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"
        )


class Notification(models.Model):
    """Something that concerns a user: shown in the portal, e-mailed as the user prefers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("tipo"), max_length=60)
    title = models.CharField(_("titolo"), max_length=255)
    body = models.TextField(_("testo"), blank=True)
    url = models.CharField(_("collegamento"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification left by e-mail (immediately or in a digest): never twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["emailed_at", "user"]),
        ]

    def __str__(self) -> str:
        return self.title


class OutgoingEmail(models.Model):
    """The outbox: every e-mail the portal sends is a row first, so that sending survives crashes,
    retries never send twice, and staff can see what failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In coda")
        SENDING = "sending", _("In invio")
        SENT = "sent", _("Inviata")
        FAILED = "failed", _("Non inviata")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail ordinaria")
        PEC = "pec", _("PEC")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    to = models.EmailField(_("destinatario"))
    subject = models.CharField(_("oggetto"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)  # [{filename, mimetype, content_b64}]
    reply_to = models.EmailField(blank=True)
    template = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Whose Ufficio di Piano sees the message when it fails (None: only superusers).
    ambito_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # Formal communications (core.mail.enqueue_formal) go by PEC when they can; when they could
    # not, `channel_note` says why they went by ordinary e-mail.
    channel = models.CharField(
        _("canale"), max_length=5, choices=Channel.choices, default=Channel.EMAIL
    )
    formal = models.BooleanField(_("comunicazione formale"), default=False)
    channel_note = models.CharField(_("avviso sul canale"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("e-mail in uscita")
        verbose_name_plural = _("e-mail in uscita")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def message_id(self) -> str:
        return f"<outbox-{self.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0].split(':')[0]}>"


class PecReceipt(models.Model):
    """A receipt of the PEC provider for a message sent by PEC (its daticert.xml): accepted by
    the sender's provider, delivered to the recipient's mailbox, or not delivered. Fetched over
    IMAP (core.pec.fetch_receipts) or uploaded by staff as the .eml they received."""

    class Kind(models.TextChoices):
        ACCEPTED = "accettazione", _("Accettazione")
        NOT_ACCEPTED = "non-accettazione", _("Non accettazione")
        TAKEN = "presa-in-carico", _("Presa in carico")
        DELIVERED = "avvenuta-consegna", _("Avvenuta consegna")
        NOT_DELIVERED = "mancata-consegna", _("Mancata consegna")
        OTHER = "altro", _("Altra ricevuta")

    class Source(models.TextChoices):
        IMAP = "imap", _("Casella PEC")
        UPLOAD = "upload", _("Caricata a mano")

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="pec_receipts")
    kind = models.CharField(_("ricevuta"), max_length=20, choices=Kind.choices)
    pec_type = models.CharField(_("tipo nel daticert"), max_length=40)
    # The provider's identifier of the transaction (<identificativo>) and the receipt's time.
    identifier = models.CharField(_("identificativo"), max_length=255, blank=True)
    occurred_at = models.DateTimeField(_("data e ora"), null=True, blank=True)
    recipient = models.CharField(_("destinatario"), max_length=255, blank=True)
    error = models.CharField(_("errore"), max_length=500, blank=True)
    # SHA-256 of the daticert.xml: the same receipt read twice is stored once.
    fingerprint = models.CharField(max_length=64, unique=True)
    daticert = models.TextField(_("daticert.xml"))
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.IMAP)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ricevuta PEC")
        verbose_name_plural = _("ricevute PEC")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient}"


class FileJob(models.Model):
    """Work done in the background, whose page polls its progress: a file generated (a PDF, an
    export), or a file uploaded and processed (an import: `upload` holds it, `params` says how,
    `result` what came of it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In coda")
        RUNNING = "running", _("In lavorazione")
        DONE = "done", _("Pronto")
        FAILED = "failed", _("Non riuscito")

    kind = models.CharField(_("tipo"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    owner = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("descrizione"), max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="jobs/%Y/%m/", blank=True)
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, blank=True)
    error = models.TextField(blank=True)
    upload = models.FileField(
        _("file caricato"), storage=private_storage, upload_to="jobs/uploads/%Y/%m/", blank=True
    )
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("file generato")
        verbose_name_plural = _("file generati")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "kind", "-created_at"])]

    def __str__(self) -> str:
        return self.label or self.kind

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the beat-scheduled heartbeat task (core.tasks.heartbeat),
    one row per worker node; /health/ reads the newest (core.health)."""

    worker = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("battito di un worker")
        verbose_name_plural = _("battiti dei worker")

    def __str__(self) -> str:
        return f"{self.worker} {self.seen_at:%Y-%m-%d %H:%M:%S}"


def attachment_upload_to(instance: AttachmentBase, filename: str) -> str:
    """`<instance.upload_folder()>/<the name made safe>` in the private storage."""
    from core.uploads import safe_filename

    return f"{instance.upload_folder()}/{safe_filename(filename)}"


class AttachmentBase(StoredFileMixin, models.Model):
    """An uploaded file that belongs to a row of an app (a meeting's attachment, an application's
    document): kept in the private storage, served only after a permission check
    (core.http.file_response), offered under `filename`. Abstract: no table of its own.

    A concrete model adds its foreign key and title, says where its files go with
    `upload_folder()`, and redeclares `file` only to add validators (keep
    `upload_to=attachment_upload_to` and `storage=private_storage`). Its Meta inherits
    `AttachmentBase.Meta` to keep the ordering."""

    file = models.FileField(
        _("file"), storage=private_storage, upload_to=attachment_upload_to, max_length=255
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def upload_folder(self) -> str:
        """The folder of this row's files; override with the parent's id in it."""
        return f"{self._meta.app_label}/{self._meta.model_name}"
