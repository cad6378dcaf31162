"""Every page is valid HTML: the W3C Nu checker (vnu-jar, `make node`) finds 0 errors.

The pages are those of the permission matrix (tests/security/matrix.py: every URL of the portal,
built on one object of each kind), rendered with Django's test client as the anonymous visitor
and as each main role (the Ufficio di Piano, a comune's staff, an entity's administrator), plus
the account pages. Every HTML answer is written to a temporary folder and the checker runs ONCE
over all of them (one JVM start). htmx fragments are checked inside a minimal document.

Without java or vnu.jar the test is skipped on a developer machine and fails with
REQUIRE_SERVICES=1 (CI), like the other tests that need a service."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import REQUIRE_SERVICES, ROOT
from tests.security import matrix
from tests.security.conftest import personas, world  # noqa: F401 - fixtures
from tests.security.test_permission_matrix import DECLARED, url_for

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROLES = ("anon", "udp", "comune", "entity_admin")
# Pages outside the matrix (allauth's, declared there by prefix) that every visitor sees.
ACCOUNT_PAGES = ("account_login", "account_signup", "account_reset_password")
FRAGMENT = (
    '<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>frammento</title></head>'
    "<body>{}</body></html>"
)


def nu_checker() -> list[str]:
    java = shutil.which("java")
    missing = None
    if java is None:
        missing = "java not found (Debian: apt-get install default-jre-headless)"
    elif not VNU_JAR.exists():
        missing = "vnu-jar missing (make node)"
    if missing:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {missing}")
        pytest.skip(missing)
    return [java, "-jar", str(VNU_JAR)]


def validate(folder: Path, command: list[str]) -> list[str]:
    """Run the checker once over every .html file of folder; the errors as 'file: line: msg'."""
    files = sorted(str(p) for p in folder.glob("*.html"))
    done = subprocess.run(  # noqa: S603 - our own command line
        [*command, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # vnu writes its JSON report to stderr; exit status 1 means errors were found.
    try:
        report = json.loads(done.stderr or done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the Nu checker did not answer in JSON:\n{done.stdout}\n{done.stderr}")
    errors = []
    for message in report["messages"]:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(message.get("url", "?")).name
        errors.append(
            f"{name}:{message.get('lastLine', '?')}: {message['message']}"
            f"  [{message.get('extract', '').strip()[:120]}]"
        )
    return errors


def page_urls(world) -> list[tuple[str, str]]:  # noqa: F811 - the fixture's value
    """(persona, url) for every page a role may see with 200."""
    wanted = []
    for endpoint in DECLARED:
        row = matrix.MATRIX[endpoint.name]
        rows = [row, *matrix.STATE_ROWS.get(endpoint.name, {}).values()]
        for r in rows:
            for persona in ROLES:
                if r.get.get(persona) == matrix.OK:
                    wanted.append((persona, url_for(endpoint, world, r)))
    for name in ACCOUNT_PAGES:
        wanted.append(("anon", reverse(name)))
    return wanted


@pytest.mark.django_db
def test_every_page_is_valid_html(world, tmp_path):  # noqa: F811 - fixture
    command = nu_checker()
    users = world.personas
    clients = {}
    for persona in ROLES:
        client = Client()
        if users[persona] is not None:
            client.force_login(users[persona])
        clients[persona] = client
    folder = tmp_path / "pages"
    folder.mkdir()
    written = {}
    for n, (persona, url) in enumerate(page_urls(world)):
        response = clients[persona].get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if not html.lstrip().lower().startswith("<!doctype html"):
            html = FRAGMENT.format(html)
        name = f"{n:04d}-{persona}-{url.strip('/').replace('/', '_')[:80] or 'home'}.html"
        (folder / name).write_text(html, encoding="utf-8")
        written[name] = url
    assert len(written) > 100, f"only {len(written)} pages rendered"
    # the pages with htmx are among them (polling, live search, the CSRF header on <body>)
    htmx = [n for n in written if "data-hx-get=" in (folder / n).read_text(encoding="utf-8")]
    assert htmx, "no page with htmx attributes was checked"
    errors = validate(folder, command)
    assert not errors, f"{len(errors)} HTML errors (W3C Nu checker):\n" + "\n".join(errors)
