"""ATS ambiti, the comuni they group, and the staff roles scoped to an ambito or a comune."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambito.routing import validate_code
from core.invitations import Invitation
from core.uploads import IMAGE_KINDS, FileKindValidator


class Comune(models.Model):
    """An Italian comune, from ISTAT's official list (manage.py import_comuni)."""

    istat_code = models.CharField(
        _("codice ISTAT"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("Sei cifre."))],
    )
    name = models.CharField(_("nome"), max_length=120, db_index=True)
    province = models.CharField(_("provincia"), max_length=80)
    province_code = models.CharField(_("sigla provincia"), max_length=2)
    region = models.CharField(_("regione"), max_length=60)
    cadastral_code = models.CharField(_("codice catastale"), max_length=4, blank=True)
    population = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.province_code})"


class Ambito(models.Model):
    """An Ambito Territoriale Sociale: comuni that plan social services together."""

    name = models.CharField(_("nome"), max_length=200)
    code = models.SlugField(
        _("codice"),
        max_length=40,
        unique=True,
        validators=[validate_code],
        help_text=_(
            "Per esempio: ats-6-fano. È anche l'indirizzo delle pagine dell'ambito "
            "(/ats-6-fano/): lettere minuscole, cifre e trattini."
        ),
    )
    region = models.CharField(_("regione"), max_length=60)
    lead_comune = models.ForeignKey(
        Comune, verbose_name=_("ente capofila"), on_delete=models.PROTECT, related_name="led_ambiti"
    )
    comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni dell'ambito"), related_name="ambiti", blank=True
    )
    description = models.TextField(_("descrizione"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="ambiti/",
        blank=True,
        validators=[FileKindValidator(IMAGE_KINDS, 2 * 1024 * 1024)],
    )
    email = models.EmailField(_("e-mail dell'Ufficio di Piano"), blank=True)
    pec = models.EmailField(_("PEC"), blank=True)
    # The one source of the data controller named by the privacy page and every form's notice.
    data_controller = models.CharField(
        _("titolare del trattamento dei dati"),
        max_length=255,
        blank=True,
        help_text=_(
            "Se vuoto: il Comune ente capofila. Indicalo se la convenzione dell'ambito affida il "
            "trattamento a un altro ente (per esempio un'azienda consortile o un'Unione di Comuni)."
        ),
    )
    dpo_email = models.EmailField(
        _("e-mail del Responsabile della protezione dei dati (RPD)"), blank=True
    )
    # Who publishes the ambito's open data in the national catalogue (DCAT-AP_IT: dati.gov.it).
    ipa_code = models.CharField(
        _("codice IPA"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]+$", _("Lettere, cifre e trattino basso."))],
        help_text=_(
            "Il codice nell'Indice delle Pubbliche Amministrazioni (www.indicepa.gov.it) "
            "dell'ente che pubblica i dati aperti dell'ambito (di solito l'ente capofila), per "
            "esempio c_d488."
        ),
    )

    class Meta:
        verbose_name = _("ambito territoriale sociale")
        verbose_name_plural = _("ambiti territoriali sociali")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ambito:detail", kwargs={"code": self.code})

    @property
    def data_controller_name(self) -> str:
        """Who controls the personal data processed for this ambito (art. 13 GDPR): named by the
        privacy page and by every form's notice (components/privacy_notice.html)."""
        return self.data_controller or _(
            "Comune di %(comune)s, ente capofila dell'ambito %(ambito)s"
        ) % {"comune": self.lead_comune.name, "ambito": self.name}


class RoleFields(models.Model):
    """What a staff role is, shared by the role and by the invitation that offers it: Ufficio di
    Piano (whole ambito) or the social services of one comune, with a job title."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinatore dell'Ufficio di Piano")
        OPERATOR = "operator", _("Operatore dell'Ufficio di Piano")
        COMUNE = "comune", _("Servizi sociali del comune")

    ambito: models.ForeignKey[Ambito, Ambito]
    ambito_id: int
    role = models.CharField(_("ruolo"), max_length=20, choices=Role.choices)
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    job_title = models.CharField(_("qualifica"), max_length=120, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def comune_only_for_comune_role(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=(Q(role="comune") & Q(comune__isnull=False))
            | (~Q(role="comune") & Q(comune__isnull=True)),
            name=name,
        )

    @property
    def where(self) -> str:
        """The comune for comune staff, else the ambito."""
        return self.comune.name if self.comune is not None else self.ambito.name


class StaffRole(RoleFields):
    """A person's role in public administration: Ufficio di Piano (whole ambito) or comune staff."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="staff_roles")
    rup_eligible = models.BooleanField(
        _("può essere nominato RUP"),
        default=True,
        help_text=_(
            "Il responsabile unico del procedimento è un dipendente dell'amministrazione "
            "(art. 5 L. 241/1990, art. 15 D.Lgs. 36/2023): togli la spunta per chi collabora "
            "senza esserlo."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ruolo del personale")
        verbose_name_plural = _("ruoli del personale")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ambito", "role", "comune"], name="staffrole_unique"
            ),
            RoleFields.comune_only_for_comune_role("staffrole_comune_only_for_comune_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.where})"

    @property
    def is_ufficio_di_piano(self) -> bool:
        return self.role in (self.Role.COORDINATOR, self.Role.OPERATOR)


class StaffInvitation(Invitation, RoleFields):
    """A role of an ambito offered by e-mail: whoever follows the link logs in or signs up with
    that address and gets the role (core.invitations keeps the link through the sign-up)."""

    ALREADY_INVITED = _(
        "Questa persona ha già un invito in corso: puoi inviarlo di nuovo o "
        "ritirarlo dall'elenco degli inviti."
    )
    EXPIRED = _("Questo invito è scaduto: chiedi all'Ufficio di Piano di inviarlo di nuovo.")

    ambito = models.ForeignKey(Ambito, on_delete=models.CASCADE, related_name="staff_invitations")
    rup_eligible = models.BooleanField(_("può essere nominato RUP"), default=True)

    class Meta(Invitation.Meta):
        verbose_name = _("invito a un ruolo del personale")
        verbose_name_plural = _("inviti a ruoli del personale")
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="staffinvitation_one_open_per_email",
            ),
            RoleFields.comune_only_for_comune_role("staffinvitation_comune_only_for_comune_role"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.get_role_display()} ({self.ambito})"

    def get_absolute_url(self) -> str:
        return reverse("ambito:staff_invitation", kwargs={"token": self.token})
