"""The regolamento and principles page is linked from the ambito's home, its card and each
procedure's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.processes import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_the_procedure_page_links_the_ambito_charter(client_for, staff_user, ambito):
    procedure = ProcedureFactory(ambito=ambito)
    page = client_for(staff_user).get(reverse("processes:detail", args=[procedure.pk]))
    charter = reverse("participation:ambito_charter", args=[ambito.code])
    assert page.status_code == 200
    assert f'href="{charter}"' in page.content.decode()
    assert "Regolamento e principi della partecipazione" in page.content.decode()


def test_the_home_of_a_one_ambito_portal_links_its_charter(client_for, ambito):
    page = client_for(None).get("/").content.decode()
    assert reverse("participation:ambito_charter", args=[ambito.code]) in page


def test_each_ambito_card_links_its_charter(client_for, ambito, other_ambito):
    page = client_for(None).get(reverse("ambito:list")).content.decode()
    for a in (ambito, other_ambito):
        assert reverse("participation:ambito_charter", args=[a.code]) in page
