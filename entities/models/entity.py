"""The Third Sector entity (ETS) or partner, and the rules its legal form sets."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from core import badges
from core.identity import normalise_fiscal_code
from core.links import object_url
from core.uploads import IMAGE_KINDS, FileKindValidator
from entities.models.taxonomy import Activity, TargetGroup
from entities.validators import validate_entity_tax_code, validate_vat_number


class EntityQuerySet(models.QuerySet):
    def ets(self) -> EntityQuerySet:
        """Bodies whose legal form can make them enti del Terzo settore (LEGAL_FORM_RULES)."""
        return self.filter(legal_form__in=ETS_LEGAL_FORMS)

    def non_ets(self) -> EntityQuerySet:
        """Participants that are not ETS: excluded by art. 4 c. 2, or informal groups."""
        return self.exclude(legal_form__in=ETS_LEGAL_FORMS)


class Entity(models.Model):
    class LegalForm(models.TextChoices):
        ODV = "odv", _("Organizzazione di volontariato (ODV)")
        APS = "aps", _("Associazione di promozione sociale (APS)")
        COOP_A = "coop_a", _("Cooperativa sociale di tipo A")
        COOP_B = "coop_b", _("Cooperativa sociale di tipo B")
        SOCIAL_ENTERPRISE = "impresa_sociale", _("Impresa sociale")
        FOUNDATION = "fondazione", _("Fondazione")
        PHILANTHROPIC = "ente_filantropico", _("Ente filantropico")
        NETWORK = "rete_associativa", _("Rete associativa")
        MUTUAL_AID = "mutuo_soccorso", _("Società di mutuo soccorso")
        ASSOCIATION = "associazione", _("Altra associazione riconosciuta o non riconosciuta")
        RELIGIOUS = "ente_religioso", _("Ente religioso civilmente riconosciuto (ramo ETS)")
        UNION = "sindacato", _("Organizzazione sindacale")
        SCHOOL = "scuola", _("Istituzione scolastica")
        UNIVERSITY = "universita", _("Università o ente di ricerca")
        INFORMAL = "gruppo_informale", _("Gruppo informale")
        OTHER = "altro", _("Altro ente privato senza scopo di lucro")
        PUBLIC_ADMINISTRATION = (
            "pubblica_amministrazione",
            _("Pubblica amministrazione (comune, ASL, altro ente pubblico)"),
        )
        POLITICAL_PARTY = "partito", _("Partito o movimento politico")
        PROFESSIONAL_ASSOCIATION = (
            "associazione_professionale",
            _("Associazione professionale o di rappresentanza di categorie economiche"),
        )
        EMPLOYERS_ASSOCIATION = "associazione_datoriale", _("Associazione di datori di lavoro")

    class RunstSection(models.TextChoices):
        A = "a", _("a) Organizzazioni di volontariato")
        B = "b", _("b) Associazioni di promozione sociale")
        C = "c", _("c) Enti filantropici")
        D = "d", _("d) Imprese sociali, incluse le cooperative sociali")
        E = "e", _("e) Reti associative")
        F = "f", _("f) Società di mutuo soccorso")
        G = "g", _("g) Altri enti del Terzo settore")

    class RunstStatus(models.TextChoices):
        REGISTERED = "iscritto", _("Iscritto al RUNTS")
        PENDING = "in_iscrizione", _("In iscrizione")
        MIGRATING = "in_trasmigrazione", _("In trasmigrazione")
        NOT_REGISTERED = "non_iscritto", _("Non iscritto")

    class Status(models.TextChoices):
        PENDING = "pending", _("In attesa di verifica")
        VERIFIED = "verified", _("Verificato")
        REJECTED = "rejected", _("Respinto")
        SUSPENDED = "suspended", _("Sospeso")

    ambito = models.ForeignKey(
        Ambito,
        verbose_name=_("ambito di riferimento"),
        on_delete=models.PROTECT,
        related_name="entities",
        help_text=_("L'Ufficio di Piano di questo ambito verifica l'ente."),
    )
    name = models.CharField(_("denominazione"), max_length=255, db_index=True)
    tax_code = models.CharField(_("codice fiscale"), max_length=16, unique=True)
    vat_number = models.CharField(_("partita IVA"), max_length=11, blank=True)
    legal_form = models.CharField(_("forma giuridica"), max_length=30, choices=LegalForm.choices)
    runts_section = models.CharField(
        _("sezione RUNTS"), max_length=1, choices=RunstSection.choices, blank=True
    )
    runts_status = models.CharField(
        _("iscrizione al RUNTS"),
        max_length=20,
        choices=RunstStatus.choices,
        default=RunstStatus.NOT_REGISTERED,
    )
    runts_number = models.CharField(
        _("numero di repertorio RUNTS"), max_length=30, null=True, blank=True, unique=True
    )
    runts_date = models.DateField(_("data di iscrizione al RUNTS"), null=True, blank=True)
    address = models.CharField(_("indirizzo della sede legale"), max_length=255)
    postal_code = models.CharField(_("CAP"), max_length=5, blank=True)
    seat_comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune della sede legale"),
        on_delete=models.PROTECT,
        related_name="seated_entities",
    )
    pec = models.EmailField(_("PEC"), blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("telefono"), max_length=30, blank=True)
    website = models.URLField(_("sito web"), blank=True)
    legal_representative = models.CharField(_("legale rappresentante"), max_length=200)
    # Whoever logs in with SPID/CIE with this fiscal code may become the entity's administrator
    # without the Ufficio di Piano (entities.services.claims). Never shown to the public.
    legal_representative_fiscal_code = models.CharField(
        _("codice fiscale del legale rappresentante"), max_length=16, blank=True, default=""
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("attività di interesse generale"), related_name="entities"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("aree di utenza"), related_name="entities", blank=True
    )
    operating_comuni = models.ManyToManyField(
        Comune, verbose_name=_("comuni in cui opera"), related_name="operating_entities", blank=True
    )
    volunteers = models.PositiveIntegerField(_("numero di volontari"), default=0)
    employees = models.PositiveIntegerField(_("numero di dipendenti"), default=0)
    description = models.TextField(_("descrizione"), blank=True, max_length=3000)
    logo = models.ImageField(
        _("logo"),
        upload_to="entities/logos/",
        blank=True,
        validators=[FileKindValidator(IMAGE_KINDS, 2 * 1024 * 1024)],
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(_("motivazione dello stato"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("ente")
        verbose_name_plural = _("enti")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(runts_status="iscritto")
                | (Q(runts_number__isnull=False) & ~Q(runts_number="")),
                name="entity_runts_number_when_registered",
            ),
        ]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("entities:detail", pk=self.pk)

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def legal_form_label(self) -> str:
        """get_legal_form_display() without its cost: Django rebuilds (and hashes, translating
        every label) the dict of all 16 choices on each call; lists show one per row."""
        try:
            return str(self.LegalForm(self.legal_form).label)
        except ValueError:
            return self.legal_form

    @property
    def status_tone(self) -> str:
        """Bootstrap tone of the status badge (the portal's usual tones: core.badges)."""
        return badges.tone_for(self.status)

    @property
    def legal_form_rule(self) -> LegalFormRule:
        return LEGAL_FORM_RULES.get(self.legal_form, NOT_ETS)

    @property
    def is_ets(self) -> bool:
        """Whether the body can be an ente del Terzo settore (its legal form decides): verified,
        it is counted and listed as one; otherwise it is a participant of tables only."""
        return self.legal_form_rule.can_be_ets

    @property
    def may_apply_to_procedures(self) -> bool:
        """Whether its legal form lets it apply to art. 55-56 procedures (processes checks it
        with the entity's verification)."""
        return self.legal_form_rule.may_apply

    @property
    def kind_label(self) -> str:
        return str(_("Ente del Terzo settore") if self.is_ets else _("Partecipante non ETS"))

    # Fields an administrator edits; their changes go into the audit trail.
    EDITABLE_FIELDS = (
        "name", "tax_code", "vat_number", "legal_form", "runts_section", "runts_status", "runts_number",
        "runts_date", "address", "postal_code", "seat_comune", "pec", "email", "phone", "website",
        "legal_representative", "legal_representative_fiscal_code", "activities", "target_groups",
        "operating_comuni", "volunteers", "employees", "description", "logo",
    )  # fmt: skip

    # The data that identify the body legally: what the RUNTS records of it (name, codes, legal
    # form, section, number, date and state of registration), who represents it at law, and the
    # comune of its registered seat (which decides the ambito that verifies it). When the
    # entity's own people change one of them after verification, the entity goes back to the
    # Ufficio di Piano (services.entity_update). Contacts, address, description, activities and
    # numbers do not identify it: they change freely (and are recorded in the audit trail).
    IDENTIFYING_FIELDS = (
        "name", "tax_code", "vat_number", "legal_form", "runts_section", "runts_status", "runts_number",
        "runts_date", "legal_representative", "legal_representative_fiscal_code", "seat_comune",
    )  # fmt: skip

    def clean(self) -> None:
        """Normalise the codes and check the rules that need no query (uniqueness is checked by
        validate_unique and, in imports, against a pre-loaded set)."""
        errors: dict[str, list] = {}
        try:
            self.tax_code = validate_entity_tax_code(self.tax_code)
        except ValidationError as exc:
            errors["tax_code"] = exc.messages
        try:
            self.vat_number = validate_vat_number(self.vat_number)
        except ValidationError as exc:
            errors["vat_number"] = exc.messages
        if self.legal_representative_fiscal_code:
            try:
                self.legal_representative_fiscal_code = normalise_fiscal_code(
                    self.legal_representative_fiscal_code
                )
            except ValidationError as exc:
                errors["legal_representative_fiscal_code"] = exc.messages
        self.runts_number = (self.runts_number or "").strip().upper() or None
        if self.runts_status == self.RunstStatus.REGISTERED:
            if not self.runts_number:
                errors["runts_number"] = [
                    _("Il numero di repertorio è obbligatorio per un ente iscritto al RUNTS.")
                ]
            if not self.runts_section:
                errors["runts_section"] = [
                    _("Indica la sezione del RUNTS in cui l'ente è iscritto.")
                ]
            if not self.runts_date:
                errors["runts_date"] = [_("Indica la data di iscrizione al RUNTS.")]
        if self.runts_date and self.runts_date > timezone.localdate():
            errors["runts_date"] = [_("La data di iscrizione non può essere nel futuro.")]
        if self.legal_form and not self.is_ets:
            not_ets = _("%(form)s non è un ente del Terzo settore: %(why)s.") % {
                "form": self.legal_form_label,
                "why": self.legal_form_rule.note,
            }
            if self.runts_status != self.RunstStatus.NOT_REGISTERED:
                errors.setdefault("runts_status", []).append(
                    _("Non può essere iscritto al RUNTS. %(why)s") % {"why": not_ets}
                )
            if self.runts_section:
                errors.setdefault("runts_section", []).append(
                    _("Lascia vuota la sezione RUNTS. %(why)s") % {"why": not_ets}
                )
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class LegalFormRule:
    """What a legal form allows. `can_be_ets`: the body can be an ente del Terzo settore (art. 4
    D.Lgs. 117/2017), so it is verified, counted and listed as one; otherwise it is registered
    as a participant of tables only. `may_apply`: it may apply to art. 55-56 procedures.
    `note`: why it is not an ETS, for the people concerned (a clause: "... : <note>.")."""

    can_be_ets: bool
    may_apply: bool
    note: str | Promise = ""


ETS = LegalFormRule(can_be_ets=True, may_apply=True)
NOT_ETS = LegalFormRule(
    can_be_ets=False, may_apply=False, note=_("la sua forma giuridica non è tra quelle degli ETS")
)


def _excluded(why) -> LegalFormRule:
    return LegalFormRule(can_be_ets=False, may_apply=False, note=why)


_ART_4_2 = _("l'art. 4, comma 2, del Codice del Terzo settore (D.Lgs. 117/2017) lo esclude")
F = Entity.LegalForm
LEGAL_FORM_RULES: dict[str, LegalFormRule] = {
    F.ODV: ETS,
    F.APS: ETS,
    F.COOP_A: ETS,
    F.COOP_B: ETS,
    F.SOCIAL_ENTERPRISE: ETS,
    F.FOUNDATION: ETS,
    F.PHILANTHROPIC: ETS,
    F.NETWORK: ETS,
    F.MUTUAL_AID: ETS,
    F.ASSOCIATION: ETS,
    F.RELIGIOUS: ETS,  # for its Third Sector branch (art. 4, comma 3)
    F.OTHER: ETS,  # "altri enti di carattere privato diversi dalle società" (art. 4, comma 1)
    F.PUBLIC_ADMINISTRATION: _excluded(_ART_4_2),
    F.POLITICAL_PARTY: _excluded(_ART_4_2),
    F.UNION: _excluded(_ART_4_2),
    F.PROFESSIONAL_ASSOCIATION: _excluded(_ART_4_2),
    F.EMPLOYERS_ASSOCIATION: _excluded(_ART_4_2),
    # State schools and universities are public administrations (art. 1, comma 2, D.Lgs. 165/2001)
    F.SCHOOL: _excluded(_ART_4_2),
    F.UNIVERSITY: _excluded(_ART_4_2),
    F.INFORMAL: _excluded(_("un gruppo informale non ha statuto né personalità giuridica")),
}
ETS_LEGAL_FORMS = tuple(form for form, rule in LEGAL_FORM_RULES.items() if rule.can_be_ets)
del F
