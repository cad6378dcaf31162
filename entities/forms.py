"""Forms of the entity registry: registration/edit, status decisions, invitations, import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ambito import widgets as ambito_widgets
from ambito.models import Comune
from ambito.routing import current_ambito_id
from core.forms import CheckboxGrid, DateInput, PortalForm, PortalModelForm, RadioGrid
from core.identity import normalise_fiscal_code
from core.uploads import IMAGE_KINDS, FileKindValidator
from entities.models import (
    LEGAL_FORM_RULES,
    Activity,
    Entity,
    EntityClaim,
    EntityMembership,
    TargetGroup,
)
from entities.validators import validate_entity_tax_code, validate_vat_number

LOGO_MAX_BYTES = 2 * 1024 * 1024


class ComuneCheckboxes(ambito_widgets.ComuneCheckboxes):
    """The comuni where an entity operates: those of the ambito the visitor is in are offered."""

    def area(self):
        ambito_id = current_ambito_id()
        return Comune.objects.filter(ambiti=ambito_id) if ambito_id else Comune.objects.none()


class EntityForm(PortalModelForm):
    """What a representative fills in to register the entity, and later to edit it."""

    seat_comune = forms.ModelChoiceField(
        queryset=Comune.objects.all(),
        label=_("Comune della sede legale"),
        widget=ambito_widgets.ComuneSearchSelect,
        help_text=_(
            "Scrivi le prime lettere nella casella di ricerca, poi scegli il comune dall'elenco."
        ),
        error_messages={
            "required": _(
                "Scegli il comune della sede legale: scrivi le prime lettere e selezionalo."
            )
        },
    )
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.all(),
        label=_("Attività di interesse generale (art. 5 D.Lgs. 117/2017)"),
        widget=CheckboxGrid,
        error_messages={"required": _("Scegli almeno un'attività di interesse generale.")},
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(),
        label=_("Aree di utenza"),
        widget=CheckboxGrid,
        required=False,
    )
    operating_comuni = forms.ModelMultipleChoiceField(
        queryset=Comune.objects.all(),
        label=_("Comuni in cui opera"),
        widget=ComuneCheckboxes,
        required=False,
    )
    website = forms.URLField(label=_("Sito web"), required=False, assume_scheme="https")
    # Typed with spaces or SPID's "TINIT-" prefix too: normalised to 16 characters when cleaned.
    legal_representative_fiscal_code = forms.CharField(
        label=_("Codice fiscale del legale rappresentante"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Facoltativo, visibile solo al personale dell'ambito. Chi entra nel portale con SPID o CIE con questo codice fiscale può diventare amministratore dell'ente senza attendere l'Ufficio di Piano."
        ),
    )
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        validators=[FileKindValidator(IMAGE_KINDS, LOGO_MAX_BYTES)],
        help_text=_("Immagine PNG, JPEG o WebP, al massimo 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Entity
        fields = [
            "name", "tax_code", "vat_number", "legal_form", "runts_section", "runts_status", "runts_number",
            "runts_date", "address", "postal_code", "seat_comune", "pec", "email", "phone", "website",
            "legal_representative", "legal_representative_fiscal_code", "activities",
            "target_groups", "operating_comuni", "volunteers", "employees", "description", "logo",
        ]  # fmt: skip
        widgets = {
            "runts_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "tax_code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }
        help_texts = {
            "legal_form": _(
                "Pubbliche amministrazioni, partiti, sindacati, associazioni professionali e di datori di lavoro non sono enti del Terzo settore (art. 4, comma 2, D.Lgs. 117/2017), né lo sono i gruppi informali: possono registrarsi per partecipare ai tavoli, ma non presentare domanda ai procedimenti."
            ),
            "tax_code": _(
                "11 cifre; per una ditta individuale il codice fiscale personale di 16 caratteri."
            ),
            "vat_number": _("Facoltativa: 11 cifre."),
            "runts_number": _("Obbligatorio se l'ente è iscritto al RUNTS."),
            "pec": _("La posta elettronica certificata dell'ente, se ne ha una."),
            "email": _("Riceve le comunicazioni del portale, come l'esito della verifica."),
            "legal_representative": _("Visibile solo al personale dell'ambito."),
            "phone": _("Visibile solo al personale dell'ambito."),
            "description": _("Che cosa fa l'ente, per chi, dove (al massimo 3.000 caratteri)."),
        }
        error_messages = {
            "tax_code": {
                "unique": _("Un ente con questo codice fiscale è già registrato nel portale.")
            },
            "runts_number": {
                "unique": _("Questo numero di repertorio RUNTS appartiene già a un altro ente.")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forms_by_kind = {True: [], False: []}
        for value, label in Entity.LegalForm.choices:
            forms_by_kind[LEGAL_FORM_RULES[value].can_be_ets].append((value, label))
        self.fields["legal_form"].choices = [
            ("", "---------"),
            (_("Enti del Terzo settore"), forms_by_kind[True]),
            (_("Altri soggetti (non ETS: partecipano ai tavoli)"), forms_by_kind[False]),
        ]
        if self.instance.pk and self.instance.is_verified:
            note = _("Se lo modifichi, l'ente torna in verifica presso l'Ufficio di Piano.")
            for name in Entity.IDENTIFYING_FIELDS:
                field = self.fields[name]
                field.help_text = (
                    format_lazy("{} {}", field.help_text, note) if field.help_text else note
                )

    def clean_tax_code(self) -> str:
        return validate_entity_tax_code(self.cleaned_data.get("tax_code", ""))

    def clean_vat_number(self) -> str:
        return validate_vat_number(self.cleaned_data.get("vat_number", ""))

    def clean_legal_representative_fiscal_code(self) -> str:
        code = self.cleaned_data.get("legal_representative_fiscal_code", "")
        return normalise_fiscal_code(code) if code.strip() else ""

    def clean_postal_code(self) -> str:
        cap = (self.cleaned_data.get("postal_code") or "").strip()
        if cap and (len(cap) != 5 or not cap.isdigit()):
            raise ValidationError(_("Il CAP è formato da 5 cifre."))
        return cap

    def m2m_data(self) -> dict:
        return {
            f: self.cleaned_data.get(f) or []
            for f in ("activities", "target_groups", "operating_comuni")
        }

    def new_logo(self):
        """The uploaded logo file when a new one was sent (None otherwise)."""
        logo = self.cleaned_data.get("logo")
        return logo if logo and hasattr(logo, "content_type") else None


class StatusDecisionForm(PortalForm):
    reason = forms.CharField(
        label=_("Motivazione"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obbligatoria per respingere o sospendere: sarà inviata all'ente."),
    )


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("E-mail della persona da invitare"))
    role = forms.ChoiceField(
        label=_("Ruolo"),
        choices=EntityMembership.Role.choices,
        initial=EntityMembership.Role.DELEGATE,
        widget=RadioGrid,
        help_text=_(
            "Gli amministratori modificano i dati e gestiscono le persone; i delegati consultano e rappresentano l'ente."
        ),
    )


class RoleForm(PortalForm):
    role = forms.ChoiceField(label=_("Ruolo"), choices=EntityMembership.Role.choices)


IMPORT_FORMATS = {"csv": "csv", "xlsx": "xlsx", "ods": "ods"}
IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportForm(PortalForm):
    file = forms.FileField(
        label=_("File XLSX, ODS o CSV"),
        help_text=_(
            "Prima riga con le intestazioni delle colonne (scarica il modello). Il CSV può essere "
            "separato da punto e virgola o da virgola, in UTF-8 o Windows-1252. Al massimo "
            "10.000 righe."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Solo prova: controlla il file senza scrivere nulla"),
        help_text=_("Se il file non ha errori potrai poi importarlo senza caricarlo di nuovo."),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if ext not in IMPORT_FORMATS:
            raise ValidationError(_("Carica un file .xlsx, .ods oppure .csv."))
        # by content, like every upload: an XLSX archive is checked before anything reads it
        FileKindValidator(IMPORT_FORMATS, IMPORT_MAX_BYTES)(upload)
        self.format = IMPORT_FORMATS[ext]
        return upload


class ClaimForm(PortalModelForm):
    """A legal representative claims an entity registered under the tax code of their body."""

    tax_code = forms.CharField(
        label=_("Codice fiscale dell'ente"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Il codice fiscale con cui l'ente risulta già registrato nel portale."),
    )
    declaration = forms.BooleanField(
        label=_(
            "Dichiaro di essere il legale rappresentante dell'ente, o di agire con i suoi poteri, consapevole delle responsabilità penali per le dichiarazioni false (art. 76 D.P.R. 445/2000)."
        ),
        error_messages={"required": _("Conferma la dichiarazione per inviare la richiesta.")},
    )

    class Meta:
        model = EntityClaim
        fields = ["tax_code", "role", "statement", "document", "declaration"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 4}),
            "document": forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx,.p7m"}),
        }

    def clean_tax_code(self) -> str:
        return validate_entity_tax_code(self.cleaned_data.get("tax_code", ""))


class ClaimDecisionForm(PortalForm):
    decision = forms.ChoiceField(
        label=_("Decisione"),
        choices=[("accept", _("Accogli la richiesta")), ("reject", _("Respingi la richiesta"))],
        widget=RadioGrid,
    )
    previous_admins = forms.ChoiceField(
        label=_("Se accogli: gli amministratori attuali"),
        choices=EntityClaim.PreviousAdmins.choices,
        required=False,
        widget=RadioGrid,
        help_text=_("Chi ha registrato l'ente o lo amministra oggi: scegli il suo nuovo ruolo."),
    )
    reason = forms.CharField(
        label=_("Motivazione"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obbligatoria per respingere: è inviata al richiedente e agli amministratori."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Scrivi la motivazione: sarà inviata al richiedente."))
        if data.get("decision") == "accept" and not data.get("previous_admins"):
            self.add_error(
                "previous_admins", _("Scegli che cosa fare degli amministratori attuali dell'ente.")
            )
        return data
