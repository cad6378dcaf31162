"""SPID/CIE in Chromium against the real OpenID Connect provider on loopback
(tests/oidc_provider), with the portal's Content-Security-Policy ENFORCED (no bypass_csp: axe-core
is evaluated through the DevTools protocol, which the page's CSP does not govern) and no CSP
violation on any page: a newcomer enters with SPID, becomes administrator of the entity whose
record names them as legal representative, logs out at the provider too; a person with a
password account cannot take it over by e-mail, links SPID from their area and then enters with
it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import User
from entities.models import EntityMembership
from tests.conftest import WATCH_VIOLATIONS, axe_source, login
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory
from tests.oidc_provider.fixtures import PASSWORD as PROVIDER_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.oidc_provider,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def strict_page(browser, browser_context_args, live_server):
    context = browser.new_context(**browser_context_args)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def check(page) -> None:
    """The portal's page: no CSP violation, and axe-core reports no serious/critical issue."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations || []") == [], page.url
    page.evaluate(axe_source())  # DevTools evaluation: not a script the CSP governs
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}: {bad}"


def enter_at_provider(page, username: str) -> None:
    """The provider's login page (the SPID/CIE proxy and identity provider in production)."""
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Autorizza").click()


def open_user_menu_and_log_out(page) -> None:
    page.locator(".portal-user-menu .dropdown-toggle").click()
    page.get_by_role("button", name="Esci").click()


def test_newcomer_enters_with_spid_takes_over_the_entity_and_logs_out_at_the_provider(
    strict_page, live_server, spid_cie, ambito
):
    page = strict_page
    entity = EntityFactory(
        ambito=ambito,
        name="Associazione La Rondine",
        legal_representative="Mario Rossi",
        legal_representative_fiscal_code="RSSMRA80A01H501U",
    )
    admin = EntityMembershipFactory(entity=entity, user__email="fondatrice@example.org").user

    page.goto(f"{live_server.url}/account/login/")
    expect(page.get_by_role("heading", name="Entra con la tua identità digitale")).to_be_visible()
    expect(page.get_by_role("link", name="Entra con CIE")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Entra con SPID").click()
    enter_at_provider(page, "mario")

    page.wait_for_url(re.compile(r"/la-mia-area/$"))
    expect(page.get_by_text("RSSMRA80A01H501U")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Enti di cui sei legale rappresentante")
    ).to_be_visible()
    check(page)
    mario = User.objects.get(fiscal_code="RSSMRA80A01H501U")
    assert (mario.email, mario.first_name, mario.last_name) == (
        "mario.rossi@example.org",
        "Mario",
        "Rossi",
    )
    page.get_by_role("button", name="Diventa amministratore di Associazione La Rondine").click()
    page.wait_for_url(re.compile(rf"/enti/{entity.pk}/$"))
    expect(page.get_by_text("Ora amministri Associazione La Rondine")).to_be_visible()
    check(page)
    assert EntityMembership.objects.get(entity=entity, user=mario).role == "admin"
    assert EntityMembership.objects.get(entity=entity, user=admin).role == "admin"

    page.goto(f"{live_server.url}/la-mia-area/identita-digitale/")
    expect(page.locator("[data-session-level]")).to_have_text("SPID, livello 2")
    check(page)

    # logout: the portal's session ends, then the provider's (RP-initiated logout), and back
    open_user_menu_and_log_out(page)
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Accedi").first).to_be_visible()
    check(page)
    # the provider forgot the person: entering again asks for the credentials
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_role("link", name="Entra con SPID").click()
    enter_at_provider(page, "mario")
    page.wait_for_url(re.compile(r"/la-mia-area/$"))
    assert User.objects.filter(fiscal_code="RSSMRA80A01H501U").count() == 1


def test_password_account_is_not_taken_by_email_links_spid_then_enters_with_it(
    strict_page, live_server, spid_cie
):
    page = strict_page
    lucia = UserFactory(email="lucia.bianchi@example.org", first_name="Lucia", last_name="Bianchi")

    # SPID with the address of an account that never linked it: refused, nothing merged
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_role("link", name="Entra con SPID").click()
    enter_at_provider(page, "lucia")
    expect(page.get_by_role("heading", name="Accesso con SPID o CIE non riuscito")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("non unisce gli account in base all'e-mail")
    check(page)
    lucia.refresh_from_db()
    assert lucia.fiscal_code == ""

    # Lucia logs in with her password and links SPID from her area
    login(page, live_server, lucia.email)
    page.wait_for_url(re.compile(r"/la-mia-area/$"))
    page.get_by_role("link", name="Identità digitale (SPID e CIE)").click()
    expect(page.locator("[data-fiscal-code]")).to_contain_text("Non ancora verificato")
    check(page)
    # the provider still knows her from the refused attempt (single sign-on): no credentials
    page.get_by_role("link", name="Entra con SPID").click()
    page.wait_for_url(re.compile(r"/la-mia-area/identita-digitale/$"))
    expect(page.locator("[data-fiscal-code]")).to_contain_text("BNCLCU75C55D488I")
    expect(page.locator("[data-session-level]")).to_have_text("SPID, livello 2")
    check(page)
    lucia.refresh_from_db()
    assert lucia.fiscal_code == "BNCLCU75C55D488I"

    # next time, SPID opens her account (the logout ended the provider's session too: it asks
    # for the credentials again)
    open_user_menu_and_log_out(page)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_role("link", name="Entra con SPID").click()
    enter_at_provider(page, "lucia")
    page.wait_for_url(re.compile(r"/la-mia-area/$"))
    expect(page.get_by_text("Ti diamo il benvenuto, Lucia Bianchi.")).to_be_visible()
    check(page)
    assert User.objects.filter(email__iexact="lucia.bianchi@example.org").count() == 1
