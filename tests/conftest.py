"""Personas, service checks and browser set-up shared by every test.

Personas (healthchecks-style): for one ambito `ambito`, its Ufficio di Piano `staff_user`, a comune
social worker `comune_user`, a verified `entity` with its administrator `entity_admin` and delegate
`entity_delegate`; outsiders: `other_entity_admin` (another entity), `other_staff` (another
ambito's Ufficio di Piano), `no_role_user`, `superuser`; `client` is anonymous and
`client_for(user)` logs someone in.

Tests marked postgres / redis / celery_worker / browser / smtp / oidc_provider need a real
service (oidc_provider: the test OpenID Connect provider of tests/oidc_provider, which needs
the dev dependency django-oauth-toolkit). Where the
service is missing they are skipped on a developer machine, but with REQUIRE_SERVICES=1 (CI) a
missing service fails the test: CI never skips them silently."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

import tests.hypothesis_profiles  # noqa: F401 - registers the profiles named on the command line
from ambito.models import StaffRole
from entities.models import EntityMembership
from tests.factories.ambito import AmbitoFactory, ComuneFactory, StaffRoleFactory
from tests.factories.core import PASSWORD, UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.oidc_provider.fixtures import oidc_provider, spid_cie  # noqa: F401 - fixtures
from tests.reference_data import ensure_reference_data

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


# --- services -----------------------------------------------------------------------------
def _redis_ok() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ):
            return True
    except OSError:
        return False


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "PostgreSQL not configured (DATABASE_URL)"
    if marker in ("redis", "celery_worker") and not _redis_ok():
        return "Redis not reachable (REDIS_URL)"
    if marker == "celery_worker" and connection.vendor != "postgresql":
        return "a Celery worker shares the test database only on PostgreSQL"
    if marker == "oidc_provider" and importlib.util.find_spec("oauth2_provider") is None:
        return "django-oauth-toolkit missing (make install-dev): no test OpenID Connect provider"
    if marker == "browser":
        if not Path(CHROMIUM).exists():
            return f"Chromium not found at {CHROMIUM}"
        if not AXE_JS.exists():
            return "axe-core missing (npm ci)"
    return None


@pytest.fixture(autouse=True)
def _require_services(request):
    for marker in ("postgres", "redis", "celery_worker", "browser", "oidc_provider"):
        if request.node.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason:
                if REQUIRE_SERVICES:
                    pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rows a cached value was read from are rolled
    back after each test without the signals that would have dropped it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    from django.core.files.storage import storages

    storages._storages = {}
    yield
    storages._storages = {}


DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def _reference_data(request):
    if not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    ensure_reference_data()


# --- personas -----------------------------------------------------------------------------
@pytest.fixture
def ambito(db):
    return AmbitoFactory(member_comuni=[ComuneFactory(), ComuneFactory()])


@pytest.fixture
def other_ambito(db):
    return AmbitoFactory()


@pytest.fixture
def staff_user(ambito):
    return StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.COORDINATOR, user__email="udp@example.org"
    ).user


@pytest.fixture
def operator_user(ambito):
    return StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.OPERATOR, user__email="operatore@example.org"
    ).user


@pytest.fixture
def comune_user(ambito):
    comune = ambito.comuni.exclude(pk=ambito.lead_comune_id).first()
    return StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.COMUNE, comune=comune, user__email="comune@example.org"
    ).user


@pytest.fixture
def other_staff(other_ambito):
    return StaffRoleFactory(
        ambito=other_ambito, role=StaffRole.Role.COORDINATOR, user__email="altro-udp@example.org"
    ).user


@pytest.fixture
def entity(ambito):
    return EntityFactory(ambito=ambito, name="Associazione Il Faro")


@pytest.fixture
def other_entity(ambito):
    return EntityFactory(
        ambito=ambito, name="Cooperativa Sociale La Rete", legal_form="coop_a", runts_section="d"
    )


@pytest.fixture
def entity_admin(entity):
    return EntityMembershipFactory(
        entity=entity, role=EntityMembership.Role.ADMIN, user__email="ente@example.org"
    ).user


@pytest.fixture
def entity_delegate(entity):
    return EntityMembershipFactory(
        entity=entity, role=EntityMembership.Role.DELEGATE, user__email="delegato@example.org"
    ).user


@pytest.fixture
def other_entity_admin(other_entity):
    return EntityMembershipFactory(
        entity=other_entity, role=EntityMembership.Role.ADMIN, user__email="altro-ente@example.org"
    ).user


@pytest.fixture
def no_role_user(db):
    return UserFactory(email="cittadino@example.org")


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client, db):
    """client_for(user) -> a test client logged in as user (or anonymous with None)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


# --- real SMTP server ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd); settings switched to SMTP for this test.
    Yields the list of received envelopes."""
    from aiosmtpd.controller import Controller

    class Received(list):
        port: int

    received = Received()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 Message accepted"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    received.port = port
    yield received
    controller.stop()


# --- real Celery worker -------------------------------------------------------------------
@pytest.fixture(autouse=True)
def celery_tasks_run_in_the_test():
    """Every test starts with tasks run in the test process (the test settings' choice), even if
    an earlier test in the same process changed the Celery app's configuration: the app reads
    Django's settings once, when first used, so a test that overrode CELERY_* settings at that
    moment would otherwise send every later task to a broker no worker reads. A test that starts
    a real worker (celery_worker_process, which runs after this) turns it off for itself."""
    from config.celery import app

    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start `celery worker` against Redis and the test database; tasks are sent for real."""
    from config.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    env.pop("TEST_DATABASE_NAME", None)
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "warning",
            "-Q",
            "default",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.inspect(timeout=1).ping():
                break
            if proc.poll() is not None:
                pytest.fail("Celery worker exited at start-up")
        else:
            pytest.fail("Celery worker did not answer within 60 s")
        yield proc
    finally:
        app.conf.task_always_eager = previous
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- browser ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The portal's Content-Security-Policy is ENFORCED in every browser test (no bypass_csp):
    # axe-core is evaluated through DevTools (assert_accessible), which the CSP does not govern.
    return {
        **browser_context_args,
        "locale": "it-IT",
        "timezone_id": "Europe/Rome",
        "viewport": {"width": 1280, "height": 900},
        "bypass_csp": False,
    }


# Collects the page's Content-Security-Policy violations (read by assert_accessible and by the
# tests that open their own context).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


@pytest.fixture
def context(context):
    """pytest-playwright's context (behind the `page` fixture), with the CSP enforced: any
    violation reported on any page of the test (Chromium logs each one) fails the test."""
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.add_init_script(WATCH_VIOLATIONS)
    context.on("console", on_console)
    yield context
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@functools.cache
def axe_source() -> str:
    return AXE_JS.read_text()


def assert_accessible(page, attempts: int = 3) -> None:
    """Run axe-core on the page; fail on any CSP violation and on any serious or critical
    accessibility violation.

    A click returns before the page it opens has loaded, so the check first waits for the load
    and starts again if the document was replaced under it (a navigation still under way).
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(1, attempts + 1):
        page.wait_for_load_state()
        try:
            # A DevTools evaluation, not a <script>: the page's CSP stays enforced.
            page.evaluate(axe_source())
            result = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})"
            )
            break
        except PlaywrightError:
            if attempt == attempts:
                raise
    blocked = page.evaluate("window.__cspViolations || []")
    assert not blocked, f"Content-Security-Policy violations on {page.url}: {blocked}"
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes'][:5]]}"
        for v in bad
    )
    assert not bad, f"accessibility violations on {page.url}:\n{details}"


def login(page, live_server, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()


def download_pdf_text(page, link) -> str:
    """Click a link that downloads a PDF and return its text (pypdf)."""
    from pypdf import PdfReader

    with page.expect_download() as info:
        link.click()
    return "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)


@pytest.fixture
def axe():
    return assert_accessible


@pytest.fixture
def browser_login(live_server):
    def do(page, user, password: str = PASSWORD):
        login(page, live_server, user.email, password)

    return do


__all__ = ["PASSWORD", "settings"]
