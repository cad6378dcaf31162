"""A newcomer signs up, verifies the e-mail from the message received, lands in "my area",
turns on two-factor authentication; every page passes axe (no serious/critical violation)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_and_see_my_area(page, live_server, axe, ambito):
    page.goto(f"{live_server.url}/")
    axe(page)
    page.get_by_role("link", name="Accedi").first.click()
    axe(page)
    page.goto(f"{live_server.url}/account/signup/")
    axe(page)
    # Bad input first: a weak password is refused with the message next to the field.
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill("nuova.persona@example.org")
    page.locator("#id_password1").fill("12345678")
    page.locator("#id_password2").fill("12345678")
    page.get_by_role("button", name=re.compile("Registra", re.I)).click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    axe(page)
    page.locator("#id_password1").fill("una-password-robusta-2026")
    page.locator("#id_password2").fill("una-password-robusta-2026")
    page.get_by_role("button", name=re.compile("Registra", re.I)).click()
    page.wait_for_url(re.compile(r"/account/confirm-email/"))
    axe(page)

    message = mail.outbox[-1]
    assert message.to == ["nuova.persona@example.org"]
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    axe(page)
    page.get_by_role("button", name=re.compile("Conferma", re.I)).click()
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    expect(page.get_by_role("heading", name="La mia area")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Autenticazione a due fattori").click()
    axe(page)


def test_login_with_wrong_password_shows_error(page, live_server, axe, no_role_user):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(no_role_user.email)
    page.get_by_label("Password").fill("sbagliata")
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    axe(page)
