from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ambito.permissions import UFFICIO_DI_PIANO
from core.forms import DateTimeInput, PortalForm, PortalModelForm, choose_from
from core.models import User
from entities.models import Entity, EntityMembership
from tables import selectors
from tables.models import Invitation, Meeting, MeetingAttachment, Minutes, Table, TableMembership


def parse_extra_invitees(text: str) -> list[tuple[str, str]]:
    """Lines like "Mario Rossi <mario@example.org>" or "mario@example.org" -> [(name, email)]."""
    from django.core.validators import validate_email

    result, bad = [], []
    for raw in text.splitlines():
        line = raw.strip().rstrip(",;")
        if not line:
            continue
        name, email = "", line
        if "<" in line and line.endswith(">"):
            name, email = (
                line[: line.index("<")].strip().strip('"'),
                line[line.index("<") + 1 : -1].strip(),
            )
        try:
            validate_email(email)
        except ValidationError:
            bad.append(line)
            continue
        result.append((name, email.lower()))
    if bad:
        raise ValidationError(_("Indirizzi non validi: %(lines)s") % {"lines": ", ".join(bad)})
    return result


class TableForm(PortalModelForm):
    class Meta:
        model = Table
        fields = Table.EDITABLE_FIELDS
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, ambito, comuni: set[int] | None = None, **kwargs):
        """`comuni`: the form of a comune's staff (tables.permissions.creatable_comuni): a
        concertation table of one of these comuni, with coordinators from the Ufficio di Piano
        or these comuni only. None: any table of the ambito."""
        self.ambito = ambito
        super().__init__(*args, **kwargs)
        choose_from(self, comune=ambito.comuni.order_by("name"))
        people = User.objects.filter(staff_roles__ambito=ambito)
        if comuni is not None:
            self.fields["kind"].disabled = True  # a disabled field keeps its initial value
            self.initial["kind"] = Table.Kind.CONCERTATION
            choose_from(self, comune=ambito.comuni.filter(pk__in=comuni).order_by("name"))
            self.fields["comune"].required = True
            self.fields["comune"].empty_label = None  # type: ignore[attr-defined]
            people = people.filter(
                Q(staff_roles__role__in=UFFICIO_DI_PIANO) | Q(staff_roles__comune__in=comuni)
            )
        choose_from(self, coordinators=people.distinct().order_by("last_name", "first_name"))
        self.fields["coordinators"].help_text = _(
            "Personale dell'ambito che gestisce il tavolo insieme all'Ufficio di Piano."
        )
        self.fields["slug"].help_text = _(
            "Lettere minuscole, numeri e trattini; per esempio: inclusione."
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        qs = Table.objects.filter(ambito=self.ambito, slug=slug)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError(_("Un altro tavolo dell'ambito usa già questo indirizzo breve."))
        return slug

    def clean(self):
        data = super().clean()
        if data.get("kind") == Table.Kind.CONCERTATION and not data.get("comune"):
            self.add_error("comune", _("Un tavolo di concertazione riguarda un comune: indicalo."))
        if data.get("kind") != Table.Kind.CONCERTATION and data.get("comune"):
            self.add_error("comune", _("Il comune si indica solo per i tavoli di concertazione."))
        return data


class JoinForm(PortalForm):
    entity = forms.ModelChoiceField(label=_("Ente"), queryset=Entity.objects.none())
    delegate = forms.ModelChoiceField(
        label=_("Delegato"),
        queryset=User.objects.none(),
        help_text=_("Chi rappresenta l'ente al tavolo e riceve le convocazioni."),
    )
    substitute = forms.ModelChoiceField(
        label=_("Sostituto"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Chi sostituisce il delegato quando è assente."),
    )
    motivation = forms.CharField(
        label=_("Motivazione"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text=_(
            "Perché l'ente chiede di partecipare: esperienza, servizi, contributo al tavolo."
        ),
    )

    def __init__(self, *args, entities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities
        if entities.count() == 1:
            self.fields["entity"].initial = entities.first().pk
        people = User.objects.filter(
            EntityMembership.current_q("entity_memberships__"),
            entity_memberships__entity__in=entities,
            is_active=True,
        ).distinct()
        self.fields["delegate"].queryset = people
        self.fields["substitute"].queryset = people
        self.fields["delegate"].label_from_instance = self.fields[
            "substitute"
        ].label_from_instance = lambda u: f"{u.display_name} ({u.email})"

    def clean(self):
        data = super().clean()
        entity, delegate, substitute = (
            data.get("entity"),
            data.get("delegate"),
            data.get("substitute"),
        )
        if entity and delegate:
            people = set(selectors.entity_people(entity).values_list("pk", flat=True))
            if delegate.pk not in people:
                self.add_error(
                    "delegate", _("Il delegato deve essere una persona dell'ente scelto.")
                )
            if substitute and substitute.pk not in people:
                self.add_error(
                    "substitute", _("Il sostituto deve essere una persona dell'ente scelto.")
                )
        if delegate and substitute and delegate == substitute:
            self.add_error(
                "substitute", _("Il sostituto deve essere una persona diversa dal delegato.")
            )
        return data


class DecisionForm(PortalForm):
    reason = forms.CharField(
        label=_("Motivazione (inviata all'ente)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class MemberAddForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("Tipo di membro"),
        choices=[
            (TableMembership.Kind.COMUNE, _("Personale di un comune")),
            (TableMembership.Kind.EXPERT, _("Esperto")),
        ],
    )
    comune_staff = forms.ModelChoiceField(
        label=_("Persona del comune"), queryset=User.objects.none(), required=False
    )
    email = forms.EmailField(label=_("E-mail dell'esperto"), required=False)
    first_name = forms.CharField(label=_("Nome dell'esperto"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Cognome dell'esperto"), required=False, max_length=150)
    motivation = forms.CharField(label=_("Competenza o ruolo"), required=False, max_length=500)

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        from ambito.models import StaffRole

        self.roles = {
            r.user_id: r
            for r in StaffRole.objects.filter(
                ambito=ambito, role=StaffRole.Role.COMUNE
            ).select_related("comune", "user")
        }
        self.fields["comune_staff"].queryset = User.objects.filter(pk__in=self.roles.keys())
        self.fields["comune_staff"].label_from_instance = lambda u: (
            f"{u.display_name} — {self.roles[u.pk].comune.name}"
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == TableMembership.Kind.COMUNE:
            if not data.get("comune_staff"):
                self.add_error("comune_staff", _("Scegli la persona del comune."))
            else:
                data["person"] = data["comune_staff"]
                data["comune"] = self.roles[data["comune_staff"].pk].comune
        elif data.get("kind") == TableMembership.Kind.EXPERT:
            for name in ("email", "first_name", "last_name"):
                if not data.get(name):
                    self.add_error(name, _("Campo obbligatorio per un esperto."))
        return data


class MeetingForm(PortalForm):
    title = forms.CharField(label=_("Titolo"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Inizio (ora italiana)"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Fine (ora italiana)"), widget=DateTimeInput)
    place = forms.CharField(
        label=_("Luogo"), max_length=255, required=False, help_text=_("Indirizzo e sala.")
    )
    online_url = forms.URLField(
        label=_("Collegamento online"), required=False, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Note per i partecipanti"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, creating: bool = True, **kwargs):
        self.creating = creating
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        for field, message in Meeting.schedule_errors(
            starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), creating=self.creating
        ).items():
            self.add_error(field, message)
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Indica il luogo o il collegamento online (o entrambi)."))
        return data


class AgendaItemForm(PortalForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Punto all'ordine del giorno"), max_length=255, required=False)
    description = forms.CharField(
        label=_("Dettagli"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


AgendaFormSet = formset_factory(AgendaItemForm, extra=5, max_num=60)


def agenda_rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("title")]


class AttachmentForm(PortalModelForm):
    class Meta:
        model = MeetingAttachment
        fields = ["title", "file"]


class SendForm(PortalForm):
    extra = forms.CharField(
        label=_("Altri invitati (facoltativo)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Un indirizzo per riga, anche di chi non ha un account; per esempio: Mario Rossi <mario.rossi@example.org>"
        ),
    )

    def clean_extra(self):
        return parse_extra_invitees(self.cleaned_data["extra"])


class RsvpForm(PortalForm):
    response = forms.ChoiceField(
        label=_("La tua risposta"),
        choices=[
            (Invitation.Response.YES, _("Parteciperò")),
            (Invitation.Response.MAYBE, _("Forse")),
            (Invitation.Response.NO, _("Non parteciperò")),
        ],
        widget=forms.RadioSelect,
    )


class AttendanceRowForm(PortalForm):
    attendance = forms.ChoiceField(
        label=_("Presenza"), choices=Invitation.Attendance.choices, required=False
    )
    delegated_to = forms.CharField(label=_("Delegato a"), max_length=200, required=False)
    attendance_note = forms.CharField(
        label=_("Giustificazione o note"), max_length=255, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("attendance") == Invitation.Attendance.DELEGATED and not data.get(
            "delegated_to"
        ):
            self.add_error("delegated_to", _("Indica a chi è stata data la delega."))
        return data


class MinutesForm(PortalModelForm):
    class Meta:
        model = Minutes
        fields = ["chair", "secretary", "introduction", "closing"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "closing": forms.Textarea(attrs={"rows": 3}),
        }


class CorrectionForm(PortalForm):
    """A correction (rettifica) of approved minutes: its reason and the corrected text."""

    reason = forms.CharField(
        label=_("Motivo della rettifica"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Che cosa si corregge e perché: compare nella nuova versione pubblicata del verbale."
        ),
        error_messages={"required": _("Indica il motivo della rettifica.")},
    )
    chair = forms.CharField(label=_("Presidente della seduta"), max_length=200)
    secretary = forms.CharField(label=_("Segretario verbalizzante"), max_length=200)
    introduction = forms.CharField(
        label=_("Premessa"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    closing = forms.CharField(
        label=_("Conclusione e varie"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CorrectionAttendanceForm(AttendanceRowForm):
    """One row of the register in a correction: presence and delegation (the notes are staff's,
    never in the minutes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["attendance_note"]


class MinutesItemForm(PortalForm):
    summary = forms.CharField(
        label=_("Sintesi della discussione"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    decisions = forms.CharField(
        label=_("Decisioni"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CommentForm(PortalForm):
    body = forms.CharField(
        label=_("La tua osservazione"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
