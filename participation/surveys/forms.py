"""The survey's form (with its questions as a formset) and the answer form built from the
questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DateTimeInput, PortalForm, PortalModelForm, choose_from
from entities.models import Entity, TargetGroup
from participation.forms import StaffAmbitoMixin, revalidate
from participation.models import Question, Survey
from tables.models import Table

MAX_QUESTIONS = 40
TEXT_MAX = 4000


class SurveyForm(StaffAmbitoMixin, PortalModelForm):
    class Meta:
        model = Survey
        fields = [
            "ambito",
            "title",
            "description",
            "audience",
            "table",
            "target_groups",
            "respondent",
            "opens_at",
            "closes_at",
        ]
        widgets = {
            "opens_at": DateTimeInput,
            "closes_at": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_groups": forms.CheckboxSelectMultiple,
        }
        labels = {
            "opens_at": _("Apertura (ora italiana)"),
            "closes_at": _("Chiusura (ora italiana)"),
        }
        help_texts = {
            "table": _("Solo se il questionario è rivolto ai membri di un tavolo."),
            "target_groups": _("Solo se il questionario è rivolto agli enti di alcune aree."),
        }

    def limit_to(self, ambiti) -> None:
        self.limit_ambito(ambiti)
        choose_from(
            self,
            table=Table.objects.filter(ambito__in=ambiti, archived_at__isnull=True).order_by(
                "name"
            ),
        )
        choose_from(self, target_groups=TargetGroup.objects.order_by("name"))
        revalidate(self)

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La chiusura deve seguire l'apertura."))
        audience = data.get("audience")
        table = data.get("table")
        if audience == Survey.Audience.TABLE:
            if table is None:
                self.add_error("table", _("Scegli il tavolo a cui è rivolto."))
            elif data.get("ambito") and table.ambito_id != data["ambito"].pk:
                self.add_error("table", _("Il tavolo non è dell'ambito scelto."))
        if audience == Survey.Audience.TARGET_GROUPS and not data.get("target_groups"):
            self.add_error("target_groups", _("Scegli almeno un'area di utenza."))
        return data


class QuestionForm(PortalModelForm):
    class Meta:
        model = Question
        fields = ["text", "kind", "required", "options", "help_text"]
        widgets = {"options": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = True  # a question left without text is dropped

    def has_changed(self) -> bool:
        return bool((self.data.get(self.add_prefix("text")) or "").strip())

    def clean(self):
        data = super().clean()
        if data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            options = [x.strip() for x in (data.get("options") or "").splitlines() if x.strip()]
            if len(options) < 2:
                self.add_error("options", _("Una domanda a scelta ha almeno due opzioni."))
            elif len(set(options)) != len(options):
                self.add_error("options", _("Le opzioni devono essere diverse tra loro."))
            data["options"] = "\n".join(options)
        else:
            data["options"] = ""
        return data


class BaseQuestionFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.questions():
            raise ValidationError(_("Scrivi almeno una domanda."))

    def questions(self) -> list[dict]:
        """The questions kept, in order (blank and deleted forms left out)."""
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("text") and not f.cleaned_data.get("DELETE")
        ]


QuestionFormSet = forms.modelformset_factory(
    Question,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
)


class ResponseForm(PortalForm):
    """One field per question (q_<id>), and the entity answering when the survey asks one
    response per entity."""

    def __init__(self, *args, survey: Survey, entities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.all())
        if survey.per_entity:
            self.fields["entity"] = forms.ModelChoiceField(
                label=_("Rispondi per l'ente"),
                queryset=entities if entities is not None else Entity.objects.none(),
                empty_label=None,
            )
        for q in self.questions:
            self.fields[f"q_{q.pk}"] = self._field(q)
        revalidate(self)

    @staticmethod
    def _field(q: Question) -> forms.Field:
        common: dict[str, Any] = {"label": q.text, "required": q.required, "help_text": q.help_text}
        if q.kind == Question.Kind.TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX, **common
            )
        choices = [(o, o) for o in q.option_list]
        if q.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)

    def values(self) -> dict[int, list[str]]:
        result = {}
        for q in self.questions:
            given = self.cleaned_data.get(f"q_{q.pk}")
            if isinstance(given, list):
                result[q.pk] = given
            else:
                result[q.pk] = [given.strip()] if given and given.strip() else []
        return result
