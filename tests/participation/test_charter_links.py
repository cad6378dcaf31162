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


def test_the_ambito_page_links_its_charter(client_for, ambito):
    page = client_for(None).get(reverse("ambito:detail", args=[ambito.code])).content.decode()
    charter = reverse("participation:ambito_charter", args=[ambito.code])
    assert f'href="{charter}"' in page
    assert "Regolamento e principi della partecipazione" in page


def test_the_ambito_page_links_the_analytics_for_its_staff_only(
    client_for, ambito, staff_user, comune_user, other_staff, no_role_user
):
    url = reverse("ambito:detail", args=[ambito.code])
    analytics = reverse("participation:analytics", args=[ambito.code])
    for user in (staff_user, comune_user):
        assert f'href="{analytics}"' in client_for(user).get(url).content.decode()
    for user in (other_staff, no_role_user, None):
        assert analytics not in client_for(user).get(url).content.decode()
