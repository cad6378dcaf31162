"""Staff roles managed in the portal: the coordinator invites by e-mail (the invitation survives
the sign-up), changes and revokes roles, with the audit trail and an e-mail each time; comune
staff manage the colleagues of their own comune only; superusers create ambiti; create_ambito
bootstraps an installation."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from ambito import services
from ambito.models import Ambito, StaffInvitation, StaffRole
from core.models import AuditEvent, OutgoingEmail, User
from tests.factories.ambito import ComuneFactory, StaffRoleFactory
from tests.factories.core import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the browser journey goes through the set-up


def _roles_url(ambito) -> str:
    return reverse("ambito:roles", kwargs={"code": ambito.code})


def _sent(template: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(template=template).order_by("pk"))


def _invite(client, ambito, **data):
    payload = {"role": "operator", "job_title": "Assistente sociale", "rup_eligible": "on"}
    payload.update(data)
    return client.post(_roles_url(ambito), payload)


# --- invitations -----------------------------------------------------------------------------
def test_coordinator_invites_a_person_without_an_account_who_signs_up(
    client_for, client, ambito, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_for(staff_user), ambito, email="Nuova.Collega@Example.org")
    assert response.status_code == 302
    invitation = StaffInvitation.objects.get(ambito=ambito)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "nuova.collega@example.org",
        "operator",
        staff_user,
    )
    # the e-mail, read back as sent
    sent = django_mail.outbox[-1]
    assert sent.to == ["nuova.collega@example.org"]
    assert sent.subject.endswith(f"Invito: Operatore dell'Ufficio di Piano — {ambito.name}")
    link = re.search(r"https?://\S+/ambiti/invito/\S+/", sent.body).group(0)
    assert invitation.token in link and "autenticazione a due fattori" in sent.body
    event = AuditEvent.objects.get(action="ambito.staff.invited")
    assert event.ambito_id == ambito.pk and event.changes["email"] == "nuova.collega@example.org"

    # the person follows the link, signs up with that address and has the role at once
    path = urlparse(link).path
    assert path == invitation.get_absolute_url()
    page = client.get(path).text
    assert "Crea un account e accetta" in page
    response = client.post(
        reverse("account_signup") + "?next=" + invitation.get_absolute_url(),
        {
            "email": "nuova.collega@example.org",
            "password1": "Un4-Password-Lunga!",
            "password2": "Un4-Password-Lunga!",
        },
        follow=True,
    )
    user = User.objects.get(email="nuova.collega@example.org")
    role = StaffRole.objects.get(user=user, ambito=ambito)
    assert (role.role, role.job_title, role.rup_eligible) == (
        "operator",
        "Assistente sociale",
        True,
    )
    assert response.wsgi_request.user == user  # logged in, no second confirmation of the address
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="ambito.staff.joined", ambito_id=ambito.pk).exists()
    assert staff_user.notifications.filter(kind="staff_invitation_accepted").exists()


def test_an_existing_account_accepts_at_login(client, ambito, staff_user, no_role_user):
    invitation = services.staff_invitation_create(
        ambito=ambito, email=no_role_user.email, role="operator", invited_by=staff_user
    )
    client.get(invitation.get_absolute_url())  # the token waits in the session
    client.post(
        reverse("account_login") + "?next=" + invitation.get_absolute_url(),
        {"login": no_role_user.email, "password": PASSWORD},
    )
    assert StaffRole.objects.filter(user=no_role_user, ambito=ambito, role="operator").exists()


def test_logged_in_with_the_address_accepts_with_a_button(
    client_for, ambito, staff_user, no_role_user
):
    invitation = services.staff_invitation_create(
        ambito=ambito, email=no_role_user.email, role="operator", invited_by=staff_user
    )
    client = client_for(no_role_user)
    assert "Accetta il ruolo" in client.get(invitation.get_absolute_url()).text
    assert not StaffRole.objects.filter(user=no_role_user).exists()  # a GET changes nothing
    client.post(invitation.get_absolute_url())
    assert StaffRole.objects.filter(user=no_role_user, ambito=ambito, role="operator").exists()


def test_another_account_cannot_accept(client_for, ambito, staff_user, no_role_user):
    invitation = services.staff_invitation_create(
        ambito=ambito, email="qualcun.altro@example.org", role="coordinator", invited_by=staff_user
    )
    client = client_for(no_role_user)
    assert "altro indirizzo" in client.get(invitation.get_absolute_url()).text
    assert client.post(invitation.get_absolute_url()).status_code == 403
    assert not StaffRole.objects.filter(user=no_role_user).exists()


def test_revoked_and_expired_invitations_cannot_be_accepted(
    client_for, ambito, staff_user, no_role_user
):
    invitation = services.staff_invitation_create(
        ambito=ambito, email=no_role_user.email, role="operator", invited_by=staff_user
    )
    client = client_for(staff_user)
    client.post(reverse("ambito:staff_invitation_revoke", args=[ambito.code, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    other = client_for(no_role_user)
    assert "ritirato" in other.get(invitation.get_absolute_url()).text
    assert other.post(invitation.get_absolute_url()).status_code == 403
    assert not StaffRole.objects.filter(user=no_role_user).exists()


def test_invitation_errors_are_shown_next_to_the_field(client_for, ambito, staff_user, comune_user):
    client = client_for(staff_user)
    body = _invite(
        client,
        ambito,
        email=comune_user.email,
        role="comune",
        comune=StaffRole.objects.get(user=comune_user).comune_id,
    ).text
    assert "Questa persona ha già questo ruolo." in body
    _invite(client, ambito, email="due@example.org")
    again = _invite(client, ambito, email="due@example.org").text
    assert "ha già un invito in corso" in again
    outside = ComuneFactory()
    body = _invite(client, ambito, email="tre@example.org", role="comune", comune=outside.pk).text
    assert "Scegli uno dei comuni dell&#x27;ambito." in body
    assert StaffInvitation.objects.filter(ambito=ambito).count() == 1


# --- changes and revocations ------------------------------------------------------------------
def test_coordinator_changes_a_role_with_audit_and_email(
    client_for, ambito, staff_user, operator_user, django_capture_on_commit_callbacks
):
    role = StaffRole.objects.get(user=operator_user)
    comune = ambito.comuni.exclude(pk=ambito.lead_comune_id).first()
    url = reverse("ambito:role_edit", args=[ambito.code, role.pk])
    client = client_for(staff_user)
    assert "Ruolo di" in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"role": "comune", "comune": comune.pk, "job_title": "Educatrice", "rup_eligible": ""},
        )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.role, role.comune, role.job_title, role.rup_eligible) == (
        "comune",
        comune,
        "Educatrice",
        False,
    )
    event = AuditEvent.objects.get(action="ambito.staff.changed")
    assert event.changes["role"] == {"before": "operator", "after": "comune"}
    assert event.changes["rup_eligible"] == {"before": True, "after": False}
    sent = django_mail.outbox[-1]
    assert sent.to == [operator_user.email]
    assert "Servizi sociali del comune — " + comune.name in sent.body
    assert "Non puoi essere nominato responsabile unico del procedimento" in sent.body


def test_coordinator_revokes_a_role_with_audit_and_email(
    client_for, ambito, staff_user, operator_user, django_capture_on_commit_callbacks
):
    role = StaffRole.objects.get(user=operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff_user).post(reverse("ambito:role_revoke", args=[ambito.code, role.pk]))
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.get(action="ambito.staff.revoked").changes["role"] == "operator"
    sent = django_mail.outbox[-1]
    assert sent.to == [operator_user.email] and "ha revocato il tuo ruolo" in sent.body


def test_the_last_coordinator_stays(client_for, ambito, staff_user):
    role = StaffRole.objects.get(user=staff_user)
    client = client_for(staff_user)
    response = client.post(reverse("ambito:role_revoke", args=[ambito.code, role.pk]), follow=True)
    assert "unico coordinatore" in response.text
    body = client.post(
        reverse("ambito:role_edit", args=[ambito.code, role.pk]), {"role": "operator"}
    ).text
    assert "unico coordinatore" in body
    assert StaffRole.objects.get(pk=role.pk).role == "coordinator"


# --- who may do what --------------------------------------------------------------------------
def test_comune_staff_manage_their_comunes_colleagues_only(
    client_for, ambito, staff_user, comune_user, operator_user
):
    own = StaffRole.objects.get(user=comune_user).comune
    other_comune = ambito.comuni.exclude(pk=own.pk).first()
    colleague = StaffRoleFactory(ambito=ambito, role="comune", comune=own)
    elsewhere = StaffRoleFactory(ambito=ambito, role="comune", comune=other_comune)
    operator = StaffRole.objects.get(user=operator_user)
    client = client_for(comune_user)
    page = client.get(_roles_url(ambito)).text
    assert colleague.user.email in page
    assert elsewhere.user.email not in page and operator_user.email not in page
    assert staff_user.email not in page
    # the form offers the comune role in their comune only
    assert 'value="operator"' not in page and 'value="coordinator"' not in page
    assert _invite(client, ambito, email="x@example.org", role="operator").status_code == 403
    other = _invite(client, ambito, email="y@example.org", role="comune", comune=other_comune.pk)
    assert other.status_code == 403
    ok = _invite(client, ambito, email="z@example.org", role="comune", comune=own.pk)
    assert ok.status_code == 302
    assert list(StaffInvitation.objects.values_list("email", flat=True)) == ["z@example.org"]
    edit = lambda r: reverse("ambito:role_edit", args=[ambito.code, r.pk])  # noqa: E731
    revoke = lambda r: reverse("ambito:role_revoke", args=[ambito.code, r.pk])  # noqa: E731
    assert client.get(edit(operator)).status_code == 404
    assert client.get(edit(elsewhere)).status_code == 404
    assert client.post(revoke(elsewhere)).status_code == 404
    # a colleague of the same comune: their role may not become another
    assert client.post(edit(colleague), {"role": "operator"}).status_code == 403
    assert StaffRole.objects.get(pk=colleague.pk).role == "comune"
    assert client.post(revoke(colleague)).status_code == 302
    assert not StaffRole.objects.filter(pk=colleague.pk).exists()
    assert StaffRole.objects.filter(pk__in=[elsewhere.pk, operator.pk]).count() == 2


def test_operators_read_and_may_not_change(client_for, ambito, staff_user, operator_user):
    client = client_for(operator_user)
    page = client.get(_roles_url(ambito)).text
    assert staff_user.email in page and "Invita una persona" not in page
    assert _invite(client, ambito, email="x@example.org").status_code == 403
    role = StaffRole.objects.get(user=staff_user)
    assert client.get(reverse("ambito:role_edit", args=[ambito.code, role.pk])).status_code == 403
    assert (
        client.post(reverse("ambito:role_revoke", args=[ambito.code, role.pk])).status_code == 403
    )
    assert StaffInvitation.objects.count() == 0 and StaffRole.objects.filter(pk=role.pk).exists()


def test_another_ambitos_staff_get_not_found(
    client_for, ambito, staff_user, other_staff, operator_user
):
    invitation = services.staff_invitation_create(
        ambito=ambito, email="x@example.org", role="operator", invited_by=staff_user
    )
    role = StaffRole.objects.get(user=operator_user)
    client = client_for(other_staff)
    assert client.get(_roles_url(ambito)).status_code == 404
    assert _invite(client, ambito, email="y@example.org").status_code == 404
    for name, pk in (
        ("ambito:role_edit", role.pk),
        ("ambito:role_revoke", role.pk),
        ("ambito:staff_invitation_resend", invitation.pk),
        ("ambito:staff_invitation_revoke", invitation.pk),
    ):
        assert client.post(reverse(name, args=[ambito.code, pk])).status_code == 404, name
    # nor through their own ambito's address
    assert (
        client.post(
            reverse("ambito:role_revoke", args=[other_staff.staff_roles.get().ambito.code, role.pk])
        ).status_code
        == 404
    )
    assert StaffRole.objects.filter(pk=role.pk).exists()
    assert StaffInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_rup_eligibility_decides_who_may_be_named_rup(ambito, staff_user, operator_user):
    from processes.forms import ProcedureForm
    from tests.factories.processes import ProcedureFactory

    StaffRole.objects.filter(user=operator_user).update(rup_eligible=False)
    offered = set(ProcedureForm(ambito=ambito).fields["rup"].queryset)
    assert staff_user in offered and operator_user not in offered
    named = ProcedureFactory(ambito=ambito, rup=operator_user)
    assert operator_user in set(ProcedureForm(ambito=ambito, instance=named).fields["rup"].queryset)


# --- new ambiti ---------------------------------------------------------------------------------
def _comuni(*codes):
    return [ComuneFactory(istat_code=c, name=f"Comune {c}") for c in codes]


def test_superuser_creates_an_ambito_from_the_portal(
    client_for, superuser, django_capture_on_commit_callbacks
):
    pesaro, gabicce, gradara = _comuni("041044", "041019", "041020")
    client = client_for(superuser)
    assert "Nuovo ambito territoriale sociale" in client.get(reverse("ambito:create")).text
    data = {
        "name": "ATS 1 Pesaro",
        "code": "ats-1-pesaro",
        "lead_comune": pesaro.pk,
        "comuni": [gabicce.pk],
        "istat_codes": "041020, 041044",
        "coordinator_email": "coordinatore@comune.pesaro.pu.it",
    }
    bad = client.post(
        reverse("ambito:create"), {**data, "istat_codes": "041020 999999 12", "code": "tavoli"}
    ).text
    assert "Non sono codici ISTAT (sei cifre): 12" in bad
    assert "è già un indirizzo del portale" in bad
    assert not Ambito.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ambito:create"), data)
    ambito = Ambito.objects.get(code="ats-1-pesaro")
    assert response["Location"] == reverse("ambito:roles", kwargs={"code": "ats-1-pesaro"})
    assert (ambito.lead_comune, ambito.region) == (pesaro, "Marche")
    assert set(ambito.comuni.all()) == {pesaro, gabicce, gradara}
    invitation = StaffInvitation.objects.get(ambito=ambito)
    assert (invitation.email, invitation.role) == (
        "coordinatore@comune.pesaro.pu.it",
        "coordinator",
    )
    assert django_mail.outbox[-1].to == ["coordinatore@comune.pesaro.pu.it"]
    assert AuditEvent.objects.filter(action="ambito.ambito.created", ambito_id=ambito.pk).exists()


def test_unknown_istat_codes_are_named(client_for, superuser):
    (pesaro,) = _comuni("041044")
    body = (
        client_for(superuser)
        .post(
            reverse("ambito:create"),
            {
                "name": "X",
                "code": "x",
                "lead_comune": pesaro.pk,
                "istat_codes": "041044 999999",
                "coordinator_email": "a@example.org",
            },
        )
        .text
    )
    assert "Codici ISTAT che non sono nell&#x27;elenco dei comuni: 999999" in body


@pytest.mark.parametrize("persona", ["staff_user", "comune_user", "no_role_user"])
def test_only_superusers_create_ambiti(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ambito:create")).status_code == 403


# --- manage.py create_ambito ---------------------------------------------------------------------
def test_create_ambito_bootstraps_an_installation_and_is_idempotent(
    capsys, django_capture_on_commit_callbacks
):
    _comuni("041044", "041019", "041020")
    args = [
        "--code", "ats-1-pesaro", "--name", "ATS 1 Pesaro", "--capofila", "041044",
        "--comuni", "041019", "041020", "--coordinatore", "Coord@Example.org",
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_ambito", *args)
    out = capsys.readouterr().out
    ambito = Ambito.objects.get(code="ats-1-pesaro")
    assert sorted(ambito.comuni.values_list("istat_code", flat=True)) == [
        "041019",
        "041020",
        "041044",
    ]
    assert ambito.lead_comune.istat_code == "041044"
    invitation = StaffInvitation.objects.get(ambito=ambito)
    assert invitation.email == "coord@example.org" and invitation.get_absolute_url() in out
    assert len(django_mail.outbox) == 1
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_ambito", *args)
    assert "nessun nuovo invito" in capsys.readouterr().out
    assert (
        Ambito.objects.count(),
        StaffInvitation.objects.count(),
        AuditEvent.objects.count(),
    ) == (1, 1, events)
    assert len(django_mail.outbox) == 1
    # once the coordinator has the role, a run sends nothing either
    user = UserFactory(email="coord@example.org")
    services.staff_invitation_accept(invitation=invitation, user=user)
    call_command("create_ambito", *args)
    assert "è già coordinatore" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"--comuni": ["041019", "999999"]},
            "Codici ISTAT che non sono nell'elenco dei comuni: 999999",
        ),
        ({"--capofila": "41044"}, "Non sono codici ISTAT (sei cifre): 41044"),
        ({"--coordinatore": "non-una-email"}, "indirizzo email valido"),
        ({"--code": "tavoli"}, "code: «tavoli» è già un indirizzo del portale"),
    ],
)
def test_create_ambito_errors_are_clear(change, message):
    _comuni("041044", "041019")
    args = {
        "--code": "ats-1",
        "--name": "ATS 1",
        "--capofila": "041044",
        "--comuni": ["041019"],
        "--coordinatore": "c@example.org",
    }
    args.update(change)
    flat = []
    for key, value in args.items():
        flat += [key, *(value if isinstance(value, list) else [value])]
    with pytest.raises(CommandError) as exc:
        call_command("create_ambito", *flat)
    assert message in str(exc.value)
    assert not Ambito.objects.exists()


def test_create_ambito_needs_the_comuni_imported():
    with pytest.raises(CommandError, match="import_comuni"):
        call_command(
            "create_ambito",
            "--code",
            "a",
            "--name",
            "A",
            "--capofila",
            "041044",
            "--comuni",
            "041044",
            "--coordinatore",
            "c@example.org",
        )
