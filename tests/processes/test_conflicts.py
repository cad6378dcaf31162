"""Conflict of interest in the evaluation commission (art. 6-bis L. 241/1990, art. 7 D.P.R.
62/2013): a person tied to an applicant (its people: administrators and delegates, now or in the
last three years; of the applicant, of its lead or of a partner of the application) is not seated;
when the tie arises after the seating, the member is excluded from those applications, the reason
is recorded and shown to the RUP, and the member never reads or scores them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Notification
from entities.models import EntityMembership
from processes import selectors, services
from processes.models import CommissionMember, Procedure
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.processes.conftest import fill_and_submit

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"processes:{name}", args=args)


def _submit(procedure, entity, admin):
    application = services.application_start(procedure=procedure, entity=entity, actor=admin)
    return fill_and_submit(application, admin)


def _fill(application, admin):
    from processes.models import Declaration
    from tests.processes.conftest import pdf

    services.application_update(
        application=application,
        actor=admin,
        declarations=list(Declaration.values),
        proposal="Una proposta",
        partners=list(application.partners.all()),
        budget=[("Personale", Decimal("1000"), Decimal("0"))],
    )
    services.application_document_add(
        application=application, actor=admin, title="Statuto", file=pdf()
    )
    return services.application_submit(application=application, actor=admin)


def _to_evaluation(procedure, staff_user, clock, applications):
    clock.set(procedure.effective_deadline + timedelta(seconds=1))
    services.procedure_transition(procedure=procedure, target="admission", actor=staff_user)
    for a in applications:
        services.application_decide(application=a, actor=staff_user, admitted=True)
    services.procedure_transition(procedure=procedure, target="evaluation", actor=staff_user)
    return Procedure.objects.get(pk=procedure.pk)


@pytest.mark.parametrize("role", [EntityMembership.Role.ADMIN, EntityMembership.Role.DELEGATE])
def test_a_person_of_an_applicant_is_not_seated(
    make_procedure, staff_user, entity, entity_admin, role
):
    procedure = make_procedure()
    _submit(procedure, entity, entity_admin)
    person = EntityMembershipFactory(entity=entity, role=role).user
    with pytest.raises(ValidationError) as exc:
        services.commission_member_add(
            procedure=procedure, actor=staff_user, user=person, role="member"
        )
    message = " ".join(exc.value.messages)
    assert "Associazione Il Faro" in message and "conflitto di interessi" in message
    assert not CommissionMember.objects.filter(procedure=procedure).exists()
    assert not AuditEvent.objects.filter(action="processes.commission_member.added").exists()


def test_a_person_of_a_partner_or_of_the_lead_is_not_seated(
    ambito, make_procedure, staff_user, entity, entity_admin
):
    procedure = make_procedure()
    partner = EntityFactory(ambito=ambito, name="Fondazione Partner")
    partner_delegate = EntityMembershipFactory(entity=partner, role="delegate").user
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    application.partners.set([partner])
    _fill(application, entity_admin)
    with pytest.raises(ValidationError) as exc:
        services.commission_member_add(
            procedure=procedure, actor=staff_user, user=partner_delegate, role="member"
        )
    assert "Fondazione Partner" in " ".join(exc.value.messages)


def test_a_tie_ended_within_three_years_still_counts(
    make_procedure, staff_user, entity, entity_admin
):
    procedure = make_procedure()
    _submit(procedure, entity, entity_admin)
    recent = EntityMembershipFactory(entity=entity, ended_at=timezone.now() - timedelta(days=400))
    old = EntityMembershipFactory(entity=entity, ended_at=timezone.now() - timedelta(days=4 * 366))
    with pytest.raises(ValidationError):
        services.commission_member_add(
            procedure=procedure, actor=staff_user, user=recent.user, role="member"
        )
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=old.user, role="member"
    )
    assert member.pk


def test_the_commission_page_refuses_the_seat_next_to_the_field(
    client_for, make_procedure, staff_user, entity, entity_admin
):
    procedure = make_procedure()
    _submit(procedure, entity, entity_admin)
    response = client_for(staff_user).post(
        url("commission", procedure.pk), {"email": entity_admin.email, "role": "member"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert any("conflitto di interessi" in e for e in errors)
    assert not procedure.commission.exists()


@pytest.fixture
def tied_later(make_procedure, staff_user, ambito, entity, entity_admin, clock):
    """An expert seated and declared while the window is open; then the cooperative she
    administers applies."""
    procedure = make_procedure()
    expert = UserFactory(email="esperta@example.org", first_name="Eva", last_name="Esperta")
    cooperative = EntityFactory(ambito=ambito, name="Cooperativa Sopraggiunta")
    mine = _submit(procedure, entity, entity_admin)
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=expert, role="member"
    )
    services.commission_declare(member=member, actor=expert)
    EntityMembershipFactory(entity=cooperative, user=expert, role="admin")
    theirs = _submit(procedure, cooperative, expert)
    return procedure, member, mine, theirs


def test_a_tie_after_the_seating_is_recorded_and_told_to_the_rup(tied_later, staff_user):
    procedure, member, _mine, theirs = tied_later
    event = AuditEvent.objects.get(action="processes.commission_member.excluded")
    assert event.object_id == str(member.pk)
    assert event.changes["application"] == theirs.pk
    assert "Cooperativa Sopraggiunta" in event.reason and "Amministratore" in event.reason
    note = Notification.objects.get(user=staff_user, kind="processes.commission_member.excluded")
    assert "Eva Esperta" in note.title and "Cooperativa Sopraggiunta" in note.title


def test_the_excluded_member_never_scores_that_application(
    tied_later, client_for, staff_user, clock
):
    procedure, member, mine, theirs = tied_later
    procedure = _to_evaluation(procedure, staff_user, clock, [mine, theirs])
    criteria = list(procedure.current_notice.criteria.all())
    values = {c.pk: (Decimal(10), "") for c in criteria}
    with pytest.raises(ValidationError) as exc:
        services.scores_save(member=member, application=theirs, values=values)
    assert "conflitto di interessi" in " ".join(exc.value.messages)
    c = client_for(member.user)
    assert c.get(url("application_score", theirs.pk)).status_code == 403
    assert (
        c.post(url("application_score", theirs.pk), {f"c{k}": "10" for k in values}).status_code
        == 403
    )
    assert not theirs.scores.exists()
    # the other application is hers to score; the ranking then needs nothing from her on her own
    services.scores_save(member=member, application=mine, values=values)
    assert selectors.missing_scores(Procedure.objects.get(pk=procedure.pk)) == 0


def test_a_partner_tie_hides_the_application_from_the_member(
    ambito, make_procedure, staff_user, entity, entity_admin, client_for, clock
):
    procedure = make_procedure()
    expert = UserFactory(email="esperto@example.org")
    member = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=expert, role="member"
    )
    services.commission_declare(member=member, actor=expert)
    partner = EntityFactory(ambito=ambito, name="Fondazione Partner")
    EntityMembershipFactory(entity=partner, user=expert, role="delegate")
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    application.partners.set([partner])
    application = _fill(application, entity_admin)
    procedure = _to_evaluation(procedure, staff_user, clock, [application])
    c = client_for(expert)
    assert c.get(application.get_absolute_url()).status_code == 404
    assert c.get(url("application_receipt", application.pk)).status_code == 404
    document = application.documents.get()
    assert c.get(url("application_document", document.pk)).status_code == 404
    commission_page = c.get(url("commission", procedure.pk)).content.decode()
    assert "Non valuti la domanda di «Associazione Il Faro»" in commission_page


def test_marks_given_before_a_tie_do_not_count(
    ambito,
    make_procedure,
    staff_user,
    operator_user,
    entity,
    entity_admin,
    other_entity,
    other_entity_admin,
    clock,
):
    """The member scored her own cooperative 10 and the competitor 0, then the tie came to
    light: her marks on her cooperative are left out of the averages and of the ranking."""
    procedure = make_procedure()
    mine = _submit(procedure, entity, entity_admin)
    theirs = _submit(procedure, other_entity, other_entity_admin)
    procedure = _to_evaluation(procedure, staff_user, clock, [mine, theirs])
    fair = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=operator_user, role="president"
    )
    services.commission_declare(member=fair, actor=operator_user)
    insider_user = UserFactory(email="interna@example.org")
    insider = services.commission_member_add(
        procedure=procedure, actor=staff_user, user=insider_user, role="member"
    )
    services.commission_declare(member=insider, actor=insider_user)
    criteria = list(procedure.current_notice.criteria.all())
    for member, a, v in (
        (fair, mine, 6),
        (fair, theirs, 8),
        (insider, mine, 10),
        (insider, theirs, 0),
    ):
        services.scores_save(
            member=member, application=a, values={c.pk: (Decimal(v), "") for c in criteria}
        )
    EntityMembershipFactory(entity=entity, user=insider_user, role="admin")
    table = selectors.score_table(Procedure.objects.get(pk=procedure.pk))
    assert table["rows"][mine.pk]["total"] == Decimal("60.00")  # the fair member's 6 alone
    assert table["rows"][theirs.pk]["total"] == Decimal("40.00")  # (8 + 0) / 2
