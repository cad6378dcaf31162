"""What each person reads of a procedure's confidential records, in each state, on the world of
the permission matrix: the history (`processes:audit`), the applications (list, counts, the
procedure's page, my area, the entity's public profile, the ambito's audit log) and the evaluation.

Until the results are public (the ranking of a co-design) an application, its budget, partners,
documents, receipt and marks belong to the applicant entity's people, the procedure's RUP (`udp`)
and its commission; the commission's names and marks, and a draft correction of the avviso,
belong to those who run the procedure. The statuses are rows of matrix.py; here the contents."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.security import matrix

pytestmark = pytest.mark.django_db

ALL_PERSONAS = (*matrix.PERSONAS, *matrix.EXTRA_PERSONAS)


def _client(world, persona: str) -> Client:
    user = {**world.personas, **world.extra_personas}[persona]
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _page(world, persona: str, url: str) -> str:
    response = _client(world, persona).get(url)
    assert response.status_code == 200, f"{url} as {persona}: {response.status_code}"
    return response.content.decode()


def _seen(body: str, markers: dict[str, str]) -> set[str]:
    return {name for name, text in markers.items() if text in body}


# --- the history ----------------------------------------------------------------------------
# What the events of the world's procedures reveal (see world.confidential_records):
#   names      the commissioners' names (their nomination, declarations, marks)
#   marks      a commissioner's marks ("Punteggi assegnati")
#   draft      the draft correction of the avviso (its new subject and deadline)
#   entity     events of `entity`'s application; other: of `other_entity`'s
#   exclusion  the tied commissioner excluded from her cooperative's application
EVALUATION_MARKERS = {
    "names": "Ciro Valutatore",
    "marks": "Punteggi assegnati",
    "draft": "Rettifica in bozza",
    "entity": "Associazione Il Faro —",
    "other": "Cooperativa Sociale La Rete —",
    "exclusion": "Cooperativa Il Conflitto",
}
EVALUATION_SEES = {
    "delegate": {"entity"},
    "entity_admin": {"entity"},
    "other_entity_admin": {"other"},
    # the staff of the ambito know who sits on the commission, not the applications or marks
    "comune": {"names"},
    "udp": set(EVALUATION_MARKERS),  # the RUP
    # superusers and the RUP's colleagues manage the avviso (its drafts), not the applications
    "superuser": {"names", "draft"},
    "rup_colleague": {"names", "draft"},
    "commissioner": {"names", "marks", "entity", "other"},  # its own marks
    "tied_commissioner": {"names", "entity", "other", "exclusion"},
}
RANKED_MARKERS = {
    "names": "Ugo Giudice",
    "marks": "Punteggi assegnati",
    "entity": "Associazione Il Faro —",
    "other": "Cooperativa Sociale La Rete —",
}
RANKED_SEES = {
    "delegate": {"names", "marks", "entity"},
    "entity_admin": {"names", "marks", "entity"},
    "other_entity_admin": {"names", "marks", "other"},
    "comune": set(RANKED_MARKERS),
    "udp": set(RANKED_MARKERS),
    "superuser": set(RANKED_MARKERS),
    "rup_colleague": set(RANKED_MARKERS),
}
OPEN_MARKERS = {
    "entity draft": "Domanda iniziata",
    "other submitted": "Cooperativa Sociale La Rete —",
}
OPEN_SEES = {
    "other_entity_admin": {"other submitted"},
    "comune": set(),
    "udp": {"other submitted"},
    "superuser": set(),
    "rup_colleague": set(),
}


@pytest.mark.parametrize("persona", sorted(EVALUATION_SEES))
def test_history_before_the_ranking_with_a_draft_correction(world, persona):
    body = _page(world, persona, reverse("processes:audit", args=[world.evaluation.pk]))
    assert _seen(body, EVALUATION_MARKERS) == EVALUATION_SEES[persona]


@pytest.mark.parametrize("persona", sorted(RANKED_SEES))
def test_history_after_the_ranking(world, persona):
    body = _page(world, persona, reverse("processes:audit", args=[world.ranked.pk]))
    assert _seen(body, RANKED_MARKERS) == RANKED_SEES[persona]


@pytest.mark.parametrize("persona", sorted(OPEN_SEES))
def test_history_while_the_avviso_is_open(world, persona):
    body = _page(world, persona, reverse("processes:audit", args=[world.open_procedure.pk]))
    assert _seen(body, OPEN_MARKERS) == OPEN_SEES[persona]


def test_history_is_decided_by_the_policy(world):
    """The view shows what ProcedurePolicy.history returns: one place decides, per event kind."""
    from processes.permissions import procedure_policy

    actions = set(
        procedure_policy.history(world.personas["comune"], world.evaluation).values_list(
            "action", flat=True
        )
    )
    assert "processes.commission_member.added" in actions
    assert not actions & {
        "processes.scores.saved",
        "processes.notice.saved",
        "processes.application.submitted",
    }


# --- applications: the procedure's page, lists, counts, blocks ---------------------------------
def _protocols(world, *applications) -> dict[str, str]:
    return {a.entity.name: a.protocol_number for a in applications}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("anon", False),
        ("comune", False),
        ("superuser", False),
        ("rup_colleague", False),
        ("commissioner", False),  # the commission reads them from its own page
        ("udp", True),
    ],
)
def test_procedure_page_lists_applications_to_the_rup_only_before_the_ranking(world, persona, sees):
    body = _page(world, persona, world.evaluation.get_absolute_url())
    numbers = _protocols(world, world.admitted_application, world.applicant_application)
    assert all((n in body) == sees for n in numbers.values()), persona
    assert ("Domande presentate" in body) == sees


@pytest.mark.parametrize("persona", ["comune", "superuser", "rup_colleague", "udp"])
def test_after_the_ranking_the_staff_list_the_applications(world, persona):
    body = _page(world, persona, world.ranked.get_absolute_url())
    assert world.ranked_application.protocol_number in body
    assert world.ranked_other.protocol_number in body


def test_public_results_name_admitted_and_excluded_with_scores_never_attachments(world):
    body = _page(world, "anon", world.ranked.get_absolute_url())
    assert "Associazione Il Faro" in body and "70" in body
    assert "Cooperativa Sociale La Rete" in body and "40" in body
    # what the law asks is published; the reasons go to the excluded entity, not to everyone
    assert "inferiore alla soglia" not in body
    assert world.ranked_application.protocol_number not in body
    for name in ("application_receipt", "application_detail"):
        assert reverse(f"processes:{name}", args=[world.ranked_application.pk]) not in body
    assert reverse("processes:application_document", args=[world.ranked_document.pk]) not in body


@pytest.mark.parametrize(
    ("persona", "count"),
    [("anon", None), ("comune", None), ("rup_colleague", None), ("udp", 1), ("superuser", None)],
)
def test_list_counts_applications_only_for_the_rup_until_the_results(world, persona, count):
    from processes.selectors import procedures_for_list

    user = {**world.personas, **world.extra_personas}[persona]
    rows = {p.pk: p for p in procedures_for_list(user)}
    assert rows[world.open_procedure.pk].application_count == count
    assert rows[world.ranked.pk].application_count == 2  # results public: everyone


def test_my_area_tells_only_the_rup_how_many_applications_wait(world):
    url = reverse("core:my_area")
    assert "domande da istruire" in _page(world, "udp", url)
    assert "domande da istruire" not in _page(world, "rup_colleague", url)


def test_entity_profile_lists_a_procedure_only_once_its_results_are_public(world):
    body = _page(world, "anon", reverse("entities:detail", args=[world.entity.pk]))
    assert world.ranked.title in body
    assert world.evaluation.title not in body


def test_budget_and_partners_of_an_open_application_reach_the_rup_only(world):
    url = world.open_submitted.get_absolute_url()
    assert "Spesa riservata della Rete" in _page(world, "udp", url)
    assert "Spesa riservata della Rete" in _page(world, "other_entity_admin", url)
    for persona in ("comune", "rup_colleague", "superuser", "entity_admin"):
        assert _client(world, persona).get(url).status_code == 404, persona


def _log_rows(body: str, action: str) -> list[str]:
    """The "Oggetto" cells of the audit log's rows of `action`."""
    return re.findall(rf"<code>{re.escape(action)}</code></td>\s*<td>([^<]*)</td>", body)


def test_ambito_audit_log_hides_confidential_events_from_the_rups_colleagues(world):
    url = reverse("ambito:audit_log")
    evaluation, ranked = world.evaluation.title, world.ranked.title
    colleague = _page(world, "rup_colleague", url)
    marks = _log_rows(colleague, "processes.scores.saved")
    assert marks and all(ranked in m for m in marks)  # public once the ranking is out
    assert not any(evaluation in m for m in _log_rows(colleague, "processes.application.submitted"))
    assert not _log_rows(colleague, "processes.commission_member.excluded")
    assert _log_rows(colleague, "processes.notice.saved")  # the avviso is theirs to manage
    rup = _page(world, "udp", url)
    assert any(evaluation in m for m in _log_rows(rup, "processes.scores.saved"))
    assert _log_rows(rup, "processes.commission_member.excluded")


# --- the evaluation --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("comune", False),
        ("superuser", False),
        ("rup_colleague", False),
        ("udp", True),
        ("commissioner", True),
        ("tied_commissioner", False),  # an applicant herself: no averages nor ranking so far
    ],
)
def test_marks_and_ranking_so_far_only_for_the_rup_and_the_commission(world, persona, sees):
    body = _page(world, persona, reverse("processes:commission", args=[world.evaluation.pk]))
    assert ("Punteggi medi per criterio" in body) == sees
    assert ("Graduatoria" in body) == sees


def test_the_rup_sees_who_is_excluded_and_why(world):
    body = _page(world, "udp", reverse("processes:commission", args=[world.evaluation.pk]))
    assert "Tina Legata" in body
    assert "Cooperativa Il Conflitto" in body
    assert "conflitto di interessi" in body
    own = _page(
        world, "tied_commissioner", reverse("processes:commission", args=[world.evaluation.pk])
    )
    assert "Non valuti la domanda di «Cooperativa Il Conflitto»" in own


def test_the_plans_participation_path_names_applicants_only_after_the_results(world):
    """The Piano di Zona lists the entities that took part (tables, procedures): an applicant to
    a procedure still under evaluation is not named there before the ranking."""
    from plans.selectors import participation_path

    names = {e.name for e in participation_path(world.plan).entities}
    assert "Cooperativa Il Conflitto" not in names  # applied to `evaluation` only
    assert {"Associazione Il Faro", "Cooperativa Sociale La Rete"} <= names
