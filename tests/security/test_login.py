"""Login hardening: rate limits, no account enumeration, MFA for staff with a real TOTP code,
session expiry, "log out everywhere", the admin behind allauth."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"


@pytest.fixture
def rate_limited(settings):
    """Rate limits on (test settings switch them off), in a cache shared by the requests."""
    settings.ACCOUNT_RATE_LIMITS = {
        "login": "30/m/ip",
        "login_failed": "3/m/ip,3/5m/key",
        "signup": "3/m/ip",
        "reset_password": "3/m/ip,2/m/key",
        "reset_password_from_key": "20/m/ip",
        "confirm_email": "1/3m/key",
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


def _login(client: Client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


# allauth's message for a locked login, shown next to the form (Italian).
LOCKED = "Troppi tentativi di accesso. Riprova più tardi."


def _is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- rate limits --------------------------------------------------------------------------
def test_failed_logins_are_rate_limited_even_with_the_right_password_afterwards(
    rate_limited, no_role_user
):
    client = Client()
    for _ in range(3):
        response = _login(client, no_role_user.email, "wrong-password")
        assert response.status_code == 200 and not _is_logged_in(client)
    response = _login(client, no_role_user.email, PASSWORD)
    assert not _is_logged_in(client), (
        "the fourth attempt must be refused even with the right password"
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()


def test_login_works_below_the_limit(rate_limited, no_role_user):
    client = Client()
    _login(client, no_role_user.email, "wrong-password")
    _login(client, no_role_user.email, PASSWORD)
    assert _is_logged_in(client)


def test_signup_is_rate_limited(rate_limited, db):
    client = Client()
    statuses = []
    for i in range(5):
        response = client.post(
            "/account/signup/",
            {
                "email": f"nuovo{i}@example.org",
                "password1": "Un4-Password-Lunga!",
                "password2": "Un4-Password-Lunga!",
            },
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [302, 302, 302]
    assert 429 in statuses[3:], statuses


def test_password_reset_is_rate_limited(rate_limited, no_role_user):
    client = Client()
    statuses = [
        client.post("/account/password/reset/", {"email": no_role_user.email}).status_code
        for _ in range(4)
    ]
    assert statuses[:2] == [302, 302]
    assert 429 in statuses[2:], statuses


@pytest.fixture
def portal_rate_limits(settings):
    """The rate limits the portal ships with (config/settings/base.py), in a shared cache."""
    from config.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit-portal",
        }
    }
    cache.clear()
    yield base.ACCOUNT_RATE_LIMITS
    cache.clear()


ATTACKER_IP, OWNER_IP = "203.0.113.7", "198.51.100.20"


def test_wrong_passwords_lock_the_guessing_address_not_the_owner(portal_rate_limits, no_role_user):
    attacker = Client(REMOTE_ADDR=ATTACKER_IP)
    for _ in range(5):
        assert _login(attacker, no_role_user.email, "wrong-password").status_code == 200
    refused = _login(attacker, no_role_user.email, PASSWORD)
    assert not _is_logged_in(attacker), "the guessing address stays locked, right password or not"
    assert LOCKED in refused.content.decode()

    owner = Client(REMOTE_ADDR=OWNER_IP)
    _login(owner, no_role_user.email, PASSWORD)
    assert _is_logged_in(owner), "the owner logs in from another address"
    assert not _is_logged_in(attacker)
    _login(attacker, no_role_user.email, PASSWORD)
    assert not _is_logged_in(attacker), "the owner's login does not unlock the attacker"


def test_the_owner_is_locked_only_by_an_attack_from_many_addresses(
    portal_rate_limits, no_role_user
):
    """The account-wide ceiling (login_failed_account) slows guessing spread over many addresses;
    only such an attack can lock the owner out."""
    from allauth.core.internal.ratelimit import parse_rates

    ceiling = parse_rates(portal_rate_limits["login_failed_account"])[0].amount
    per_pair = parse_rates(portal_rate_limits["login_failed"])[-1].amount
    assert ceiling >= 10 * per_pair, "one address, or a few, cannot lock the owner out"
    for i in range(ceiling):
        _login(Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250 + 1}"), no_role_user.email, "wrong")
    owner = Client(REMOTE_ADDR=OWNER_IP)
    _login(owner, no_role_user.email, PASSWORD)
    assert not _is_logged_in(owner)


# --- no account enumeration ---------------------------------------------------------------
def _visible_text(response) -> str:
    import re

    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r"\s+", " ", html)


def test_password_reset_says_the_same_for_known_and_unknown_addresses(
    no_role_user, mailoutbox, django_capture_on_commit_callbacks
):
    known, unknown = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        r1 = known.post("/account/password/reset/", {"email": no_role_user.email}, follow=True)
        r2 = unknown.post(
            "/account/password/reset/", {"email": "nessuno-registrato@example.org"}, follow=True
        )
    assert r1.status_code == r2.status_code == 200
    assert r1.redirect_chain == r2.redirect_chain
    assert _visible_text(r1) == _visible_text(r2)
    # Each address gets its own e-mail: a reset link only for the real account.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [no_role_user.email, "nessuno-registrato@example.org"]
    )
    known_mail = next(m for m in mailoutbox if m.to[0] == no_role_user.email)
    unknown_mail = next(m for m in mailoutbox if m.to[0] != no_role_user.email)
    assert "/account/password/reset/key/" in known_mail.body
    assert "/account/password/reset/key/" not in unknown_mail.body


def test_signup_with_a_taken_address_looks_like_a_new_one(
    no_role_user, django_capture_on_commit_callbacks
):
    data = {"password1": "Un4-Password-Lunga!", "password2": "Un4-Password-Lunga!"}
    with django_capture_on_commit_callbacks(execute=True):
        r1 = Client().post("/account/signup/", {**data, "email": no_role_user.email}, follow=True)
        r2 = Client().post(
            "/account/signup/", {**data, "email": "mai-visto@example.org"}, follow=True
        )
    assert r1.status_code == r2.status_code == 200
    assert [u for u, _ in r1.redirect_chain] == [u for u, _ in r2.redirect_chain]


def test_wrong_password_and_unknown_account_give_the_same_message(no_role_user):
    r1 = _login(Client(), no_role_user.email, "wrong-password")
    r2 = _login(Client(), "sconosciuto@example.org", "wrong-password")
    assert r1.status_code == r2.status_code == 200
    assert _visible_text(r1).replace(no_role_user.email, "X") == _visible_text(r2).replace(
        "sconosciuto@example.org", "X"
    )


# --- MFA ----------------------------------------------------------------------------------
def totp_now(secret: str, at: float | None = None) -> str:
    """RFC 6238 computed here, independently of allauth."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def test_staff_login_asks_for_the_totp_code_and_accepts_a_real_one(mfa_required, staff_user):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    client = Client()
    response = _login(client, staff_user.email, PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/2fa/authenticate"
    )
    assert not _is_logged_in(client), "password alone must not log a staff member in"
    assert client.get("/la-mia-area/").status_code == 302

    wrong = client.post(
        "/account/2fa/authenticate/",
        {"code": "000000" if totp_now(secret) != "000000" else "111111"},
    )
    assert wrong.status_code == 200 and not _is_logged_in(client)

    response = client.post("/account/2fa/authenticate/", {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    assert _is_logged_in(client)
    assert client.get("/la-mia-area/").status_code == 200
    assert client.get(reverse("ambito:audit_log")).status_code == 200


def test_staff_without_mfa_can_only_reach_the_setup(mfa_required, staff_user):
    client = Client()
    _login(client, staff_user.email, PASSWORD)
    assert _is_logged_in(client)
    for path in (
        "/la-mia-area/",
        reverse("ambito:audit_log"),
        reverse("ambito:failed_emails"),
        "/admin/",
    ):
        response = client.get(path)
        assert (
            response.status_code == 302 and "/account/2fa/totp/activate" in response["Location"]
        ), path
    # allauth asks for the password again before changing security settings, then shows the set-up.
    response = client.get("/account/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/reauthenticate/"
    )
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
    assert client.get("/account/2fa/totp/activate/").status_code == 200


def test_superuser_must_set_up_mfa_too(mfa_required, superuser):
    client = Client()
    _login(client, superuser.email, PASSWORD)
    assert "/account/2fa/totp/activate" in client.get("/admin/")["Location"]


def test_staff_can_activate_totp_with_a_real_code(mfa_required, staff_user):
    client = Client()
    _login(client, staff_user.email, PASSWORD)
    client.post("/account/reauthenticate/", {"password": PASSWORD})
    page = client.get("/account/2fa/totp/activate/")
    secret = page.context["form"].secret
    response = client.post("/account/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/la-mia-area/").status_code == 200


# --- sessions -----------------------------------------------------------------------------
def test_session_cookie_ends_with_the_browser_and_the_session_after_hours(settings, no_role_user):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    client = Client()
    response = _login(client, no_role_user.email, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"], (
        "the session cookie must not outlive the browser"
    )
    assert cookie["httponly"]


def test_an_expired_session_sends_to_login(no_role_user):
    client = Client()
    _login(client, no_role_user.email, PASSWORD)
    assert client.get("/la-mia-area/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/la-mia-area/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logout_everywhere_ends_the_other_sessions(no_role_user):
    laptop, phone = Client(), Client()
    _login(laptop, no_role_user.email, PASSWORD)
    _login(phone, no_role_user.email, PASSWORD)
    assert phone.get("/la-mia-area/").status_code == 200
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert phone.get("/la-mia-area/").status_code == 302, "the other device is still logged in"
    assert laptop.get("/la-mia-area/").status_code == 200


def test_password_change_logs_out_the_other_sessions(settings, no_role_user):
    assert settings.ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is True


# --- admin behind allauth -----------------------------------------------------------------
def test_admin_login_is_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_admin_refuses_non_staff_and_admits_superuser(client_for, no_role_user, superuser):
    response = client_for(no_role_user).get("/admin/")
    assert response.status_code in (302, 403)
    assert client_for(superuser).get("/admin/").status_code == 200


def test_admin_login_is_rate_limited_at_the_limit_and_only_through_the_wrapper(
    rate_limited, superuser, settings
):
    """The limit in force here is 3 failed logins. Through /admin/, the 3rd attempt with the right
    password (after 2 failures) logs in, the 4th (after 3) is refused: the count is exact.
    Django's own admin login, unwrapped, would let the right password in after any number of
    failures: the wrapper is what brings the admin under the limit."""
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"].startswith("3/m/ip")

    def admin_login(client: Client, password: str):
        # The admin's login page sends every visitor to allauth's, where the attempt is made.
        entry = client.post(
            "/admin/login/?next=/admin/", {"username": superuser.email, "password": password}
        )
        assert entry.status_code == 302 and entry["Location"].startswith(LOGIN), entry
        assert not _is_logged_in(client), "the admin's own form must not check passwords"
        return client.post(entry["Location"], {"login": superuser.email, "password": password})

    below = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        assert admin_login(below, "wrong-password").status_code == 200
    response = admin_login(below, PASSWORD)
    assert _is_logged_in(below), "below the limit the right password must work"
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert below.get("/admin/").status_code == 200

    cache.clear()
    at_limit = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        assert admin_login(at_limit, "wrong-password").status_code == 200
    response = admin_login(at_limit, PASSWORD)
    assert not _is_logged_in(at_limit), "the 4th attempt must be refused, right password or not"
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert at_limit.get("/admin/").status_code == 302

    # Without the wrapper: Django's admin login checks the password itself, with no limit.
    cache.clear()
    settings.ROOT_URLCONF = "tests.security.urls_plain_admin"
    plain = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(6):
        response = plain.post(
            "/plain-admin/login/", {"username": superuser.email, "password": "wrong-password"}
        )
        assert response.status_code == 200 and not _is_logged_in(plain)
    plain.post("/plain-admin/login/", {"username": superuser.email, "password": PASSWORD})
    assert _is_logged_in(plain), "the unwrapped admin login has no rate limit"
