"""Fixtures of the SPID/CIE tests (imported by tests/conftest.py).

`oidc_provider` starts the test OpenID Connect provider (this package) once per test session,
on a free loopback port, with the identities of IDENTITIES; `spid_cie` configures the portal's
`spid` and `cie` apps on it exactly as the environment would (SPID_OIDC_*, CIE_OIDC_*: one
client of the provider for both, as with iam-proxy-italia; README, "SPID e CIE"), and
`provider_login` runs a login through it without a browser (requests on the provider's side,
Django's test client on the portal's)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENT_ID = "portale-amministrazione-condivisa"
CLIENT_SECRET = "test-oidc-client-secret-0123456789"  # noqa: S105
PASSWORD = "password-del-provider"  # noqa: S105
SPID_L1 = "https://www.spid.gov.it/SpidL1"
SPID_L2 = "https://www.spid.gov.it/SpidL2"
SPID_L3 = "https://www.spid.gov.it/SpidL3"


def _spid(sub: str, fiscal_code: str, name: str, family_name: str, email: str | None, acr: str):
    claims = {
        "sub": sub,
        "spidCode": sub,
        "fiscalNumber": fiscal_code,
        "name": name,
        "familyName": family_name,
        "acr": acr,
    }
    if email:
        claims["email"] = email
    return {"password": PASSWORD, "claims": claims}


# Test identities (their fiscal codes are valid ones, computed for these names and dates).
IDENTITIES = {
    # Mario Rossi with two SPID providers: two subjects, one fiscal code
    "mario": _spid(
        "POSTE-0001", "TINIT-RSSMRA80A01H501U", "Mario", "Rossi", "mario.rossi@example.org", SPID_L2
    ),
    "mario-aruba": _spid(
        "ARUBA-0002", "TINIT-RSSMRA80A01H501U", "Mario", "Rossi", "mario.rossi@example.org", SPID_L1
    ),
    # Lucia Bianchi, who already has an account with a password (the tests create it)
    "lucia": _spid(
        "INFOCERT-0003",
        "TINIT-BNCLCU75C55D488I",
        "Lucia",
        "Bianchi",
        "lucia.bianchi@example.org",
        SPID_L2,
    ),
    # Giuseppe Verdi, of an Ufficio di Piano (the tests give him the role)
    "giuseppe": _spid(
        "POSTE-0004", "TINIT-VRDGPP60R10G479W", "Giuseppe", "Verdi", "g.verdi@example.org", SPID_L2
    ),
    "giuseppe-l1": _spid(
        "SIELTE-0005", "TINIT-VRDGPP60R10G479W", "Giuseppe", "Verdi", "g.verdi@example.org", SPID_L1
    ),
    # Carla Esposito with CIE, which releases no e-mail
    "carla": _spid("CIE-0006", "TINIT-SPSCRL85E60F839S", "Carla", "Esposito", None, SPID_L3),
    # a provider that sends a wrong fiscal code, or none
    "bad-code": _spid(
        "POSTE-0007", "TINIT-RSSMRA80A01H501X", "Marco", "Errato", "errato@example.org", SPID_L2
    ),
    "no-code": {
        "password": PASSWORD,
        "claims": {"sub": "POSTE-0008", "name": "Nadia", "familyName": "Senza", "acr": SPID_L2},
    },
}


@dataclass
class Provider:
    url: str  # the issuer's base, e.g. http://127.0.0.1:8123/o

    def environ(self, *schemes: str) -> dict[str, str]:
        """The environment that configures the portal's `schemes` on this provider."""
        env = {}
        for scheme in schemes or ("spid", "cie"):
            prefix = f"{scheme.upper()}_OIDC_"
            env[prefix + "SERVER_URL"] = self.url
            env[prefix + "CLIENT_ID"] = CLIENT_ID
            env[prefix + "CLIENT_SECRET"] = CLIENT_SECRET
        return env


def _callbacks(hosts: list[str]) -> list[str]:
    return [
        f"http://{host}/account/oidc/{scheme}/login/callback/"
        for host in hosts
        for scheme in ("spid", "cie")
    ]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    from tests.conftest import REQUIRE_SERVICES, free_port

    if importlib.util.find_spec("oauth2_provider") is None:
        reason = "django-oauth-toolkit missing (make install-dev): no test OpenID Connect provider"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)

    folder = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    # "localhost" and 127.0.0.1 match any port (RFC 8252 loopback redirects): the live server.
    hosts = ["testserver", "localhost", "127.0.0.1"]
    config = {
        "port": port,
        "database": str(folder / "provider.sqlite3"),
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": _callbacks(hosts),
                "post_logout_redirect_uris": [f"http://{host}/" for host in hosts],
            }
        ],
        "identities": IDENTITIES,
    }
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(path)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/o"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the test OpenID Connect provider exited: {(folder / 'provider.log').read_text()}"
                )
            try:
                if requests.get(f"{url}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the test OpenID Connect provider did not start within 60 s")
            time.sleep(0.2)
        yield Provider(url=url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def configure(settings, environ: dict[str, str]) -> None:
    """Configure SPID/CIE in the portal from `environ`, through the settings' own code."""
    from config.settings import base

    apps = base.identity_provider_apps(environ)
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": apps}
    }
    policy = settings.CONTENT_SECURITY_POLICY
    directives = dict(policy["DIRECTIVES"])
    directives["form-action"] = ["'self'", *base.identity_provider_origins(apps)]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}


@pytest.fixture
def spid_cie(settings, oidc_provider):
    """SPID and CIE configured on the test provider, for this test."""
    configure(settings, oidc_provider.environ())
    return oidc_provider


def button_url(client, scheme: str, process: str = "login", next_url: str = "") -> str:
    """The address of the portal's "Entra con SPID/CIE" button, as a page of the portal shows it
    to `client` (with its token): the login page, or "Identità digitale" to link an identity."""
    page = "/account/login/" if process == "login" else "/la-mia-area/identita-digitale/"
    html = client.get(page + (f"?next={next_url}" if next_url else "")).content.decode()
    match = re.search(rf'href="(/account/oidc/{scheme}/login/\?process=)(\w+)([^"]*)"', html)
    assert match, f"no {scheme} button on {page}"
    # a page offers one process; another is the same link with its name changed (as a person
    # could type it)
    return f"{match.group(1)}{process}{match.group(3)}".replace("&amp;", "&")


def provider_login(client, scheme: str, username: str, *, process: str = "login", next_url=""):
    """Press "Entra con SPID/CIE" as `client` (Django's test client), log in at the provider as
    `username`, come back to the portal's callback; returns the callback's response."""
    return client.get(
        provider_callback(client, scheme, username, process=process, next_url=next_url)
    )


def provider_callback(client, scheme: str, username: str, *, process="login", next_url="") -> str:
    """provider_login up to the provider's redirect: the portal's callback address (path and
    query) the browser would open next."""
    start = client.get(button_url(client, scheme, process, next_url))
    assert start.status_code == 302, start
    browser = requests.Session()
    response = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    login_url = urljoin(start["Location"], response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_value = parse_qs(urlsplit(login_url).query)["next"][0]
    response = browser.post(
        login_url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": PASSWORD,
            "next": next_value,
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    authorize = urljoin(login_url, response.headers["Location"])
    response = browser.get(authorize, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    callback = urlsplit(response.headers["Location"])
    assert callback.netloc == "testserver", callback
    return f"{callback.path}?{callback.query}"


def prove_identity(client, user, *, scheme: str = "spid", level: int = 2) -> None:
    """Mark `client`'s session as opened with SPID/CIE by `user` (what a real login records,
    tests/core/test_spid_cie.py), for tests of what a proven identity allows."""
    from core import identity

    session = client.session
    session[identity.SESSION_KEY] = {
        "user_id": user.pk,
        "scheme": scheme,
        "level": level,
        "acr": f"https://www.spid.gov.it/SpidL{level}",
        "fiscal_code": user.fiscal_code,
        "at": int(time.time()),
        "id_token": "",
    }
    session.save()
