"""SPID and CIE login against a real OpenID Connect provider (tests/oidc_provider, on
loopback): the account is found by the fiscal code, never by e-mail; refusals; the session's
level; the logout at the provider; the buttons only when configured."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from core import identity
from core.models import AuditEvent, OutgoingEmail, User
from tests.conftest import free_port
from tests.factories.core import PASSWORD, UserFactory
from tests.oidc_provider.fixtures import (
    button_url,
    configure,
    prove_identity,
    provider_callback,
    provider_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.oidc_provider]
MARIO = "RSSMRA80A01H501U"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _session_identity(client) -> dict | None:
    return client.session.get(identity.SESSION_KEY)


def test_first_spid_login_creates_the_account_with_the_fiscal_code(client, spid_cie):
    response = provider_login(client, "spid", "mario")

    assert response.status_code == 302 and response["Location"] == "/la-mia-area/"
    mario = User.objects.get(fiscal_code=MARIO)
    assert (mario.email, mario.first_name, mario.last_name) == (
        "mario.rossi@example.org",
        "Mario",
        "Rossi",
    )
    assert not mario.has_usable_password()
    # the address the identity provider vouches for: verified, no confirmation e-mail
    assert EmailAddress.objects.get(user=mario).verified
    assert not OutgoingEmail.objects.exists()
    assert SocialAccount.objects.get(user=mario).provider == "spid"
    session = _session_identity(client)
    assert (session["scheme"], session["level"], session["fiscal_code"]) == ("spid", 2, MARIO)
    assert session["acr"] == "https://www.spid.gov.it/SpidL2"  # from the ID token only
    event = AuditEvent.objects.get(action="core.account.identity_linked", object_id=str(mario.pk))
    assert event.changes == {"scheme": "SPID", "how": "signup"}
    page = client.get("/la-mia-area/").content.decode()
    assert MARIO in page and "verificato con SPID o CIE" in page


def test_another_spid_provider_same_fiscal_code_opens_the_same_account(client, spid_cie):
    provider_login(client, "spid", "mario")
    client.post("/account/logout/")

    response = provider_login(client, "spid", "mario-aruba")

    assert response.status_code == 302
    assert User.objects.filter(fiscal_code=MARIO).count() == 1
    mario = User.objects.get(fiscal_code=MARIO)
    assert sorted(SocialAccount.objects.filter(user=mario).values_list("uid", flat=True)) == [
        "ARUBA-0002",
        "POSTE-0001",
    ]
    assert int(client.session["_auth_user_id"]) == mario.pk
    assert _session_identity(client)["level"] == 1
    assert identity.spid_level(_request(client, mario)) == 1


def test_cie_login_opens_the_account_of_the_same_fiscal_code(client, spid_cie):
    mario = UserFactory(email="m.rossi@example.org", fiscal_code=MARIO)  # set by a superuser

    provider_login(client, "cie", "mario")

    assert int(client.session["_auth_user_id"]) == mario.pk
    assert SocialAccount.objects.get(user=mario).provider == "cie"
    assert _session_identity(client)["scheme"] == "cie"
    mario.refresh_from_db()
    assert mario.email == "m.rossi@example.org", "the account's address is not overwritten"


def test_existing_password_account_links_spid_then_logs_in_with_it(client, spid_cie):
    lucia = UserFactory(email="lucia.bianchi@example.org", first_name="Lucia")
    assert client.login(email=lucia.email, password=PASSWORD)

    response = provider_login(client, "spid", "lucia", process="connect", next_url="/la-mia-area/")

    assert response.status_code == 302
    lucia.refresh_from_db()
    assert lucia.fiscal_code == "BNCLCU75C55D488I"
    assert lucia.has_usable_password()
    assert _session_identity(client)["level"] == 2
    event = AuditEvent.objects.get(action="core.account.identity_linked", object_id=str(lucia.pk))
    assert event.changes == {"scheme": "SPID", "how": "connect", "fiscal_code": "verificato"}
    client.post("/account/logout/")
    provider_login(client, "spid", "lucia")
    assert int(client.session["_auth_user_id"]) == lucia.pk
    assert User.objects.filter(email__iexact="lucia.bianchi@example.org").count() == 1


def test_email_of_an_account_without_that_fiscal_code_is_refused_never_merged(client, spid_cie):
    lucia = UserFactory(email="Lucia.Bianchi@example.org")

    response = provider_login(client, "spid", "lucia")

    assert response.status_code == 403
    page = _text(response)
    assert "non unisce gli account in base all'e-mail" in page
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    lucia.refresh_from_db()
    assert lucia.fiscal_code == ""
    assert User.objects.count() == 1


def test_identity_of_another_account_cannot_be_linked(client, spid_cie):
    UserFactory(email="mario.rossi@example.org", fiscal_code=MARIO)
    someone = UserFactory(email="altro@example.org")
    client.force_login(someone)

    response = provider_login(client, "spid", "mario", process="connect")

    assert response.status_code == 403
    assert "appartiene a una persona che ha già un altro account" in _text(response)
    someone.refresh_from_db()
    assert someone.fiscal_code == "" and not SocialAccount.objects.exists()


def test_account_with_another_fiscal_code_cannot_link_this_identity(client, spid_cie):
    giuseppe = UserFactory(email="g.verdi@example.org", fiscal_code="VRDGPP60R10G479W")
    client.force_login(giuseppe)

    response = provider_login(client, "spid", "mario", process="connect")

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    assert not User.objects.filter(fiscal_code=MARIO).exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("bad-code", "codice fiscale non valido"),
        ("no-code", "non ha comunicato il codice fiscale"),
    ],
)
def test_login_without_a_valid_fiscal_code_is_refused(client, spid_cie, username, message):
    response = provider_login(client, "spid", username)

    assert response.status_code == 403
    assert message in _text(response)
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0


def test_cie_without_email_asks_for_one_and_confirms_it(client, spid_cie):
    response = provider_login(client, "cie", "carla")

    assert response.status_code == 302 and response["Location"] == "/account/3rdparty/signup/"
    page = _text(client.get("/account/3rdparty/signup/"))
    assert "non ha comunicato un indirizzo e-mail" in page
    assert "data-privacy-notice" in page
    response = client.post("/account/3rdparty/signup/", {"email": "carla@example.org"})
    assert response.status_code == 302
    carla = User.objects.get(fiscal_code="SPSCRL85E60F839S")
    assert (carla.email, carla.first_name, carla.last_name) == (
        "carla@example.org",
        "Carla",
        "Esposito",
    )
    # an address the person typed is confirmed by e-mail before the account opens
    assert not EmailAddress.objects.get(user=carla).verified
    assert "_auth_user_id" not in client.session
    (confirmation,) = OutgoingEmail.objects.filter(to="carla@example.org")
    assert "/account/confirm-email/" in confirmation.body_text


def test_cie_without_email_typing_an_address_already_taken_merges_nothing(client, spid_cie):
    taken = UserFactory(email="preso@example.org")
    provider_login(client, "cie", "carla")

    client.post("/account/3rdparty/signup/", {"email": "preso@example.org"})

    assert not User.objects.filter(fiscal_code="SPSCRL85E60F839S").exists()
    assert not SocialAccount.objects.exists()
    taken.refresh_from_db()
    assert taken.fiscal_code == ""


def test_logout_ends_the_session_at_the_provider(client, spid_cie):
    provider_login(client, "spid", "mario")
    id_token = _session_identity(client)["id_token"]
    assert id_token.count(".") == 2

    response = client.post("/account/logout/")

    assert "_auth_user_id" not in client.session
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}/o/logout/" == f"{spid_cie.url}/logout/"
    params = parse_qs(location.query)
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/"]
    # the provider accepts it and sends the browser back to the portal
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/"


def test_password_logout_stays_on_the_portal(client, spid_cie):
    user = UserFactory()
    assert client.login(email=user.email, password=PASSWORD)
    assert client.post("/account/logout/")["Location"] == "/"


def test_password_login_forgets_an_earlier_spid_level(client, spid_cie):
    provider_login(client, "spid", "mario")
    mario = User.objects.get(fiscal_code=MARIO)
    mario.set_password(PASSWORD)
    mario.save()
    client.post("/account/logout/")

    client.post("/account/login/", {"login": mario.email, "password": PASSWORD})

    assert int(client.session["_auth_user_id"]) == mario.pk
    assert _session_identity(client) is None


def _request(client, user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    return request


def _provider_down(settings) -> None:
    """SPID configured on an address where nothing answers (the proxy is down)."""
    closed = f"http://127.0.0.1:{free_port()}/o"
    configure(
        settings,
        {
            "SPID_OIDC_SERVER_URL": closed,
            "SPID_OIDC_CLIENT_ID": "portale",
            "SPID_OIDC_CLIENT_SECRET": "segreto",
        },
    )


PROVIDER_DOWN = "Il servizio di accesso con SPID o CIE non risponde in questo momento"


def test_provider_down_at_the_start_shows_an_error_page_not_a_500(client, settings):
    _provider_down(settings)

    response = client.get(button_url(client, "spid"))

    assert response.status_code == 503
    page = _text(response)
    assert PROVIDER_DOWN in page and 'href="/account/login/"' in page
    assert "_auth_user_id" not in client.session


def test_provider_down_at_the_callback_shows_an_error_page_not_a_500(client, spid_cie, settings):
    callback = provider_callback(client, "spid", "mario")
    _provider_down(settings)

    response = client.get(callback)

    assert response.status_code == 503
    assert PROVIDER_DOWN in _text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(fiscal_code=MARIO).exists()


def test_logout_of_a_spid_session_does_not_depend_on_the_provider(client, settings):
    _provider_down(settings)
    mario = UserFactory(fiscal_code=MARIO)
    client.force_login(mario)
    prove_identity(client, mario)

    assert client.post("/account/logout/")["Location"] == "/"
    assert "_auth_user_id" not in client.session
