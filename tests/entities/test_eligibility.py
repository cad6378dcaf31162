"""Who is an ente del Terzo settore (art. 4 D.Lgs. 117/2017): eligibility follows from the legal
form. Excluded bodies (art. 4 c. 2: public administrations, parties, unions, professional and
employers' associations) and informal groups may sit at tables as participants, but are not
verified, counted or listed as ETS, and cannot apply to art. 55 procedures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from entities.models import LEGAL_FORM_RULES, Entity
from tests.factories.entities import EntityFactory

pytestmark = pytest.mark.django_db

F = Entity.LegalForm
ETS_FORMS = {
    F.ODV, F.APS, F.COOP_A, F.COOP_B, F.SOCIAL_ENTERPRISE, F.FOUNDATION, F.PHILANTHROPIC,
    F.NETWORK, F.MUTUAL_AID, F.ASSOCIATION, F.RELIGIOUS, F.OTHER,
}  # fmt: skip
EXCLUDED = {
    "pubblica_amministrazione", "partito", "sindacato", "associazione_professionale",
    "associazione_datoriale", "scuola", "universita", "gruppo_informale",
}  # fmt: skip


def _non_ets(ambito, form="sindacato", **kwargs):
    return EntityFactory(
        ambito=ambito,
        legal_form=form,
        runts_section="",
        runts_status=Entity.RunstStatus.NOT_REGISTERED,
        runts_number=None,
        **kwargs,
    )


def test_every_legal_form_says_whether_it_can_be_an_ets_and_apply():
    assert set(LEGAL_FORM_RULES) == set(Entity.LegalForm.values)
    assert {f for f, rule in LEGAL_FORM_RULES.items() if rule.can_be_ets} == ETS_FORMS
    assert {f for f, rule in LEGAL_FORM_RULES.items() if not rule.can_be_ets} == EXCLUDED
    assert {f for f, rule in LEGAL_FORM_RULES.items() if rule.may_apply} == ETS_FORMS
    for form in EXCLUDED:
        assert LEGAL_FORM_RULES[form].note  # why, in Italian, for the people concerned


@pytest.mark.parametrize("form", sorted(EXCLUDED))
def test_excluded_bodies_are_participants_not_ets(ambito, form):
    entity = _non_ets(ambito, form)
    assert not entity.is_ets and not entity.may_apply_to_procedures
    assert entity.kind_label == "Partecipante non ETS"


def test_an_ets_form_is_an_ets(entity):
    assert entity.is_ets and entity.may_apply_to_procedures
    assert entity.kind_label == "Ente del Terzo settore"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"runts_status": "iscritto", "runts_number": "X1", "runts_section": "g"}, "runts_status"),
        ({"runts_status": "in_iscrizione"}, "runts_status"),
        ({"runts_section": "g"}, "runts_section"),
    ],
)
def test_an_excluded_body_is_not_in_the_runts(ambito, values, field):
    from datetime import date

    entity = _non_ets(ambito)
    for name, value in values.items():
        setattr(entity, name, value)
    entity.runts_date = date(2022, 1, 1) if values.get("runts_status") == "iscritto" else None
    with pytest.raises(ValidationError) as exc:
        entity.clean()
    assert "Terzo settore" in " ".join(exc.value.message_dict[field])


# --- directory, counters, profile ------------------------------------------------------------
def test_directory_lists_ets_by_default_and_participants_on_request(client, ambito, entity):
    union = _non_ets(ambito, name="Camera del Lavoro")
    default = client.get(reverse("entities:directory"))
    names = {e.name for e in default.context["entities"]}
    assert entity.name in names and union.name not in names
    participants = client.get(reverse("entities:directory"), {"tipo": "non_ets"})
    assert {e.name for e in participants.context["entities"]} == {union.name}
    assert "Partecipante non ETS" in participants.content.decode()
    everyone = client.get(reverse("entities:directory"), {"tipo": "tutti"})
    assert {e.name for e in everyone.context["entities"]} == {entity.name, union.name}


def test_home_counts_only_ets(client, ambito, entity, other_entity):
    _non_ets(ambito, "sindacato")
    _non_ets(ambito, "scuola")
    _non_ets(ambito, "gruppo_informale")
    section = client.get("/").content.decode()
    assert "2 enti del Terzo settore verificati collaborano con l'ambito." in section
    assert "Organizzazione sindacale" not in section
    assert "Partecipano ai tavoli anche 3 soggetti non ETS" in section


def test_profile_and_queue_say_participant(client_for, ambito, staff_user):
    union = _non_ets(ambito, name="Camera del Lavoro", status=Entity.Status.PENDING)
    staff = client_for(staff_user)
    queue = staff.get(reverse("entities:verification_queue")).content.decode()
    assert "Partecipante non ETS" in queue
    detail = staff.get(reverse("entities:detail", args=[union.pk])).content.decode()
    assert "Partecipante non ETS" in detail
    assert "Verifica come partecipante non ETS" in detail


def test_verifying_a_participant_tells_it_what_it_may_do(
    ambito, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    from entities import services

    union = _non_ets(ambito, status=Entity.Status.PENDING, email="cgil@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.entity_set_status(user=staff_user, entity=union, status=Entity.Status.VERIFIED)
    message = next(m for m in mailoutbox if m.to == ["cgil@example.org"])
    assert "partecipante non ETS" in message.body
    assert "non può presentare domanda" in message.body


def test_registration_form_groups_the_legal_forms(client_for, no_role_user, ambito):
    form = client_for(no_role_user).get(reverse("entities:register")).context["form"]
    groups = [
        label
        for label, _options in form.fields["legal_form"].choices
        if _options and isinstance(_options, (list, tuple))
    ]
    assert groups == ["Enti del Terzo settore", "Altri soggetti (non ETS: partecipano ai tavoli)"]
    assert "art. 4" in str(form.fields["legal_form"].help_text)


# --- demo data -------------------------------------------------------------------------------
def test_demo_entities_are_consistent():
    """The demo's union, school and informal group are participants, not ETS: home counters
    and the directory leave them out, their data pass validation, no procedure has their
    application."""
    from django.core.management import call_command

    from entities import demo as entities_demo
    from entities import selectors
    from processes.models import Application

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = Entity.objects.all()
    own = {
        row[0]
        for row in [*entities_demo.SECTORS, *entities_demo.PENDING, *entities_demo.SECOND_SECTORS]
    }
    for entity in demo.filter(name__in=own):
        entity.full_clean(exclude=["logo"])
    participants = {e.name for e in demo if not e.is_ets}
    assert {
        "CGIL Camera del Lavoro di Fano",
        "Istituto Comprensivo Gandiglio",
        "Gruppo informale Vicini di Casa Terre Roveresche",
    } <= participants
    counted = sum(n for _form, n in selectors.verified_by_legal_form())
    assert counted == Entity.objects.ets().filter(status="verified").count()
    assert counted == sum(1 for e in demo if e.is_ets and e.is_verified)
    assert not Application.objects.filter(entity__name__in=participants).exists()
