"""One data controller: every form that shows a privacy notice names the same controller as the
privacy page, the ambito's (Ambito.data_controller_name)."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ambito.models import Ambito
from tests.factories.participation import EventFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

CONTROLLER = re.compile(r"data-controller[^>]*>([^<]+)<")


def _controllers(html: str) -> list[str]:
    return [" ".join(html_lib.unescape(m).split()) for m in CONTROLLER.findall(html)]


def _pages_with_a_notice(client: Client, ambito: Ambito) -> dict[str, str]:
    """Every page whose form collects personal data and shows a privacy notice."""
    event = EventFactory(ambito=ambito, title="Stati generali")
    EventSessionFactory(event=event)
    return {
        "event registration": client.get(event.get_absolute_url()).content.decode(),
        "sign-up": client.get(reverse("account_signup")).content.decode(),
        "entity registration": _logged_in_get(reverse("entities:register")),
    }


def _logged_in_get(url: str) -> str:
    from tests.factories.core import UserFactory

    client = Client()
    client.force_login(UserFactory())
    return client.get(url).content.decode()


@pytest.mark.parametrize("custom", [False, True])
def test_every_form_notice_names_the_controller_of_the_privacy_page(ambito, custom):
    if custom:
        Ambito.objects.filter(pk=ambito.pk).update(
            data_controller="Azienda Speciale Consortile dell'Ambito 6"
        )
    ambito.refresh_from_db()
    client = Client()
    on_privacy_page = _controllers(client.get(reverse("core:privacy")).content.decode())
    assert on_privacy_page == [ambito.data_controller_name]
    expected = (
        "Azienda Speciale Consortile dell'Ambito 6"
        if custom
        else f"Comune di {ambito.lead_comune.name}, ente capofila dell'ambito {ambito.name}"
    )
    assert ambito.data_controller_name == expected
    for page, html in _pages_with_a_notice(client, ambito).items():
        assert _controllers(html) == on_privacy_page, page


def test_an_event_of_another_ambito_names_that_ambitos_controller(ambito, other_ambito):
    """Several ambiti on one portal: the privacy page lists each controller, and an event's form
    names its own ambito's."""
    html = Client().get(reverse("core:privacy")).content.decode()
    assert ambito.data_controller_name in _controllers(html)
    assert other_ambito.data_controller_name in _controllers(html)
    event = EventFactory(ambito=other_ambito)
    EventSessionFactory(event=event)
    form = Client().get(event.get_absolute_url()).content.decode()
    assert _controllers(form) == [other_ambito.data_controller_name]


def test_no_template_names_a_controller_of_its_own():
    """The words "Titolare del trattamento" live only in the notice component and the privacy
    page: a new form includes components/privacy_notice.html instead of writing its own."""
    allowed = {"components/privacy_notice.html", "core/privacy.html"}
    root = Path(settings.BASE_DIR) / "templates"
    offenders = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "itolare del trattamento" in path.read_text()
        and str(path.relative_to(root)) not in allowed
    )
    assert offenders == []
