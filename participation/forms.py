from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ambito import routing
from ambito.models import Ambito, Comune
from core.forms import (
    CheckboxGrid,
    DateTimeInput,
    PortalForm,
    PortalModelForm,
    RadioGrid,
    RichTextField,
    choose_from,
)
from core.uploads import FileKindValidator
from entities.models import TargetGroup
from participation.models import (
    Event,
    EventSession,
    LibraryItem,
    News,
    ParticipationSettings,
    Principle,
    Proposal,
)
from participation.models.proposals import ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES

MAX_ATTACHMENTS = 5


def revalidate(form) -> None:
    """core.forms.PortalFormMixin validates a bound form while styling it in __init__, before a
    subclass narrows its querysets: drop those errors so validation runs again on first use."""
    form._errors = None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("Puoi allegare al massimo %(n)d file.") % {"n": MAX_ATTACHMENTS}
            )
        validator = FileKindValidator(ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES)
        errors = []
        for f in files:
            try:
                validator(f)
            except ValidationError as exc:
                errors.extend(f"{f.name}: {m}" for m in exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


class ProposalForm(PortalModelForm):
    attachments = MultipleFileField(
        label=_("Allegati"),
        required=False,
        help_text=_("Fino a 5 file PDF, ODT, DOCX, P7M o immagini, 10 MB ciascuno."),
    )

    class Meta:
        model = Proposal
        fields = ["title", "text", "area", "target_groups", "comuni"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8}),
            "target_groups": CheckboxGrid,
            "comuni": CheckboxGrid,
        }
        help_texts = {"text": _("Descrivi il bisogno, la proposta e i risultati attesi.")}

    def __init__(self, *args, ambito: Ambito, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, comuni=Comune.objects.filter(ambiti=ambito).order_by("name"))
        choose_from(self, area=TargetGroup.objects.all())
        self.fields["area"].required = True
        revalidate(self)


class CitizenProposalForm(ProposalForm):
    """A citizen's proposal to the ambito: optionally to one of its public tables, public or
    read by the Ufficio di Piano only. No attachments (files are not moderated)."""

    attachments = None

    class Meta(ProposalForm.Meta):
        fields = ["title", "text", "area", "table", "target_groups", "comuni", "is_public"]
        labels = {"is_public": _("Rendi pubblica la proposta")}
        help_texts = {
            **ProposalForm.Meta.help_texts,
            "table": _("Facoltativo: il tavolo tematico a cui la rivolgi."),
            "is_public": _(
                "Tutti potranno leggerla, sostenerla e commentarla (con il tuo nome). "
                "Altrimenti la legge solo l'Ufficio di Piano."
            ),
        }

    def __init__(self, *args, ambito: Ambito, tables, **kwargs):
        super().__init__(*args, ambito=ambito, **kwargs)
        self.fields["table"].queryset = tables
        self.fields["table"].required = False
        revalidate(self)


class ModerationForm(PortalForm):
    reason = forms.CharField(
        label=_("Motivo"),
        max_length=500,
        help_text=_("È mostrato a tutti al posto del testo nascosto."),
    )


class ParticipationSettingsForm(PortalModelForm):
    class Meta:
        model = ParticipationSettings
        fields = ["citizen_proposals", "citizen_proposals_need_spid"]


class CommentForm(PortalForm):
    text = forms.CharField(
        label=_("Il tuo commento"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(PortalForm):
    status = forms.ChoiceField(
        label=_("Esito"),
        choices=[
            (Proposal.Status.ACCEPTED, _("Accolta (entra nel piano o nel procedimento)")),
            (Proposal.Status.UNDER_STUDY, _("In valutazione")),
            (Proposal.Status.NOT_ACCEPTED, _("Non accolta")),
        ],
        widget=RadioGrid(column_class="col-12"),
    )
    answer = forms.CharField(
        label=_("Risposta ufficiale e motivazione"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("La legge il proponente: spiega le ragioni della decisione."),
    )


class RegistrationForm(PortalForm):
    name = forms.CharField(
        label=_("Nome e cognome"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessioni a cui vuoi partecipare"),
        queryset=EventSession.objects.none(),
        widget=CheckboxGrid(column_class="col-12"),
        error_messages={"required": _("Scegli almeno una sessione.")},
    )
    privacy = forms.BooleanField(
        label=_("Ho letto l'informativa sul trattamento dei dati personali"),
        error_messages={
            "required": _("Per iscriverti devi prendere visione dell'informativa sulla privacy.")
        },
    )

    def __init__(
        self, *args, event: Event, sessions_status: dict[int, str] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        choose_from(self, sessions=event.sessions.all())
        labels = sessions_status or {}
        self.fields["sessions"].label_from_instance = lambda s: (
            f"{s.title} — {labels.get(s.pk, '')}".rstrip(" —")
        )
        revalidate(self)


class StaffAmbitoMixin:
    """Limits the ambito field to the ambiti the user manages (mixed into a form)."""

    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]

    def limit_ambito(self, ambiti) -> None:
        field = self.fields["ambito"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("ambito is not a model choice field")
        field.queryset = ambiti
        here = routing.place().pk  # the ambito the visitor is in, when it is one of theirs
        if not self.initial.get("ambito"):
            if len(ambiti) == 1:
                self.initial["ambito"] = ambiti[0].pk
            elif any(a.pk == here for a in ambiti):
                self.initial["ambito"] = here
        revalidate(self)


class EventForm(StaffAmbitoMixin, PortalModelForm):
    publish = forms.BooleanField(
        label=_("Pubblica l'evento (visibile a tutti, iscrizioni aperte)"), required=False
    )

    class Meta:
        model = Event
        fields = [
            "ambito",
            "title",
            "summary",
            "description",
            "place",
            "starts_at",
            "ends_at",
            "registration_closes_at",
        ]
        widgets = {
            "starts_at": DateTimeInput,
            "ends_at": DateTimeInput,
            "registration_closes_at": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("La fine deve seguire l'inizio."))
        closes = data.get("registration_closes_at")
        if closes and data.get("ends_at") and closes > data["ends_at"]:
            self.add_error(
                "registration_closes_at",
                _("Le iscrizioni devono chiudere prima della fine dell'evento."),
            )
        return data


class SessionForm(PortalModelForm):
    class Meta:
        model = EventSession
        fields = ["title", "description", "place", "starts_at", "ends_at", "capacity", "table"]
        widgets = {
            "starts_at": DateTimeInput,
            "ends_at": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        choose_from(self, table=event.ambito.tables.filter(archived_at__isnull=True))
        revalidate(self)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("La fine deve seguire l'inizio."))
        return data


class NewsForm(StaffAmbitoMixin, PortalModelForm):
    body = RichTextField(label=_("Testo"))
    publish = forms.BooleanField(label=_("Pubblica ora"), required=False)

    class Meta:
        model = News
        fields = ["ambito", "title", "summary", "body", "image", "image_alt"]

    def clean(self):
        data = super().clean()
        if data.get("image") and not data.get("image_alt"):
            self.add_error("image_alt", _("Descrivi l'immagine per chi non può vederla."))
        return data


class TagsField(forms.CharField):
    """Comma-separated tags, created when new."""

    def clean(self, value):
        names = [n.strip()[:60] for n in (super().clean(value) or "").split(",") if n.strip()]
        return [n for n in dict.fromkeys(names) if slugify(n)]


class LibraryItemForm(StaffAmbitoMixin, PortalModelForm):
    url = forms.URLField(label=_("Collegamento"), required=False, assume_scheme="https")
    tag_names = TagsField(
        label=_("Etichette"),
        required=False,
        help_text=_("Separate da virgole, per esempio: anziani, domiciliarità."),
    )
    publish = forms.BooleanField(label=_("Pubblica ora"), required=False)

    class Meta:
        model = LibraryItem
        fields = [
            "ambito",
            "kind",
            "level",
            "title",
            "description",
            "source",
            "year",
            "target_groups",
            "file",
            "url",
            "is_regolamento",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "target_groups": CheckboxGrid}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            self.add_error("url", _("Allega un documento o indica un collegamento."))
        if data.get("kind") == LibraryItem.Kind.REGULATION and not data.get("level"):
            self.add_error("level", _("Indica se la norma è nazionale, regionale o dell'ambito."))
        return data


class PrincipleForm(PortalModelForm):
    class Meta:
        model = Principle
        fields = ["order", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


PrincipleFormSet = forms.modelformset_factory(
    Principle, form=PrincipleForm, extra=2, can_delete=True
)
