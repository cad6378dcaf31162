"""Italian wording: the reader is addressed in gender-neutral forms ("Ti diamo il benvenuto",
"Hai ricevuto un invito", never "Benvenuto", "Sei stato invitato"), every count shown in text
agrees with its noun ("1 notifica", "1 membro", never "1 notifiche"), and weekdays and months
are written in lower case ("lunedì 5 gennaio", not Django's "Lunedì 5 Gennaio": the project's
locale/it catalog overrides them)."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from types import SimpleNamespace as O
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from core import mail
from tests.security.conftest import personas, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

# Forms that give the reader a gender (or a slash form), in pages and e-mails.
GENDERED = re.compile(
    r"\b(Benvenut[oa]|[Ss]ei (stat[oa] )?(invitat|iscritt|registrat|entrat|convocat|escluso)\w*"
    r"|[Ss]ei già (iscritt|amministrator|collegat)\w*|eri già iscritt\w*|\w+[oa]/[ao]\b"
    r"|[Tt]i sei (collegat|scollegat|registrat|iscritt)\w*|[Ss]ei sicur\w*)"
)
WHEN = datetime(2026, 1, 5, 10, 30, tzinfo=ZoneInfo("Europe/Rome"))  # a Monday


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def test_pages_address_the_reader_without_a_gender(world, client_for):  # noqa: F811
    from participation.models import ProposalSupport

    users = world.personas
    ProposalSupport.objects.create(proposal=world.table_proposal, user=users["delegate"])
    pages = {
        (users["udp"], reverse("core:my_area")): "Ti diamo il benvenuto, ",
        (None, reverse("entities:invitation", args=[world.entity_invitation.token])): (
            "Hai ricevuto un invito come "
        ),
        (None, reverse("ambito:staff_invitation", args=[world.staff_invitation.token])): (
            "Hai ricevuto un invito come "
        ),
        (users["entity_admin"], reverse("tables:calendar")): (
            "e di quelle a cui hai ricevuto un invito."
        ),
        # the notification badge: each persona has exactly one unread notification
        (users["comune"], reverse("core:home")): "1 notifica non letta",
        (users["udp"], world.table_proposal.get_absolute_url()): "1 membro sostiene la proposta",
    }
    for (user, url), expected in pages.items():
        text = text_of(client_for(user).get(url))
        assert expected in text, f"{url}: {expected!r} not in the page"
        assert not GENDERED.search(text), f"{url}: {GENDERED.search(text)[0]!r}"
        assert not re.search(r"\b1 (notifiche|membri|sedute|richieste|domande)\b", text), url


def test_allauth_messages_are_neutral_too(no_role_user):
    """django-allauth's own Italian ("Ti sei collegato con successo", "Sei sicuro di volerti
    disconnettere?") is overridden by the project's catalog."""
    from django.test import Client

    from tests.factories.core import PASSWORD

    client = Client()
    response = client.post(
        reverse("account_login"), {"login": no_role_user.email, "password": PASSWORD}, follow=True
    )
    text = text_of(response)
    assert f"Accesso effettuato come {no_role_user.display_name}." in text
    assert not GENDERED.search(text), GENDERED.search(text)[0]
    text = text_of(client.get(reverse("account_logout")))
    assert "Vuoi davvero uscire?" in text and not GENDERED.search(text)


@pytest.mark.parametrize("template", ["entities_invitation", "ambito_staff_invitation"])
def test_invitation_emails_say_you_received_an_invitation(template):
    context = {
        "entity": O(name="Associazione Il Faro"),
        "ambito": O(name="Ambito 1"),
        "role_label": "delegato",
        "where": "Comune di Fano",
        "inviter": None,
        "url": "https://portale.example.org/invito/x/",
    }
    _subject, text, html = mail.render(template, context)
    for body in (text, html):
        assert "Hai ricevuto un invito " in body
        assert not GENDERED.search(body), GENDERED.search(body)[0]


def test_weekdays_and_months_are_lower_case():
    rendered = Template('{{ d|date:"l j F Y" }} — {{ d|date:"j F" }} — {{ d|date:"E" }}').render(
        Context({"d": WHEN})
    )
    assert rendered == "lunedì 5 gennaio 2026 — 5 gennaio — gennaio"
    _subject, text, _html = mail.render(
        "participation_registration",
        {"event": O(title="Festa", starts_at=WHEN, place="Sala"), "bookings": []},
    )
    assert "lunedì 5 gennaio 2026, 10:30" in text


def test_counts_of_one_are_singular():
    from entities.validators import validate_entity_tax_code
    from participation.views.events import _session_status

    with pytest.raises(ValidationError) as caught:
        validate_entity_tax_code("1")
    assert "(ne hai inserita 1)" in caught.value.messages[0]
    assert _session_status(O(capacity=10, taken_count=9, waiting_count=0)) == (
        "1 posto libero su 10"
    )
