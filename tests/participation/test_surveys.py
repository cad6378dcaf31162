"""Surveys: building, publishing, answering once, results, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from entities.models import TargetGroup
from participation.models import Answer, Question, Response, Survey
from participation.surveys import services
from tables.models import TableMembership
from tests.factories.participation import TableMembershipFactory
from tests.factories.surveys import SurveyFactory, survey_with_questions

pytestmark = pytest.mark.django_db


def _local(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _builder_data(ambito, **extra) -> dict:
    data = {
        "ambito": ambito.pk,
        "title": "Bisogni delle famiglie",
        "description": "Aiutaci a scrivere il Piano di Zona.",
        "audience": "public",
        "respondent": "person",
        "opens_at": _local(-1),
        "closes_at": _local(10),
        "domande-TOTAL_FORMS": "3",
        "domande-INITIAL_FORMS": "0",
        "domande-MIN_NUM_FORMS": "0",
        "domande-MAX_NUM_FORMS": "40",
        "domande-0-text": "Hai figli?",
        "domande-0-kind": "single",
        "domande-0-required": "on",
        "domande-0-options": "Sì\n\nNo\n",
        "domande-1-text": "Cosa ti serve?",
        "domande-1-kind": "text",
        "domande-1-options": "ignorate",
        "domande-2-text": "",
        "domande-2-kind": "single",
    }
    data.update(extra)
    return data


def _answers(survey, **by_position):
    questions = {q.position: q.pk for q in survey.questions.all()}
    return {questions[int(k[1:])]: v for k, v in by_position.items()}


def test_staff_build_a_survey_with_ordered_questions(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:survey_create"), _builder_data(ambito)
    )
    survey = Survey.objects.get(title="Bisogni delle famiglie")
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    assert survey.status == Survey.Status.DRAFT and survey.created_by == staff_user
    assert list(
        survey.questions.values_list("position", "text", "kind", "required", "options")
    ) == [
        (1, "Hai figli?", "single", True, "Sì\nNo"),
        (2, "Cosa ti serve?", "text", False, ""),
    ]
    page = client_for(staff_user).get(survey.get_absolute_url()).content.decode()
    assert "Pubblica il questionario" in page and "Hai figli?" in page


def test_a_choice_question_needs_two_options_and_a_table_survey_a_table(
    client_for, staff_user, ambito
):
    data = _builder_data(ambito, audience="table", **{"domande-0-options": "Solo una"})
    response = client_for(staff_user).post(reverse("participation:survey_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Una domanda a scelta ha almeno due opzioni." in page
    assert "Scegli il tavolo a cui è rivolto." in page
    assert not Survey.objects.exists()


def test_comune_staff_may_not_build_surveys(client_for, comune_user, ambito):
    response = client_for(comune_user).post(
        reverse("participation:survey_create"), _builder_data(ambito)
    )
    assert response.status_code == 403 and not Survey.objects.exists()


def test_publishing_notifies_the_table_members(
    client_for, staff_user, ambito, entity, entity_admin, django_capture_on_commit_callbacks
):
    from tests.factories.participation import TableFactory

    table = TableFactory(ambito=ambito, name="Famiglie")
    TableMembershipFactory(
        table=table, kind=TableMembership.Kind.ENTITY, entity=entity, delegate=entity_admin
    )
    survey = survey_with_questions(
        ambito=ambito, audience="table", table=table, status=Survey.Status.DRAFT
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(
            reverse("participation:survey_publish", args=[survey.pk])
        )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.PUBLISHED and survey.published_at
    note = Notification.objects.get(user=entity_admin)
    assert note.title == f"Nuovo questionario: {survey.title}"
    assert note.url.endswith(survey.get_absolute_url())


def test_a_published_survey_is_not_edited(client_for, staff_user, ambito):
    survey = survey_with_questions(ambito=ambito)
    response = client_for(staff_user).post(
        reverse("participation:survey_edit", args=[survey.pk]), _builder_data(ambito)
    )
    assert response.status_code == 302
    assert survey.questions.count() == 4 and not Survey.objects.filter(
        title="Bisogni delle famiglie"
    )


def test_a_person_answers_once_by_the_form_and_by_the_database(client_for, no_role_user, ambito):
    survey = survey_with_questions(ambito=ambito)
    c = client_for(no_role_user)
    q = {p: survey.questions.get(position=p).pk for p in range(1, 5)}
    data = {f"q_{q[1]}": "Sì", f"q_{q[2]}": ["Casa", "Scuola"], f"q_{q[3]}": "4", f"q_{q[4]}": ""}
    response = c.post(survey.get_absolute_url(), data)
    assert response.status_code == 302
    saved = Response.objects.get(survey=survey, user=no_role_user)
    assert sorted(saved.answers.values_list("question__position", "value")) == [
        (1, "Sì"),
        (2, "Casa"),
        (2, "Scuola"),
        (3, "4"),
    ]
    page = c.get(survey.get_absolute_url()).content.decode()
    assert "Hai già risposto a questo questionario" in page
    assert c.post(survey.get_absolute_url(), data).status_code == 403
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, user=no_role_user)
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_required_question_is_required(client_for, no_role_user, ambito):
    survey = survey_with_questions(ambito=ambito)
    response = client_for(no_role_user).post(survey.get_absolute_url(), {})
    assert response.status_code == 400
    assert "Campo obbligatorio." in response.content.decode()
    assert not Response.objects.exists()


def test_an_entity_answers_once_whoever_answers_for_it(
    client_for, ambito, entity, entity_admin, entity_delegate
):
    group = TargetGroup.objects.order_by("pk").first()
    entity.target_groups.add(group)
    survey = survey_with_questions(ambito=ambito, audience="target_groups", respondent="entity")
    survey.target_groups.add(group)
    values = _answers(survey, p1=["No"], p2=["Lavoro"], p3=["2"])
    services.response_submit(survey=survey, user=entity_admin, entity=entity, values=values)
    with pytest.raises(Exception) as exc:  # noqa: PT011 - refused by the audience check
        services.response_submit(survey=survey, user=entity_delegate, entity=entity, values=values)
    assert exc.type.__name__ in {"PermissionDenied", "ValidationError"}
    page = client_for(entity_delegate).get(survey.get_absolute_url()).content.decode()
    assert "Hai già risposto" in page
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, user=entity_delegate, entity=entity)


def test_entities_outside_the_target_groups_do_not_see_the_survey(
    client_for, ambito, other_entity_admin
):
    group = TargetGroup.objects.order_by("pk").first()
    survey = survey_with_questions(ambito=ambito, audience="target_groups", respondent="entity")
    survey.target_groups.add(group)
    assert client_for(other_entity_admin).get(survey.get_absolute_url()).status_code == 404
    assert client_for(None).get(survey.get_absolute_url()).status_code == 404


def test_a_closed_survey_takes_no_answers(no_role_user, ambito):
    survey = survey_with_questions(
        ambito=ambito,
        opens_at=timezone.now() - timedelta(days=3),
        closes_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(Exception) as exc:  # noqa: PT011
        services.response_submit(
            survey=survey, user=no_role_user, entity=None, values=_answers(survey, p1=["Sì"])
        )
    assert exc.type.__name__ == "PermissionDenied"


def test_staff_close_an_open_survey(client_for, staff_user, ambito):
    survey = survey_with_questions(ambito=ambito)
    client_for(staff_user).post(reverse("participation:survey_close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.phase() == "closed"
    page = client_for(None).get(survey.get_absolute_url()).content.decode()
    assert "Il questionario è chiuso." in page


def _answered(survey, users):
    for i, user in enumerate(users):
        services.response_submit(
            survey=survey,
            user=user,
            entity=None,
            values=_answers(
                survey,
                p1=["Sì" if i % 2 else "No"],
                p2=["Casa", "Lavoro"] if i % 3 == 0 else ["Scuola"],
                p3=[str(i % 5 + 1)],
                p4=[f"=Suggerimento {i}"] if i == 0 else [],
            ),
        )


def test_results_count_every_option_with_a_chart(client_for, staff_user, ambito):
    from tests.factories.core import UserFactory

    survey = survey_with_questions(ambito=ambito)
    _answered(survey, UserFactory.create_batch(4))
    page = client_for(staff_user).get(reverse("participation:survey_results", args=[survey.pk]))
    text = page.content.decode()
    assert "4 risposte" in text
    assert "<svg" in text and "Sì: 2 (50,0%); No: 2 (50,0%)" in text
    assert "Casa: 2 (50,0%); Lavoro: 2 (50,0%); Scuola: 2 (50,0%)" in text
    assert "=Suggerimento 0" in text


def test_results_take_the_same_queries_for_more_answers(
    client_for, staff_user, ambito, django_assert_max_num_queries
):
    from tests.factories.core import UserFactory

    survey = survey_with_questions(ambito=ambito)
    _answered(survey, UserFactory.create_batch(2))
    c = client_for(staff_user)
    url = reverse("participation:survey_results", args=[survey.pk])
    c.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(url)
    _answered(survey, UserFactory.create_batch(8))
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url)


def test_csv_export_one_row_per_response_for_excel(client_for, staff_user, ambito):
    from tests.factories.core import UserFactory

    survey = survey_with_questions(ambito=ambito)
    _answered(survey, UserFactory.create_batch(3))
    response = client_for(staff_user).get(
        reverse("participation:survey_export", args=[survey.pk]) + "?formato=csv"
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert f'filename="questionario-{survey.pk}-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Risposta n.",
        "Data",
        "1. Conosci i servizi?",
        "2. Quali bisogni?",
        "3. Soddisfazione",
        "4. Suggerimenti",
    ]
    assert rows[1][0] == "1" and rows[1][2:] == ["No", "Casa | Lavoro", "1", "'=Suggerimento 0"]
    assert rows[3][2:] == ["No", "Scuola", "3", ""]
    assert len(rows) == 4


def test_xlsx_export_reads_back(client_for, staff_user, ambito, entity, entity_admin):
    survey = survey_with_questions(ambito=ambito, respondent="entity")
    services.response_submit(
        survey=survey,
        user=entity_admin,
        entity=entity,
        values=_answers(survey, p1=["Sì"], p2=["Casa"], p3=["5"]),
    )
    response = client_for(staff_user).get(
        reverse("participation:survey_export", args=[survey.pk]) + "?formato=xlsx"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Risposta n.", "Data", "Ente")
    assert rows[1][0] == 1 and rows[1][2:] == (entity.name, "Sì", "Casa", "5", None)


def test_the_export_reads_rows_in_constant_queries(client_for, staff_user, ambito):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.core import UserFactory

    survey = survey_with_questions(ambito=ambito)
    url = reverse("participation:survey_export", args=[survey.pk])
    c = client_for(staff_user)
    b"".join(c.get(url).streaming_content)  # the first request also records the session
    counts = []
    for batch in (1, 6):
        _answered(survey, UserFactory.create_batch(batch))
        with CaptureQueriesContext(connection) as ctx:
            b"".join(c.get(url).streaming_content)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_results_and_export_are_for_the_ambito_staff(
    client_for, ambito, comune_user, other_staff, no_role_user
):
    survey = survey_with_questions(ambito=ambito)
    results = reverse("participation:survey_results", args=[survey.pk])
    export = reverse("participation:survey_export", args=[survey.pk])
    assert client_for(comune_user).get(results).status_code == 200
    for user in (other_staff, no_role_user):
        assert client_for(user).get(results).status_code == 403
        assert client_for(user).get(export).status_code == 403


def test_drafts_are_seen_by_the_ambito_staff_only(client_for, ambito, comune_user, no_role_user):
    survey = SurveyFactory(ambito=ambito, status=Survey.Status.DRAFT, title="Bozza riservata")
    assert client_for(comune_user).get(survey.get_absolute_url()).status_code == 200
    assert client_for(no_role_user).get(survey.get_absolute_url()).status_code == 404
    listing = client_for(None).get(reverse("participation:survey_list")).content.decode()
    assert "Bozza riservata" not in listing


def test_publishing_needs_a_question(staff_user, ambito):
    survey = SurveyFactory(ambito=ambito, status=Survey.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.survey_publish(survey=survey, by=staff_user)
    assert Question.objects.count() == 0 and Answer.objects.count() == 0


def test_the_benchmark_seeds_a_survey_the_export_writes_whole(client_for, superuser, ambito):
    from bench.survey_export import seed_survey

    pk = seed_survey(ambito, "Bench piccolo", 30)
    response = client_for(superuser).get(
        reverse("participation:survey_export", args=[pk]) + "?formato=csv"
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 31
    assert rows[30][2:5] == ["Sì", "Casa | Scuola", "5"]
