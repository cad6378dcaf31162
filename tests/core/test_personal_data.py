"""core: what the account layer holds about a person (account with the fiscal code proven by
SPID/CIE, addresses, SPID/CIE identities, second factors, sessions, notifications and their
settings, the outbox, the audit trail), in the download and after the account is deleted."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession

from core import audit
from core.models import AuditEvent, Notification, OutgoingEmail, User
from tests.factories.core import UserFactory
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db
EMAIL = "anna.neri@example.org"


def _outbox(status: str, to: str = EMAIL) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        to=to, subject=f"Messaggio {status}", body_text="Gentile Anna Neri", status=status
    )


def test_core_data_listed_then_erased_with_the_audit_trail_pseudonymised(
    ambito, staff_user, django_capture_on_commit_callbacks
):
    anna = UserFactory(
        email=EMAIL,
        first_name="Anna",
        last_name="Neri",
        phone="333 1234567",
        notification_email=User.EmailFrequency.DAILY,
        fiscal_code="NRENNA80A41H501T",
    )
    SocialAccount.objects.create(
        user=anna,
        provider="spid",
        uid="SPID-0001",
        extra_data={"userinfo": {"fiscalNumber": "TINIT-NRENNA80A41H501T", "email": EMAIL}},
    )
    Authenticator.objects.create(user=anna, type=Authenticator.Type.TOTP, data={"secret": "S"})
    UserSession.objects.create(
        user=anna, ip="192.0.2.1", session_key="k" * 32, user_agent="Firefox"
    )
    Notification.objects.create(user=anna, kind="x", title="La tua proposta ha una risposta")
    sent, failed, queued, sending = (_outbox(s) for s in ("sent", "failed", "queued", "sending"))
    someone_else = _outbox("sent", to="altro@example.org")
    # the trail: Anna's own change, staff changes that recorded her address or name, and a
    # namesake's (another person called Anna Neri, without her address) that is not hers
    mine = audit.record(
        actor=anna,
        action="proposal.updated",
        obj=ambito,
        changes={"firmatari": {"before": [], "after": ["Anna Neri"]}},
    )
    about_her = audit.record(
        actor=staff_user,
        action="entity.invited",
        obj=ambito,
        changes={"email": {"before": "", "after": "Anna.Neri@example.org"}},
        reason=f"Invito inviato a {EMAIL} su sua richiesta",
    )
    namesake = audit.record(
        actor=staff_user,
        action="table.updated",
        obj=ambito,
        changes={"coordinators": {"before": [], "after": ["Anna Neri"]}},
    )

    data = download(anna)
    assert data["account"] | {"date_joined": None, "last_login": None} == {
        "email": EMAIL,
        "first_name": "Anna",
        "last_name": "Neri",
        "phone": "333 1234567",
        "fiscal_code": "NRENNA80A41H501T",
        "notification_email": "daily",
        "date_joined": None,
        "last_login": None,
    }
    assert [(i["provider"], i["uid"]) for i in data["digital_identities"]] == [
        ("spid", "SPID-0001")
    ]
    assert data["digital_identities"][0]["extra_data"]["userinfo"]["email"] == EMAIL
    assert [a["email"] for a in data["email_addresses"]] == [EMAIL]
    assert [f["type"] for f in data["second_factors"]] == ["totp"]
    assert "192.0.2.1" in [s["ip"] for s in data["sessions"]]
    assert [n["title"] for n in data["notifications"]] == ["La tua proposta ha una risposta"]
    assert sorted(m["subject"] for m in data["emails_sent_to_you"]) == [
        "Messaggio failed",
        "Messaggio queued",
        "Messaggio sending",
        "Messaggio sent",
    ]
    assert [c["action"] for c in data["changes_made"]] == ["proposal.updated"]

    erased = erase(anna, django_capture_on_commit_callbacks)

    # gone
    assert (
        erased.email,
        erased.first_name,
        erased.last_name,
        erased.phone,
        erased.fiscal_code,
    ) == (f"cancellato-{anna.pk}@invalid.example", "", "Utente cancellato", "", "")
    assert not SocialAccount.objects.filter(user=erased).exists()
    assert erased.notification_email == User.EmailFrequency.NONE
    assert not erased.is_active and not erased.has_usable_password()
    assert not Authenticator.objects.filter(user=erased).exists()
    assert not UserSession.objects.filter(user=erased).exists()
    assert not Notification.objects.filter(user=erased).exists()
    assert not OutgoingEmail.objects.filter(pk__in=[sent.pk, failed.pk, queued.pk]).exists()
    in_flight = OutgoingEmail.objects.get(pk=sending.pk)  # a worker holds it: kept, emptied
    assert (in_flight.to, in_flight.body_text) == (erased.email, "")
    assert OutgoingEmail.objects.filter(pk=someone_else.pk).exists()
    # the trail stays, pointing at the pseudonymous row, without her address or her name
    assert audit_mentions(EMAIL) == []
    mine.refresh_from_db()
    assert mine.actor_id == anna.pk and mine.actor_repr == f"utente-cancellato-{anna.pk}"
    assert "Anna Neri" not in str(mine.changes)
    about_her.refresh_from_db()
    assert about_her.actor_id == staff_user.pk and about_her.actor_repr == staff_user.email
    assert about_her.changes == {"email": {"before": "", "after": f"utente-cancellato-{anna.pk}"}}
    assert about_her.reason == f"Invito inviato a utente-cancellato-{anna.pk} su sua richiesta"
    namesake.refresh_from_db()
    assert namesake.changes["coordinators"]["after"] == ["Anna Neri"], (
        "a name alone is not hers to erase: it may be a namesake's record"
    )
    assert AuditEvent.objects.filter(action="core.account.erased", actor=erased).exists()
