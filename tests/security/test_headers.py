"""Security headers and cookies with the PRODUCTION settings (in a subprocess, like
tests/core/test_settings.py), and the Content-Security-Policy of every page in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_settings import GOOD

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="portal.example.org")
secure = c.get("/health/", secure=True, headers={"X-Forwarded-Proto": "https"})
plain = c.get("/privacy/", headers={"X-Forwarded-Proto": "http"})
print(json.dumps({
    "headers": dict(secure.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "settings": {k: getattr(settings, k) for k in (
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "DEBUG", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_COOKIE_AGE", "MESSAGE_STORAGE", "ALLAUTH_TRUSTED_PROXY_COUNT")},
}))
"""


@pytest.fixture(scope="module")
def production():
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and not k.startswith(("DJANGO", "REDIS", "DATABASE"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={**clean, **GOOD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts(production):
    hsts = production["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts


def test_frame_nosniff_referrer(production):
    headers = production["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_in_production_has_no_unsafe_inline_script(production):
    csp = production["headers"]["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def test_cookies_secure_and_http_redirects_to_https(production):
    s = production["settings"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and not s["DEBUG"]
    assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] and s["SESSION_COOKIE_AGE"] <= 8 * 3600
    assert s["MESSAGE_STORAGE"].endswith("SessionStorage")
    assert production["plain_status"] == 301 and production["plain_location"].startswith("https://")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/privacy/", "/account/login/", "/account/signup/", "/ambiti/"]
)
def test_every_page_sends_the_csp(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "<script>" not in response.content.decode().replace("<script>\n", "<script>"), (
        "inline script without src"
    )
