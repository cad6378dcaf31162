"""In Chromium, with the Content-Security-Policy enforced: an htmx attribute injected in text that
users store does nothing. The attack that worked: a criterion description carrying
`hx-post` + `hx-trigger="load"`, shown to a commissioner in the scoring form, POSTed to the
notification settings with the commissioner's CSRF token (the page's `hx-headers`) and changed
them. The CSP does not stop it, because htmx itself (a script of the portal) sends the request.
Also tried on rich text stored without the sanitiser (a news body written by an import)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = (
    '<b id="pwn" hx-post="/notifiche/" hx-trigger="load" hx-target="this" '
    'hx-vals=\'{{"notification_email": "none"}}\'>{text}</b>'
)


@pytest.fixture
def strict_page(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.requests_seen = []
    page.on("request", lambda r: page.requests_seen.append((r.method, r.url)))
    yield page
    context.close()


def _settled(page) -> None:
    """Long enough for a `load` trigger to fire and its request to end."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")


def _posts_to_settings(page) -> list:
    return [(m, u) for m, u in page.requests_seen if m == "POST" and "/notifiche/" in u]


def _htmx_config(page) -> dict:
    return page.evaluate(
        "({allowEval: htmx.config.allowEval, allowScriptTags: htmx.config.allowScriptTags,"
        " selfRequestsOnly: htmx.config.selfRequestsOnly,"
        " historyEnabled: htmx.config.historyEnabled,"
        " disableSelector: htmx.config.disableSelector})"
    )


def test_htmx_in_a_criterion_description_does_nothing(strict_page, live_server, ambito, entity):
    from core.models import User
    from processes.models import ApplicationStatus, CommissionMember
    from tests.factories.core import UserFactory
    from tests.factories.processes import (
        ApplicationFactory,
        CriterionFactory,
        NoticeFactory,
        ProcedureFactory,
    )

    procedure = ProcedureFactory(ambito=ambito, status="evaluation")
    notice = NoticeFactory(procedure=procedure, published_at=timezone.now())
    CriterionFactory(
        notice=notice, name="Qualità", weight=100, description=PAYLOAD.format(text="Qualità")
    )
    application = ApplicationFactory(
        procedure=procedure,
        entity=entity,
        status=ApplicationStatus.ADMITTED,
        submitted_at=timezone.now(),
    )
    victim = UserFactory(email="commissaria@example.org")
    CommissionMember.objects.create(procedure=procedure, user=victim, declared_at=timezone.now())

    page = strict_page
    login(page, live_server, victim.email)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    page.goto(f"{live_server.url}/procedimenti/domande/{application.pk}/valutazione/")
    _settled(page)
    assert _posts_to_settings(page) == []
    assert User.objects.get(pk=victim.pk).notification_email == User.EmailFrequency.IMMEDIATE
    expect(page.get_by_text('hx-post="/notifiche/"')).to_be_visible()  # shown as text
    assert page.locator("#pwn").count() == 0
    assert _htmx_config(page) == {
        "allowEval": False,
        "allowScriptTags": False,
        "selfRequestsOnly": True,
        "historyEnabled": False,
        "disableSelector": "[hx-disable], [data-hx-disable]",
    }


def test_htmx_in_rich_text_stored_without_the_sanitiser_does_nothing(
    strict_page, live_server, ambito, no_role_user
):
    from core.models import User
    from tests.factories.participation import NewsFactory

    news = NewsFactory(
        ambito=ambito,
        title="Notizia importata",
        body="<p>Il testo della notizia.</p>" + PAYLOAD.format(text="Leggi tutto"),
    )
    page = strict_page
    login(page, live_server, no_role_user.email)
    page.wait_for_url(re.compile(r"/la-mia-area/"))
    page.goto(f"{live_server.url}/partecipazione/notizie/{news.pk}/")
    _settled(page)
    expect(page.get_by_text("Il testo della notizia.")).to_be_visible()
    assert page.locator("[hx-post], [data-hx-post]").count() == 0  # the sanitiser dropped it
    assert _posts_to_settings(page) == []
    assert User.objects.get(pk=no_role_user.pk).notification_email == User.EmailFrequency.IMMEDIATE
