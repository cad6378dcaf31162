import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTER_PROMPT = "Non fai ancora parte di nessun ente"


def test_citizen_without_entity_is_invited_to_register_one(client_for, no_role_user):
    html = client_for(no_role_user).get(reverse("core:my_area")).content.decode()
    assert REGISTER_PROMPT in html
    assert reverse("entities:register") in html


@pytest.mark.parametrize("persona", ["comune_user", "staff_user"])
def test_public_staff_are_not_invited_to_register_an_entity(client_for, request, persona):
    html = client_for(request.getfixturevalue(persona)).get(reverse("core:my_area")).content
    assert REGISTER_PROMPT not in html.decode()


def test_entity_people_see_their_entities(client_for, entity_admin, entity):
    html = client_for(entity_admin).get(reverse("core:my_area")).content.decode()
    assert entity.get_absolute_url() in html
