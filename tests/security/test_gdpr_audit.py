"""GDPR (download, erasure with legal records kept and pseudonymised), the audit log page of the
Ufficio di Piano, the per-object history component, the failed e-mails page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambito.models import StaffRole
from core import audit
from core.models import AuditEvent, Notification, OutgoingEmail, User
from participation.models import Proposal
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    c = Client()
    assert c.post("/account/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    return c


# --- personal data download ---------------------------------------------------------------
def test_download_holds_everything_about_me_and_nothing_about_others(
    staff_user, no_role_user, ambito
):
    EmailAddress.objects.get_or_create(
        user=staff_user, email=staff_user.email, defaults={"verified": True, "primary": True}
    )
    Notification.objects.create(user=staff_user, kind="x", title="Mia notifica")
    Notification.objects.create(user=no_role_user, kind="x", title="Notifica altrui")
    audit.record(actor=staff_user, action="ambito.ambito.updated", obj=ambito, ambito_id=ambito.pk)
    OutgoingEmail.objects.create(
        to=staff_user.email, subject="Convocazione", body_text="x", status="sent"
    )
    client = _login(staff_user)
    Authenticator.objects.create(
        user=staff_user, type=Authenticator.Type.TOTP, data={"secret": "SEGRETO"}
    )
    response = client.get(reverse("core:personal_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == staff_user.email
    assert [n["title"] for n in data["notifications"]] == ["Mia notifica"]
    assert data["email_addresses"][0]["email"] == staff_user.email
    assert data["second_factors"][0]["type"] == "totp"
    assert "SEGRETO" not in response.content.decode(), "secrets never leave the server"
    assert data["changes_made"][0]["action"] == "ambito.ambito.updated"
    assert data["emails_sent_to_you"][0]["subject"] == "Convocazione"
    assert data["sessions"], "the session just opened is listed"
    assert data["staff_roles"][0]["ambito"] == ambito.name
    assert "Notifica altrui" not in response.content.decode()
    assert no_role_user.email not in response.content.decode()


# --- erasure ------------------------------------------------------------------------------
def test_erasure_anonymises_and_keeps_legal_records_pseudonymised(
    staff_user, entity_admin, entity, ambito
):
    from tables.models import Table

    table = Table.objects.create(ambito=ambito, name="Tavolo", slug="tavolo")
    proposal = Proposal.objects.create(
        table=table,
        ambito=ambito,
        author=entity_admin,
        entity=entity,
        title="Proposta",
        text="Testo",
    )
    audit.record(actor=entity_admin, action="proposal.submitted", obj=proposal, ambito_id=ambito.pk)
    OutgoingEmail.objects.create(
        to=entity_admin.email, subject="Inviata", body_text="x", status="sent"
    )
    EmailAddress.objects.get_or_create(
        user=entity_admin, email=entity_admin.email, defaults={"verified": True, "primary": True}
    )
    Notification.objects.create(user=entity_admin, kind="x", title="Ciao")
    old_email = entity_admin.email
    laptop, phone = _login(entity_admin), _login(entity_admin)

    response = laptop.post(reverse("core:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    user = User.objects.get(pk=entity_admin.pk)
    assert user.anonymised_at and not user.is_active and not user.has_usable_password()
    assert user.email != old_email and user.first_name == "" and user.phone == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    assert not OutgoingEmail.objects.filter(to=old_email).exists()
    # Kept: the proposal (an official record) and the audit trail, now pointing at a pseudonym.
    assert Proposal.objects.get(pk=proposal.pk).author_id == user.pk
    events = AuditEvent.objects.filter(actor=user)
    assert (
        events.filter(action="proposal.submitted").exists()
        and events.filter(action="core.account.erased").exists()
    )
    assert not AuditEvent.objects.filter(actor_repr=old_email).exists()
    assert not AuditEvent.objects.filter(object_repr__contains=old_email).exists()
    # Every session ends; the old address can neither log in nor is it reserved.
    assert phone.get("/la-mia-area/").status_code == 302
    assert (
        Client().post("/account/login/", {"login": old_email, "password": PASSWORD}).status_code
        == 200
    )
    assert not User.objects.filter(email=old_email).exists()


def test_erasure_takes_the_address_out_of_recorded_changes_and_reasons(
    staff_user, entity_admin, ambito
):
    """README: "the e-mail disappears from the audit trail too" - also from what others
    recorded: the changes (JSON, nested, any case) and the reasons."""
    old_email = entity_admin.email
    event = audit.record(
        actor=staff_user,
        action="entity.member_invited",
        obj=ambito,
        changes={"invited": {"before": [], "after": [old_email.upper(), "altro@example.org"]}},
        reason=f"Su richiesta di {old_email}",
    )
    client = _login(entity_admin)
    client.post(reverse("core:account_delete"), {"password": PASSWORD, "confirm": "on"})
    event.refresh_from_db()
    pseudonym = f"utente-cancellato-{entity_admin.pk}"
    assert event.changes == {"invited": {"before": [], "after": [pseudonym, "altro@example.org"]}}
    assert event.reason == f"Su richiesta di {pseudonym}"
    assert event.actor_repr == staff_user.email
    assert not AuditEvent.objects.filter(changes__icontains=old_email).exists()
    assert not AuditEvent.objects.filter(reason__icontains=old_email).exists()


def test_erasure_of_staff_removes_the_roles(staff_user, ambito):
    client = _login(staff_user)
    client.post(reverse("core:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert not StaffRole.objects.filter(user=staff_user).exists()


def test_erasure_needs_the_password_and_the_confirmation(no_role_user):
    client = _login(no_role_user)
    assert (
        client.post(
            reverse("core:account_delete"), {"password": "sbagliata", "confirm": "on"}
        ).status_code
        == 200
    )
    assert client.post(reverse("core:account_delete"), {"password": PASSWORD}).status_code == 200
    assert User.objects.get(pk=no_role_user.pk).is_active


# --- audit log page -----------------------------------------------------------------------
def _events(ambito, actor, n, action="entity.updated"):
    for i in range(n):
        audit.record(
            actor=actor,
            action=action,
            obj=ambito,
            changes={"name": {"before": f"A{i}", "after": f"B{i}"}},
            ambito_id=ambito.pk,
        )


def test_audit_log_shows_only_managed_ambiti(
    client_for, staff_user, other_staff, ambito, other_ambito
):
    _events(ambito, staff_user, 2)
    audit.record(
        actor=other_staff, action="segreto.altrui", obj=other_ambito, ambito_id=other_ambito.pk
    )
    html = client_for(staff_user).get(reverse("ambito:audit_log")).content.decode()
    assert "entity.updated" in html and "B1" in html
    assert "segreto.altrui" not in html
    assert (
        "entity.updated"
        not in client_for(other_staff).get(reverse("ambito:audit_log")).content.decode()
    )


def test_audit_log_filters(client_for, staff_user, ambito):
    _events(ambito, staff_user, 2, action="table.created")
    _events(ambito, staff_user, 1, action="procedure.published")
    old = AuditEvent.objects.filter(action="table.created").first()
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = client_for(staff_user)
    url = reverse("ambito:audit_log")
    assert client.get(url, {"action": "procedure"}).context["page_obj"].paginator.count == 1
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert client.get(url, {"date_from": since}).context["page_obj"].paginator.count == 2
    ct = ContentType.objects.get_for_model(ambito)
    assert client.get(url, {"object_type": ct.pk}).context["page_obj"].paginator.count == 3
    bad = client.get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert bad.status_code == 200 and "precede" in bad.content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_audit_log_queries_do_not_grow_with_rows(client_for, staff_user, ambito):
    client = client_for(staff_user)
    _events(ambito, staff_user, 5)
    few = _queries(client, reverse("ambito:audit_log"))
    _events(ambito, staff_user, 115)
    many = _queries(client, reverse("ambito:audit_log"))
    assert few == many, (few, many)
    assert len(client.get(reverse("ambito:audit_log")).context["events"]) == 50


def test_audit_history_component_renders_changes_escaped(staff_user, ambito):
    event = audit.record(
        actor=staff_user,
        action="x.updated",
        obj=ambito,
        changes={"name": {"before": "<b>A</b>", "after": "B"}},
        reason="Perché <script>",
    )
    html = render_to_string("components/audit_history.html", {"events": [event]})
    assert "x.updated" in html and "&lt;b&gt;A&lt;/b&gt;" in html and "<script>" not in html
    assert staff_user.email in html
    assert "Nessuna modifica" in render_to_string("components/audit_history.html", {"events": []})
    assert list(audit.history_for(ambito)) == [event]


# --- failed e-mails -----------------------------------------------------------------------
def _failed(ambito_id, to="x@example.org"):
    return OutgoingEmail.objects.create(
        to=to,
        subject="Invito",
        body_text="x",
        status="failed",
        attempts=7,
        last_error="refused",
        ambito_id=ambito_id,
    )


def test_failed_emails_page_scoped_and_resend(
    client_for,
    staff_user,
    other_staff,
    superuser,
    ambito,
    other_ambito,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    mine, theirs, account = (
        _failed(ambito.pk, "mio@example.org"),
        _failed(other_ambito.pk, "altrui@example.org"),
        _failed(None, "account@example.org"),
    )
    html = client_for(staff_user).get(reverse("ambito:failed_emails")).content.decode()
    assert (
        "mio@example.org" in html
        and "altrui@example.org" not in html
        and "account@example.org" not in html
    )
    su_html = client_for(superuser).get(reverse("ambito:failed_emails")).content.decode()
    assert all(
        a in su_html for a in ("mio@example.org", "altrui@example.org", "account@example.org")
    )

    assert (
        client_for(other_staff)
        .post(reverse("ambito:failed_email_resend", args=[mine.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(staff_user)
        .post(reverse("ambito:failed_email_resend", args=[account.pk]))
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(
            reverse("ambito:failed_email_resend", args=[mine.pk])
        )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mailoutbox] == [["mio@example.org"]]
    assert AuditEvent.objects.filter(action="ambito.email.resent", ambito_id=ambito.pk).exists()
    theirs.refresh_from_db()
    assert theirs.status == "failed"


def test_failed_emails_queries_constant(client_for, staff_user, ambito):
    client = client_for(staff_user)
    for _ in range(3):
        _failed(ambito.pk)
    few = _queries(client, reverse("ambito:failed_emails"))
    for _ in range(77):
        _failed(ambito.pk)
    assert _queries(client, reverse("ambito:failed_emails")) == few
