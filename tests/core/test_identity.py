"""core.identity: SPID/CIE claims read into a person (fiscal code, level, contact), the
configuration from the environment (config.settings.base), the session's level, and the
buttons shown only when SPID/CIE are configured."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from config.settings.base import identity_provider_apps, identity_provider_origins
from core import identity
from tests.core.test_settings import GOOD, _check
from tests.factories.core import UserFactory
from tests.oidc_provider.fixtures import configure, prove_identity

MARIO = "RSSMRA80A01H501U"
ENV = {
    "SPID_OIDC_SERVER_URL": "https://iam-proxy.example.it",
    "SPID_OIDC_CLIENT_ID": "portale",
    "SPID_OIDC_CLIENT_SECRET": "segreto",
}


# --- fiscal codes and levels -------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [MARIO, "TINIT-RSSMRA80A01H501U", "tinit-rssmra80a01h501u", " RSSMRA80 A01H501U "],
)
def test_fiscal_code_normalised(raw):
    assert identity.normalise_fiscal_code(raw) == MARIO


def test_omocode_fiscal_code_is_valid():
    assert identity.normalise_fiscal_code("RSSMRA80A01H50MM") == "RSSMRA80A01H50MM"


@pytest.mark.parametrize(
    "raw", ["RSSMRA80A01H501X", "80012345678", "RSSMRA80A01H501", "", "TINIT-", "<script>"]
)
def test_invalid_fiscal_code_refused_in_italian(raw):
    with pytest.raises(ValidationError) as exc:
        identity.normalise_fiscal_code(raw)
    assert "non è un codice fiscale personale valido" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("acr", "level"),
    [
        ("https://www.spid.gov.it/SpidL1", 1),
        ("https://www.spid.gov.it/SpidL2", 2),
        ("https://www.spid.gov.it/SpidL3/", 3),
        ("SpidL2", 2),
        ("CieL3", 3),
        ("urn:oasis:names:tc:SAML:2.0:ac:classes:InternetProtocolPassword", 0),
        ("https://www.spid.gov.it/SpidL4", 0),
        ("", 0),
        (None, 0),
    ],
)
def test_level_of_acr(acr, level):
    assert identity.level_of(acr) == level


# --- claims ------------------------------------------------------------------------------------
def test_spid_style_claims():
    person = identity.identity_from_claims(
        "spid",
        {
            "sub": "POSTE-1",
            "spidCode": "POSTE-1",
            "fiscalNumber": "TINIT-RSSMRA80A01H501U",
            "name": "Mario",
            "familyName": "Rossi",
            "email": "Mario.Rossi@Example.org",
            "acr": "https://www.spid.gov.it/SpidL2",
        },
    )
    assert person == identity.Identity(
        scheme="spid",
        fiscal_code=MARIO,
        level=2,
        acr="https://www.spid.gov.it/SpidL2",
        contact=identity.Contact(
            email="mario.rossi@example.org",
            email_verified=True,
            first_name="Mario",
            last_name="Rossi",
        ),
    )


def test_openid_connect_and_agid_claim_names():
    person = identity.identity_from_claims(
        "cie",
        {
            "https://attributes.eid.gov.it/fiscal_number": "TINIT-RSSMRA80A01H501U",
            "given_name": "Mario",
            "family_name": "Rossi",
            "name": "Mario Rossi",
            "email_verified": "false",
            "email": "m@example.org",
        },
    )
    assert (person.fiscal_code, person.level) == (MARIO, 0)
    assert person.contact == identity.Contact("m@example.org", False, "Mario", "Rossi")


def test_iam_proxy_default_mapping_fiscal_number():
    claims = {"fiscal_number": MARIO, "name": "Mario Rossi"}
    person = identity.identity_from_claims("spid", claims)
    # OpenID Connect's "name" is the full name: not a first name
    assert (person.fiscal_code, person.contact.first_name, person.contact.email) == (MARIO, "", "")


def test_userinfo_over_id_token_and_acr_from_the_id_token():
    claims = identity.claims_of(
        {
            "id_token": {"sub": "x", "acr": "https://www.spid.gov.it/SpidL3", "email": "old@x.it"},
            "userinfo": {"sub": "x", "fiscalNumber": MARIO, "email": "new@x.it"},
        }
    )
    person = identity.identity_from_claims("spid", claims)
    assert (person.level, person.contact.email) == (3, "new@x.it")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email": "a@example.org"}, "non ha comunicato il codice fiscale"),
        ({"fiscalNumber": "TINIT-RSSMRA80A01H501X"}, "codice fiscale non valido"),
        ({"fiscalNumber": 12345}, "non ha comunicato il codice fiscale"),
    ],
)
def test_claims_without_a_valid_fiscal_code_refused(claims, message):
    with pytest.raises(identity.IdentityRefused) as exc:
        identity.identity_from_claims("spid", claims)
    assert message in exc.value.message


# --- configuration from the environment -------------------------------------------------------
def test_apps_from_the_environment():
    apps = identity_provider_apps(
        {
            **ENV,
            "SPID_OIDC_SCOPE": "openid profile email",
            "CIE_OIDC_SERVER_URL": "https://iam-proxy.example.it",
            "CIE_OIDC_CLIENT_ID": "portale",
            "CIE_OIDC_CLIENT_SECRET": "segreto",
            "CIE_OIDC_AUTH_PARAMS": "idp_hint=https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO",
        }
    )
    assert [(a["provider_id"], a["client_id"]) for a in apps] == [
        ("spid", "portale"),
        ("cie", "portale"),
    ]
    assert apps[0]["settings"]["scope"] == ["openid", "profile", "email"]
    assert apps[1]["settings"]["auth_params"] == {
        "idp_hint": "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"
    }
    assert all(a["settings"]["oauth_pkce_enabled"] for a in apps)
    assert identity_provider_origins(apps) == ["https://iam-proxy.example.it"]
    assert identity_provider_apps({}) == []


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({**ENV, "SPID_OIDC_CLIENT_SECRET": ""}, "SPID_OIDC_CLIENT_SECRET"),
        ({"CIE_OIDC_CLIENT_ID": "x"}, "CIE_OIDC_SERVER_URL"),
        ({**ENV, "SPID_OIDC_SERVER_URL": "http://iam-proxy.example.it"}, "SPID_OIDC_SERVER_URL"),
        ({**ENV, "SPID_OIDC_SERVER_URL": "iam-proxy.example.it"}, "SPID_OIDC_SERVER_URL"),
    ],
)
def test_incomplete_or_insecure_configuration_refused(env, variable):
    with pytest.raises(ImproperlyConfigured) as exc:
        identity_provider_apps(env)
    assert variable in str(exc.value)


def test_loopback_http_allowed_for_a_local_proxy():
    apps = identity_provider_apps({**ENV, "SPID_OIDC_SERVER_URL": "http://127.0.0.1:8000/o"})
    assert apps[0]["settings"]["server_url"] == "http://127.0.0.1:8000/o"


@pytest.mark.parametrize(
    ("env", "ok"),
    [
        ({"STAFF_LOGIN_METHODS": "spid,totp"}, True),
        ({"STAFF_LOGIN_METHODS": "totp"}, True),
        ({"STAFF_LOGIN_METHODS": "spid", **ENV}, True),
        ({"STAFF_LOGIN_METHODS": "spid"}, False),  # nobody could log in
        ({"STAFF_LOGIN_METHODS": "sms"}, False),
        ({**ENV, "SPID_OIDC_CLIENT_ID": ""}, False),
    ],
)
def test_production_start_checks_the_spid_cie_variables(env, ok):
    result: subprocess.CompletedProcess = _check({**GOOD, **env})
    assert (result.returncode == 0) is ok, result.stderr[-800:]
    if not ok:
        assert "Variabile d'ambiente" in result.stderr


# --- the session ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_spid_level_of_the_session(client):
    mario = UserFactory(fiscal_code=MARIO)
    client.force_login(mario)
    request = RequestFactory().get("/")
    request.user, request.session = mario, client.session
    assert identity.spid_level(request) == 0 and identity.proven_fiscal_code(request) == ""
    prove_identity(client, mario, level=2)
    request.session = client.session
    assert identity.spid_level(request) == 2 and identity.proven_fiscal_code(request) == MARIO
    assert identity.recently_authenticated(request)
    # another person's account in the same session proves nothing
    other = UserFactory(fiscal_code="VRDGPP60R10G479W")
    request.user = other
    assert identity.spid_level(request) == 0


# --- buttons -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_login_page_without_spid_cie_shows_no_button(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Entra con SPID" not in page and "Entra con CIE" not in page
    assert "spid-sp-access-button.css" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("schemes", "shown", "hidden"),
    [
        (("spid", "cie"), ["Entra con SPID", 'alt="Entra con CIE"'], []),
        (("spid",), ["Entra con SPID"], ["Entra con CIE"]),
        (("cie",), ['alt="Entra con CIE"'], ["Entra con SPID"]),
    ],
)
def test_login_page_shows_the_configured_buttons(client, settings, schemes, shown, hidden):
    env = {}
    for scheme in schemes:
        env.update({k.replace("SPID", scheme.upper()): v for k, v in ENV.items()})
    configure(settings, env)
    page = client.get(reverse("account_login") + "?next=/enti/").content.decode()
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page
    for scheme in schemes:
        assert re.search(
            rf'href="/account/oidc/{scheme}/login/\?process=login&amp;next=%2Fenti%2F&amp;token=\w{{32}}"',
            page,
        )
    assert "/static/vendor/spid-sp-access-button/spid-sp-access-button.css" in page
    # the provider's origin is where the logout form may lead (RP-initiated logout)
    response = client.get(reverse("account_login"))
    assert "form-action 'self' https://iam-proxy.example.it" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_next_to_another_site_is_not_passed_on(client, settings):
    configure(settings, ENV)
    page = client.get(reverse("account_login") + "?next=https://evil.example/").content.decode()
    assert re.search(r'href="/account/oidc/spid/login/\?process=login&amp;token=\w+"', page)


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "0" * 32])
def test_a_login_started_elsewhere_is_refused(client, settings, token):
    """The buttons are links: without the token bound to this browser's CSRF cookie (a link
    from another site), nothing starts."""
    configure(settings, ENV)
    client.get(reverse("account_login"))  # the browser has its CSRF cookie
    query = "?process=connect" + (f"&token={token}" if token is not None else "")
    response = client.get(f"/account/oidc/spid/login/{query}")
    assert response.status_code == 403
    assert "non è stato aperto da una pagina del portale" in html.unescape(
        response.content.decode()
    )


@pytest.mark.django_db
def test_the_token_of_another_browser_is_refused(client, settings):
    from django.test import Client

    configure(settings, ENV)
    other = Client()
    page = other.get(reverse("account_login")).content.decode()
    token = re.search(r"token=(\w+)", page).group(1)
    client.get(reverse("account_login"))
    response = client.get(f"/account/oidc/spid/login/?process=login&token={token}")
    assert response.status_code == 403
