"""Citizens' proposals: the ambito's setting, who may propose, public pages, support and comments
of registered people, moderation by the Ufficio di Piano, the official answer."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent, Notification
from entities.models import TargetGroup
from participation import permissions
from participation.models import ParticipationSettings, Proposal, ProposalComment
from participation.services import moderation
from participation.services import proposals as services
from tests.factories.core import UserFactory
from tests.factories.participation import ProposalFactory, TableFactory

pytestmark = pytest.mark.django_db


def detail(p):
    return reverse("participation:proposal_detail", kwargs={"pk": p.pk})


def public_list(ambito, query=""):
    return reverse("participation:public_proposals", args=[ambito.code]) + query


def create_url(ambito):
    return reverse("participation:citizen_proposal_create", args=[ambito.code])


@pytest.fixture
def opened(ambito):
    return ParticipationSettings.objects.create(ambito=ambito, citizen_proposals=True)


@pytest.fixture
def area():
    return TargetGroup.objects.order_by("pk").first()


@pytest.fixture
def public(ambito, opened, no_role_user, area):
    return services.proposal_submit(
        author=no_role_user,
        ambito=ambito,
        public=True,
        title="Un centro diurno a Fano",
        text="Un centro diurno per gli anziani soli del quartiere.",
        area=area,
    )


@pytest.fixture
def neighbour(db):
    return UserFactory(email="vicina@example.org")


# --- the setting and who may propose ---------------------------------------------------------
def test_closed_by_default_then_opened_by_the_ufficio_di_piano(
    ambito, client_for, no_role_user, staff_user, comune_user
):
    citizen = client_for(no_role_user)
    response = citizen.get(create_url(ambito))
    assert response.status_code == 403
    assert "Questo ambito non raccoglie proposte dei cittadini." in response.content.decode()

    settings_url = reverse("participation:participation_settings", args=[ambito.code])
    assert (
        client_for(comune_user).post(settings_url, {"citizen_proposals": "on"}).status_code == 403
    )
    response = client_for(staff_user).post(settings_url, {"citizen_proposals": "on"})
    assert response.status_code == 302
    assert ParticipationSettings.objects.get(ambito=ambito).citizen_proposals is True
    event = AuditEvent.objects.get(action="participation.settings.updated")
    assert event.changes == {"citizen_proposals": {"before": False, "after": True}}
    page = citizen.get(create_url(ambito)).content.decode()
    assert "Rendi pubblica la proposta" in page


def test_an_unverified_account_may_not_propose(ambito, opened):
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    assert permissions.citizen_proposal_refusal(user, ambito) == (
        "Conferma il tuo indirizzo e-mail per presentare una proposta."
    )
    with pytest.raises(PermissionDenied):
        services.proposal_submit(author=user, ambito=ambito, title="x", text="y")


def test_spid_required_when_the_portal_offers_it(ambito, opened, no_role_user, monkeypatch):
    from allauth.socialaccount.models import SocialAccount

    opened.citizen_proposals_need_spid = True
    opened.save()
    monkeypatch.setattr("core.identity.configured_schemes", lambda: [])
    assert permissions.can_propose_to_ambito(no_role_user, ambito)  # no SPID here: e-mail suffices
    monkeypatch.setattr("core.identity.configured_schemes", lambda: ["spid"])
    no_role_user.__dict__.pop("_portal_cache", None)
    assert "SPID o CIE" in permissions.citizen_proposal_refusal(no_role_user, ambito)
    SocialAccount.objects.create(user=no_role_user, provider="spid", uid="TINIT-X")
    assert permissions.can_propose_to_ambito(no_role_user, ambito)


def test_citizen_proposes_publicly_through_the_form(
    ambito, opened, client_for, no_role_user, staff_user, area
):
    table = TableFactory(ambito=ambito, name="Anziani")
    response = client_for(no_role_user).post(
        create_url(ambito),
        {
            "title": "Trasporto sociale",
            "text": "Un pulmino per le visite mediche.",
            "area": area.pk,
            "table": table.pk,
            "is_public": "on",
        },
    )
    proposal = Proposal.objects.get(title="Trasporto sociale")
    assert response.status_code == 302 and response["Location"] == detail(proposal)
    assert (proposal.ambito, proposal.table, proposal.entity) == (ambito, table, None)
    assert proposal.is_public and proposal.by_citizen
    note = Notification.objects.get(user=staff_user, kind="participation.proposal_submitted")
    assert note.title == "Nuova proposta di un cittadino: Trasporto sociale"
    page = client_for(None).get(detail(proposal)).content.decode()
    assert "Un pulmino per le visite mediche." in page
    assert "Accedi per sostenere o commentare la proposta" in page


def test_a_reserved_table_is_not_offered(ambito, opened, no_role_user):
    reserved = TableFactory(ambito=ambito, reserved=True)
    with pytest.raises(Exception, match="tavolo pubblico"):
        services.proposal_submit(
            author=no_role_user, ambito=ambito, table=reserved, title="x", text="y"
        )


def test_a_private_citizen_proposal_is_read_by_its_author_and_the_staff(
    ambito, opened, client_for, no_role_user, neighbour, comune_user
):
    proposal = services.proposal_submit(
        author=no_role_user, ambito=ambito, title="Riservata", text="Solo per l'ufficio"
    )
    login = client_for(None).get(detail(proposal))
    assert login.status_code == 302 and "/account/login/" in login["Location"]
    assert client_for(neighbour).get(detail(proposal)).status_code == 404
    assert client_for(no_role_user).get(detail(proposal)).status_code == 200
    assert client_for(comune_user).get(detail(proposal)).status_code == 200
    assert "Riservata" not in client_for(None).get(public_list(ambito)).content.decode()


# --- support and comments by registered people ----------------------------------------------
def test_support_is_one_per_person_and_a_toggle(public, client_for, neighbour, no_role_user):
    url = reverse("participation:proposal_support", args=[public.pk])
    c = client_for(neighbour)
    c.post(url)
    c.post(url)
    assert public.supports.count() == 1
    page = c.get(detail(public)).content.decode()
    assert "persona sostiene la proposta" in page and "La sostieni." in page
    c.post(url, {"support": "0"})
    assert public.supports.count() == 0
    assert client_for(no_role_user).post(url).status_code == 403  # not one's own


def test_registered_people_comment_and_the_author_is_notified(
    public, client_for, neighbour, no_role_user
):
    url = reverse("participation:proposal_comment", args=[public.pk])
    assert client_for(None).post(url, {"text": "Bella idea"}).status_code == 302
    assert client_for(neighbour).post(url, {"text": "Bella idea"}).status_code == 302
    assert list(public.comments.values_list("text", flat=True)) == ["Bella idea"]
    assert Notification.objects.filter(
        user=no_role_user, kind="participation.proposal_comment"
    ).exists()


# --- moderation -----------------------------------------------------------------------------
def test_hidden_proposal_shows_the_reason_stays_counted_and_is_restored(
    ambito, public, client_for, staff_user, comune_user, no_role_user
):
    hide = reverse("participation:proposal_hide", args=[public.pk])
    assert client_for(comune_user).post(hide, {"reason": "x"}).status_code == 403
    udp = client_for(staff_user)
    udp.post(hide, {"reason": ""})
    public.refresh_from_db()
    assert not public.is_hidden  # a reason is mandatory
    udp.post(hide, {"reason": "Contiene dati personali di terzi"})
    public.refresh_from_db()
    assert public.hidden_reason == "Contiene dati personali di terzi"
    event = AuditEvent.objects.get(action="participation.proposal.hidden")
    assert event.reason == "Contiene dati personali di terzi"
    note = Notification.objects.get(user=no_role_user, kind="participation.proposal_hidden")
    assert note.body == "Motivo: Contiene dati personali di terzi"

    page = client_for(None).get(detail(public)).content.decode()
    assert "nascosta dalla moderazione: Contiene dati personali di terzi" in page
    assert "Un centro diurno per gli anziani soli" not in page
    assert "Un centro diurno a Fano" not in page
    listing = client_for(None).get(public_list(ambito)).content.decode()
    assert "1 proposta" in listing
    assert "nascosta dalla moderazione: Contiene dati personali di terzi" in listing
    assert "Un centro diurno a Fano" not in listing
    with pytest.raises(PermissionDenied):
        services.proposal_comment(proposal=public, author=staff_user, text="x")

    udp.post(reverse("participation:proposal_restore", args=[public.pk]))
    public.refresh_from_db()
    assert not public.is_hidden and public.hidden_reason == ""
    assert AuditEvent.objects.filter(action="participation.proposal.restored").count() == 1
    assert (
        "Un centro diurno per gli anziani soli"
        in client_for(None).get(detail(public)).content.decode()
    )


def test_hidden_comment_shows_the_reason_in_place_of_its_text(
    public, client_for, staff_user, neighbour
):
    comment = services.proposal_comment(proposal=public, author=neighbour, text="Parole offensive")
    url = reverse("participation:proposal_comment_hide", args=[public.pk, comment.pk])
    client_for(staff_user).post(url, {"reason": "Linguaggio offensivo"})
    comment.refresh_from_db()
    assert comment.is_hidden
    page = client_for(None).get(detail(public)).content.decode()
    assert "Commento nascosto dalla moderazione: Linguaggio offensivo" in page
    assert "Parole offensive" not in page
    assert "Parole offensive" in client_for(staff_user).get(detail(public)).content.decode()
    assert Notification.objects.filter(user=neighbour, kind="participation.comment_hidden").exists()
    moderation.comment_restore(comment=comment, by=staff_user)
    assert "Parole offensive" in client_for(None).get(detail(public)).content.decode()


def test_another_ambitos_staff_does_not_moderate(public, other_staff):
    with pytest.raises(PermissionDenied):
        moderation.proposal_hide(proposal=public, by=other_staff, reason="x")


# --- the official answer ----------------------------------------------------------------------
def test_answer_keeps_its_time_and_the_citizen_reads_it(
    public, client_for, staff_user, no_role_user
):
    client_for(staff_user).post(
        reverse("participation:proposal_answer", args=[public.pk]),
        {"status": "accepted", "answer": "Entra nel Piano di Zona 2026"},
    )
    public.refresh_from_db()
    assert public.answered_at is not None and public.answered_at >= public.created_at
    page = client_for(no_role_user).get(detail(public)).content.decode()
    assert "Entra nel Piano di Zona 2026" in page


# --- the public list ------------------------------------------------------------------------
def test_list_filters_by_area_and_state(ambito, opened, client_for, no_role_user):
    first, second = TargetGroup.objects.order_by("pk")[:2]
    ProposalFactory(
        table=None, ambito=ambito, by_citizen=True, is_public=True, title="Alfa", area=first
    )
    ProposalFactory(
        table=None,
        ambito=ambito,
        by_citizen=True,
        is_public=True,
        title="Beta",
        area=second,
        status="accepted",
    )
    c = client_for(None)
    by_area = c.get(public_list(ambito, f"?area={first.code}")).content.decode()
    assert "Alfa" in by_area and "Beta" not in by_area
    by_state = c.get(public_list(ambito, "?status=accepted")).content.decode()
    assert "Beta" in by_state and "Alfa" not in by_state


def test_list_queries_constant(ambito, opened, client_for, django_assert_max_num_queries):
    def batch(n):
        for p in ProposalFactory.create_batch(
            n, table=None, ambito=ambito, by_citizen=True, is_public=True
        ):
            ProposalComment.objects.create(proposal=p, author=p.author, text="x")

    batch(2)
    c = client_for(None)
    with django_assert_max_num_queries(20) as small:
        assert c.get(public_list(ambito)).status_code == 200
    batch(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(public_list(ambito, "?page=2"))
    assert "32 proposte" in response.content.decode()


def test_the_ambito_page_links_the_public_proposals(ambito, opened, client_for, staff_user):
    page = client_for(None).get(reverse("ambito:detail", args=[ambito.code])).content.decode()
    assert public_list(ambito) in page and create_url(ambito) in page
    settings_url = reverse("participation:participation_settings", args=[ambito.code])
    assert settings_url not in page
    staff_page = client_for(staff_user).get(reverse("ambito:detail", args=[ambito.code]))
    assert settings_url in staff_page.content.decode()
