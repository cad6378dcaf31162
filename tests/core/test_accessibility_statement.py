"""The accessibility statement page follows AgID's model ("Dichiarazione di accessibilità",
Linee guida sull'accessibilità degli strumenti informatici) and links the statement the
administration publishes through AgID's form (ACCESSIBILITY_STATEMENT_URL)."""

from __future__ import annotations

import re

import pytest

from tests.core import test_settings as production_env

PUBLISHED = "https://form.agid.gov.it/view/0f8e4a52-7c1d-4b0e-9a51-3c2f1d6e7b90"
# The sections of AgID's model, in its order.
SECTIONS = [
    "Stato di conformità",
    "Contenuti non accessibili",
    "Redazione della dichiarazione di accessibilità",
    "Meccanismo di feedback e recapiti",
    "Procedura di attuazione",
    "Informazioni sul sito",
]


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


@pytest.mark.django_db
def test_the_page_has_the_sections_of_agid_s_model_in_order(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = PUBLISHED
    html = client.get("/accessibilita/").content.decode()
    headings = _headings(html)
    assert [h for h in headings if h in SECTIONS] == SECTIONS, headings
    assert "Legge 9 gennaio 2004, n. 4" in html
    assert "UNI CEI EN 301549" in html
    assert settings.SITE_URL in html  # the site the statement applies to


@pytest.mark.django_db
def test_it_links_the_statement_published_on_agid_s_form(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = PUBLISHED
    html = client.get("/accessibilita/").content.decode()
    assert f'href="{PUBLISHED}"' in html
    assert "non è ancora stata pubblicata" not in html


@pytest.mark.django_db
def test_until_it_is_published_the_page_says_so(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = ""
    html = client.get("/accessibilita/").content.decode()
    assert "non è ancora stata pubblicata" in html
    assert "form.agid.gov.it/view" not in html


@pytest.mark.parametrize(
    ("value", "ok"),
    [(PUBLISHED, True), ("", True), ("http://form.agid.gov.it/view/x", False), ("x", False)],
)
def test_the_address_comes_from_the_environment_and_must_be_https(value, ok):
    probe = "from django.conf import settings; print(repr(settings.ACCESSIBILITY_STATEMENT_URL))"
    result = production_env._manage(
        {**production_env.GOOD, "ACCESSIBILITY_STATEMENT_URL": value}, "shell", "-c", probe
    )
    if ok:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == repr(value)
    else:
        assert result.returncode != 0 and "ACCESSIBILITY_STATEMENT_URL" in result.stderr


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_passes_axe(page, live_server, axe, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = PUBLISHED
    page.goto(f"{live_server.url}/accessibilita/")
    axe(page)
