"""Factories for surveys (participation/models/surveys.py)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from participation.models import Question, Survey
from tests.factories.ambito import AmbitoFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    """A public survey, open since yesterday for a week."""

    class Meta:
        model = Survey

    ambito = factory.SubFactory(AmbitoFactory)
    title = factory.Sequence(lambda n: f"Questionario {n}")
    audience = Survey.Audience.PUBLIC
    respondent = Survey.Respondent.PERSON
    status = Survey.Status.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Domanda {n}")
    options = "Sì\nNo"


def survey_with_questions(**kwargs) -> Survey:
    """A survey asking one question of each kind: single (Sì/No), multiple (Casa/Lavoro/Scuola),
    scale, free text (optional)."""
    survey = SurveyFactory(**kwargs)
    QuestionFactory(survey=survey, position=1, text="Conosci i servizi?")
    QuestionFactory(
        survey=survey,
        position=2,
        kind=Question.Kind.MULTIPLE,
        text="Quali bisogni?",
        options="Casa\nLavoro\nScuola",
    )
    QuestionFactory(survey=survey, position=3, kind=Question.Kind.SCALE, text="Soddisfazione")
    QuestionFactory(
        survey=survey,
        position=4,
        kind=Question.Kind.TEXT,
        text="Suggerimenti",
        options="",
        required=False,
    )
    return survey
