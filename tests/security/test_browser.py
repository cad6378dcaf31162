"""In a real browser WITH the Content-Security-Policy enforced (the shared browser context
bypasses it for axe-core; these tests make their own): an injected inline script does not run,
the portal's own pages raise no CSP violation, and the only cookies are the technical ones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import WATCH_VIOLATIONS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/privacy/",
    "/accessibilita/",
    "/note-legali/",
    "/ambiti/",
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
]
PRIVATE_PAGES = [
    "/la-mia-area/",
    "/notifiche/",
    "/la-mia-area/cancella-account/",
    "/account/email/",
    "/account/sessions/",
    "/ambiti/registro-modifiche/",
    "/ambiti/email-non-inviate/",
]
TECHNICAL_COOKIES = {"sessionid", "csrftoken"}


@pytest.fixture
def strict_page(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.console_errors = console
    yield page
    context.close()


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_injected_inline_script_does_not_run(strict_page, live_server):
    def inject(route):
        response = route.fetch()
        html = response.text().replace(
            "</body>",
            '<script>window.__pwned = 1;</script><img src="/static/none.png" onerror="window.__pwned2 = 1"></body>',
        )
        route.fulfill(response=response, body=html)

    strict_page.route(re.compile(r".*/privacy/$"), inject)
    strict_page.goto(f"{live_server.url}/privacy/")
    strict_page.wait_for_timeout(300)
    assert strict_page.evaluate("window.__pwned") is None
    assert strict_page.evaluate("window.__pwned2") is None
    blocked = _violations(strict_page)
    assert any(v.startswith("script-src") for v in blocked), blocked


def test_portal_pages_raise_no_csp_violation_and_set_only_technical_cookies(
    strict_page, live_server, staff_user
):
    page = strict_page
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], f"{path}: {_violations(page)}"
    login(page, live_server, staff_user.email)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    for path in PRIVATE_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(path), f"{path} redirected to {page.url}"
        assert _violations(page) == [], f"{path}: {_violations(page)}"
    csp_console = [m for m in page.console_errors if "Content Security Policy" in m]
    assert not csp_console, csp_console
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert set(cookies) <= TECHNICAL_COOKIES, (
        f"non-technical cookies: {set(cookies) - TECHNICAL_COOKIES}"
    )
    assert (
        cookies["sessionid"]["httpOnly"] and cookies["sessionid"]["expires"] == -1
    )  # ends with the browser
    assert cookies["sessionid"]["sameSite"] == "Lax"


def test_staff_reads_the_audit_log_and_resends_a_failed_email(
    page, live_server, browser_login, axe, staff_user, ambito
):
    """Journey of the Ufficio di Piano: from "my area" to the audit log (filtered), then to the
    failed e-mails, resending one. Every page passes axe."""
    from core import audit
    from core.models import OutgoingEmail

    for i in range(3):
        audit.record(
            actor=staff_user,
            action="table.updated",
            obj=ambito,
            changes={"name": {"before": f"A{i}", "after": f"B{i}"}},
            ambito_id=ambito.pk,
        )
    audit.record(actor=staff_user, action="procedure.published", obj=ambito, ambito_id=ambito.pk)
    failed = OutgoingEmail.objects.create(
        to="ente@example.org",
        subject="Convocazione",
        body_text="x",
        status="failed",
        attempts=7,
        last_error="Connection refused",
        ambito_id=ambito.pk,
    )

    browser_login(page, staff_user)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    page.get_by_role("link", name="Registro delle modifiche").click()
    page.wait_for_url(re.compile(r"/ambiti/registro-modifiche/"))
    axe(page)
    expect(page.locator("tbody tr")).to_have_count(4)
    page.get_by_label("Azione", exact=True).fill("procedure")
    page.get_by_role("button", name="Filtra").click()
    page.wait_for_url(re.compile(r"action=procedure"))
    expect(page.locator("tbody tr")).to_have_count(1)
    axe(page)

    page.goto(f"{live_server.url}/la-mia-area/")
    page.get_by_role("link", name="E-mail non inviate").click()
    page.wait_for_url(re.compile(r"/ambiti/email-non-inviate/"))
    expect(page.get_by_text("Connection refused")).to_be_visible()
    axe(page)
    page.get_by_role("button", name=re.compile("Reinvia")).click()
    page.wait_for_url(re.compile(r"/ambiti/email-non-inviate/$"))
    expect(page.get_by_text("rimesso in coda")).to_be_visible()
    axe(page)
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT  # eager Celery in tests, locmem backend
