from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent, Notification
from participation import permissions
from participation.models import Proposal, ProposalSupport
from participation.services import proposals as services
from tests.factories.ambito import ComuneFactory
from tests.factories.core import UserFactory
from tests.factories.participation import (
    ApplicationFactory,
    ProcedureFactory,
    ProposalFactory,
    TableMembershipFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(p):
    return reverse("participation:proposal_detail", kwargs={"pk": p.pk})


# --- who may propose --------------------------------------------------------------------------
def test_table_member_can_propose_others_cannot(table, member, staff_user, no_role_user):
    assert permissions.can_propose(member, table=table)
    assert not permissions.can_propose(staff_user, table=table)
    assert not permissions.can_propose(no_role_user, table=table)


def test_substitute_is_a_member_but_not_of_a_left_membership(table):
    sub = UserFactory()
    TableMembershipFactory(table=table, substitute=sub)
    assert permissions.can_propose(sub, table=table)
    gone = UserFactory()
    TableMembershipFactory(table=table, delegate=gone, status="left")
    assert not permissions.can_propose(gone, table=table)


def test_admitted_applicant_can_propose_in_codesign(
    ambito, entity, entity_delegate, other_entity, other_entity_admin
):
    procedure = ProcedureFactory(ambito=ambito)
    ApplicationFactory(procedure=procedure, entity=entity, status="admitted")
    ApplicationFactory(procedure=procedure, entity=other_entity, status="not_admitted")
    assert permissions.can_propose(entity_delegate, procedure=procedure)
    assert not permissions.can_propose(other_entity_admin, procedure=procedure)


# --- services ---------------------------------------------------------------------------------
def test_submit_with_attachment_audits_and_notifies_coordinators(table, member, entity, staff_user):
    table.coordinators.add(staff_user)
    proposal = services.proposal_submit(
        author=member,
        table=table,
        title="Emporio solidale",
        text="Tre punti di distribuzione.",
        files=[SimpleUploadedFile("idea.pdf", PDF, content_type="application/pdf")],
    )
    assert proposal.ambito_id == table.ambito_id
    assert proposal.entity == entity
    assert proposal.attachments.get().name == "idea.pdf"
    assert AuditEvent.objects.filter(
        action="participation.proposal.submitted", object_id=str(proposal.pk)
    ).exists()
    assert Notification.objects.get(user=staff_user).kind == "participation.proposal_submitted"


def test_submit_refused_to_outsider(table, no_role_user):
    with pytest.raises(PermissionDenied):
        services.proposal_submit(author=no_role_user, table=table, title="x", text="y")
    assert not Proposal.objects.exists()


def test_support_once_per_user_and_not_by_author(proposal, member, other_member):
    assert services.proposal_support(proposal=proposal, user=other_member)
    assert services.proposal_support(proposal=proposal, user=other_member)
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 1
    with pytest.raises(PermissionDenied):
        services.proposal_support(proposal=proposal, user=member)
    assert not services.proposal_support(proposal=proposal, user=other_member, support=False)
    assert not ProposalSupport.objects.exists()


def test_comment_notifies_author(proposal, member, other_member):
    services.proposal_comment(proposal=proposal, author=other_member, text="D'accordo")
    note = Notification.objects.get(user=member)
    assert note.kind == "participation.proposal_comment"


def test_answer_notifies_author_and_needs_reason(
    proposal, member, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.proposal_answer(proposal=proposal, by=staff_user, status="accepted", answer="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_answer(
            proposal=proposal, by=staff_user, status="accepted", answer="Entra nel Piano di Zona."
        )
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.answered_by == staff_user
    note = Notification.objects.get(user=member, kind="participation.proposal_answered")
    assert "Accolta" in note.title
    assert [m.to for m in mailoutbox] == [[member.email]]
    assert AuditEvent.objects.filter(action="participation.proposal.answered").count() == 1


def test_answer_refused_to_comune_staff_and_other_ambito(proposal, comune_user, other_staff):
    for user in (comune_user, other_staff):
        with pytest.raises(PermissionDenied):
            services.proposal_answer(proposal=proposal, by=user, status="accepted", answer="ok")


# --- views per role ---------------------------------------------------------------------------
def test_member_submits_through_the_form(client_for, table, member):
    c = client_for(member)
    url = reverse("participation:proposal_create") + f"?table={table.pk}"
    assert c.get(url).status_code == 200
    from entities.models import TargetGroup

    area = TargetGroup.objects.first() or TargetGroup.objects.create(code="anziani", name="Anziani")
    upload = SimpleUploadedFile("idea.pdf", PDF, content_type="application/pdf")
    response = c.post(
        url,
        {"title": "Centro estivo", "text": "Per tutti", "area": area.pk, "attachments": [upload]},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.title == "Centro estivo" and proposal.attachments.count() == 1


def test_bad_attachment_is_refused_next_to_the_field(client_for, table, member):
    from entities.models import TargetGroup

    area = TargetGroup.objects.first() or TargetGroup.objects.create(code="anziani", name="Anziani")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(member).post(
        reverse("participation:proposal_create") + f"?table={table.pk}",
        {"title": "X", "text": "Y", "area": area.pk, "attachments": [fake]},
    )
    assert response.status_code == 200
    assert "Tipo di file non ammesso" in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    "who, expected", [("no_role_user", 403), ("staff_user", 403), ("member", 200)]
)
def test_create_page_per_role(request, client_for, table, who, expected):
    user = request.getfixturevalue(who)
    assert (
        client_for(user)
        .get(reverse("participation:proposal_create") + f"?table={table.pk}")
        .status_code
        == expected
    )


@pytest.mark.parametrize(
    "who, expected",
    [
        ("no_role_user", 404),
        ("other_staff", 404),
        ("other_entity_admin", 404),
        ("other_member", 200),
        ("staff_user", 200),
        ("comune_user", 200),
    ],
)
def test_detail_visibility(request, client_for, proposal, who, expected):
    user = request.getfixturevalue(who)
    assert client_for(user).get(detail(proposal)).status_code == expected


PEOPLE = (
    "member",
    "other_member",
    "entity_delegate",
    "other_entity_admin",
    "staff_user",
    "comune_user",
    "other_staff",
    "no_role_user",
    "superuser",
)


def test_one_proposal_is_readable_exactly_by_those_who_see_it_in_lists(
    request, table, proposal, entity, other_entity, ambito
):
    """ProposalPolicy.get decides on one proposal in Python (can_view); the lists filter in SQL
    (visible). Both must give the same answer for every kind of person and proposal."""
    from django.contrib.auth.models import AnonymousUser

    people = {name: request.getfixturevalue(name) for name in PEOPLE}
    people["substitute"], people["gone"] = UserFactory(), UserFactory()
    TableMembershipFactory(table=table, substitute=people["substitute"])
    TableMembershipFactory(table=table, delegate=people["gone"], status="left")
    procedure = ProcedureFactory(ambito=ambito)
    ApplicationFactory(procedure=procedure, entity=entity, status="admitted")
    ApplicationFactory(procedure=procedure, entity=other_entity, status="not_admitted")
    in_procedure = ProposalFactory(
        ambito=ambito, table=None, procedure=procedure, author=people["entity_delegate"]
    )
    readers = {}
    for item in (proposal, in_procedure):
        for name, person in people.items():
            in_lists = permissions.proposal_policy.visible(person).filter(pk=item.pk).exists()
            person = type(person).objects.get(pk=person.pk)  # no cached sets from the list
            assert permissions.proposal_policy.can_view(person, item) == in_lists, (item, name)
            if in_lists:
                readers.setdefault(item.pk, set()).add(name)
        assert not permissions.proposal_policy.can_view(AnonymousUser(), item)
    # The entity's other people do not sit at the table: only its delegate (member) does.
    assert readers[proposal.pk] == {
        "member",
        "other_member",
        "staff_user",
        "comune_user",
        "superuser",
        "substitute",
    }
    assert readers[in_procedure.pk] == {
        "member",
        "entity_delegate",
        "staff_user",
        "comune_user",
        "superuser",
    }


def test_anonymous_is_sent_to_login(client, proposal):
    response = client.get(detail(proposal))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize(
    "who, expected",
    [("other_staff", 404), ("comune_user", 403), ("other_member", 403), ("member", 403)],
)
def test_answer_view_refused_and_nothing_changed(request, client_for, proposal, who, expected):
    user = request.getfixturevalue(who)
    url = reverse("participation:proposal_answer", kwargs={"pk": proposal.pk})
    assert (
        client_for(user).post(url, {"status": "accepted", "answer": "ok"}).status_code == expected
    )
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_staff_answer_view(client_for, proposal, staff_user):
    url = reverse("participation:proposal_answer", kwargs={"pk": proposal.pk})
    assert (
        client_for(staff_user).post(url, {"status": "not_accepted", "answer": ""}).status_code
        == 400
    )
    assert (
        client_for(staff_user)
        .post(url, {"status": "not_accepted", "answer": "Fuori dal budget."})
        .status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.status == "not_accepted"


def test_support_and_comment_views(client_for, proposal, other_member, staff_user):
    c = client_for(other_member)
    assert (
        c.post(reverse("participation:proposal_support", kwargs={"pk": proposal.pk})).status_code
        == 302
    )
    assert proposal.supports.count() == 1
    assert (
        c.post(
            reverse("participation:proposal_comment", kwargs={"pk": proposal.pk}), {"text": ""}
        ).status_code
        == 400
    )
    assert (
        c.post(
            reverse("participation:proposal_comment", kwargs={"pk": proposal.pk}), {"text": "Bene"}
        ).status_code
        == 302
    )
    # staff read and comment, but do not support
    assert (
        client_for(staff_user)
        .post(reverse("participation:proposal_support", kwargs={"pk": proposal.pk}))
        .status_code
        == 403
    )


def test_attachment_download_checks_permission(client_for, table, member, other_entity_admin):
    proposal = services.proposal_submit(
        author=member,
        table=table,
        title="T",
        text="x",
        files=[SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")],
    )
    att = proposal.attachments.get()
    url = reverse(
        "participation:proposal_attachment", kwargs={"pk": proposal.pk, "attachment_pk": att.pk}
    )
    assert client_for(other_entity_admin).get(url).status_code == 404
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_table_page_block_lists_proposals(rf, proposal, member):
    from core import registry

    request = rf.get("/")
    request.user = member
    blocks = dict(registry.render("table_page", request, proposal.table))
    section = blocks["participation/sections/proposals.html"]
    assert section["proposals"] == [proposal] and section["can_propose"]


def test_proposal_page_slot_is_rendered(client_for, proposal, staff_user):
    from core import registry

    registry.add(
        "proposal_page",
        "test_plan_link",
        1,
        lambda request, p: (
            "components/empty_state.html",
            {"message": f"Intervento per {p.title}"},
        ),
    )
    try:
        response = client_for(staff_user).get(detail(proposal))
    finally:
        registry._slots["proposal_page"].pop("test_plan_link")
    assert response.status_code == 200


def test_list_queries_constant(client_for, table, member, django_assert_max_num_queries):
    c = client_for(member)
    ProposalFactory.create_batch(5, table=table, author=member)
    with django_assert_max_num_queries(25) as small:
        assert c.get(reverse("participation:proposal_list")).status_code == 200
    ProposalFactory.create_batch(45, table=table, author=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(reverse("participation:proposal_list")).status_code == 200


def test_detail_queries_constant(client_for, proposal, other_member, django_assert_max_num_queries):
    from participation.models import ProposalComment

    c = client_for(other_member)
    ProposalComment.objects.bulk_create(
        [ProposalComment(proposal=proposal, author=other_member, text="x")] * 1
    )
    with django_assert_max_num_queries(30) as small:
        c.get(detail(proposal))
    ProposalComment.objects.bulk_create(
        [ProposalComment(proposal=proposal, author=other_member, text=str(i)) for i in range(20)]
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(detail(proposal))


def test_admitted_applicant_submits_to_a_procedure(ambito, entity, entity_delegate, client_for):
    procedure = ProcedureFactory(ambito=ambito)
    ApplicationFactory(procedure=procedure, entity=entity, status="admitted")
    proposal = services.proposal_submit(
        author=entity_delegate, procedure=procedure, title="Sportello", text="x"
    )
    assert proposal.entity == entity and proposal.ambito == ambito
    url = reverse("participation:proposal_create") + f"?procedure={procedure.pk}"
    assert client_for(entity_delegate).get(url).status_code == 200


def test_event_form_checks_dates(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:event_create"),
        {
            "ambito": ambito.pk,
            "title": "Stati generali",
            "place": "Fano",
            "starts_at": "2030-05-10T09:00",
            "ends_at": "2030-05-10T08:00",
            "registration_closes_at": "2030-05-11T08:00",
        },
    )
    assert "La fine deve seguire l&#x27;inizio." in response.content.decode()
    response = client_for(staff_user).post(
        reverse("participation:event_create"),
        {
            "ambito": ambito.pk,
            "title": "Stati generali",
            "place": "Fano",
            "starts_at": "2030-05-10T09:00",
            "ends_at": "2030-05-10T18:00",
            "registration_closes_at": "2030-05-11T08:00",
        },
    )
    assert "Le iscrizioni devono chiudere prima della fine" in response.content.decode()


def test_list_counts_supports_and_comments_without_joining_them(client_for, proposal, member):
    from participation import selectors
    from participation.models import ProposalComment

    users = UserFactory.create_batch(3)
    ProposalSupport.objects.bulk_create(ProposalSupport(proposal=proposal, user=u) for u in users)
    ProposalComment.objects.bulk_create(
        ProposalComment(proposal=proposal, author=member, text=str(i)) for i in range(2)
    )
    qs = selectors.proposals_for_user(user=member)
    row = qs.get(pk=proposal.pk)
    assert (row.support_count, row.comment_count) == (3, 2)
    # Joining both would read supports x comments rows per proposal before counting.
    sql = str(qs.query)
    assert 'JOIN "participation_proposalsupport"' not in sql
    assert 'JOIN "participation_proposalcomment"' not in sql
    assert selectors.proposal_detail(user=member, pk=proposal.pk).support_count == 3


def test_list_filters_by_area_status_and_words(client_for, table, member):
    from entities.models import TargetGroup

    elderly = TargetGroup.objects.get_or_create(code="anziani", defaults={"name": "Anziani"})[0]
    young = TargetGroup.objects.get_or_create(code="minori", defaults={"name": "Minori"})[0]
    ProposalFactory(table=table, author=member, title="Centro diurno", area=elderly)
    ProposalFactory(table=table, author=member, title="Doposcuola", area=young, status="accepted")
    c = client_for(member)

    def titles(query: str) -> list[str]:
        page = c.get(reverse("participation:proposal_list") + query).context["page_obj"]
        return sorted(p.title for p in page)

    assert titles("") == ["Centro diurno", "Doposcuola"]
    assert titles("?area=anziani") == ["Centro diurno"]
    assert titles("?status=accepted") == ["Doposcuola"]
    assert titles("?q=doposcuola&area=minori") == ["Doposcuola"]
    html = c.get(reverse("participation:proposal_list") + "?area=minori").content.decode()
    assert '<option value="minori" selected>Minori</option>' in html
    # An unknown area is a form error, not a 500, and shows every proposal.
    assert titles("?area=nessuna") == ["Centro diurno", "Doposcuola"]


def test_page_parts_are_cached_and_follow_every_change(proposal, member, django_assert_num_queries):
    """A proposal's target groups, comuni and attachments are read once and kept; a change from
    either side of the relations, or a new attachment, shows at once."""
    from entities.models import TargetGroup
    from participation import selectors

    elderly = TargetGroup.objects.get_or_create(code="anziani", defaults={"name": "Anziani"})[0]
    comune = ComuneFactory()
    proposal.target_groups.set([elderly])
    first = selectors.proposal_parts(proposal)
    assert first["target_groups"] == ["Anziani"] and first["attachments"] == []
    with django_assert_num_queries(1):  # the comments alone
        assert selectors.proposal_parts(proposal)["target_groups"] == ["Anziani"]

    comune.proposals.add(proposal)  # from the other side, as an admin page of comuni would
    assert selectors.proposal_parts(proposal)["comuni"] == [comune.name]
    proposal.target_groups.clear()
    assert selectors.proposal_parts(proposal)["target_groups"] == []
    services.attachment_add(
        proposal=proposal,
        file=SimpleUploadedFile("verbale.pdf", PDF, "application/pdf"),
        by=member,
    )
    (attachment,) = selectors.proposal_parts(proposal)["attachments"]
    assert attachment["name"] == "verbale.pdf" and attachment["size"] == len(PDF)
