import json

import pytest

from tests.factories.core import UserFactory


@pytest.mark.django_db
def test_home_shows_ambito_and_comuni(client, ambito):
    body = client.get("/").content.decode()
    assert ambito.name in body
    for comune in ambito.comuni.all():
        assert comune.name in body


@pytest.mark.django_db
def test_my_area_requires_login(client):
    response = client.get("/la-mia-area/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.django_db
def test_my_area_shows_roles(client_for, staff_user, ambito):
    body = client_for(staff_user).get("/la-mia-area/").content.decode()
    assert "Coordinatore dell&#x27;Ufficio di Piano" in body and ambito.name in body


@pytest.mark.django_db
def test_unknown_url_renders_portal_404(client, ambito):
    response = client.get("/non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


@pytest.mark.django_db
def test_server_error_renders_portal_500(client, settings):
    from django.urls import path

    from config import urls

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "U", (), {"urlpatterns": [path("boom/", boom)], "handler500": urls.handler500}
    )
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500 and "errore" in response.content.decode().lower()


@pytest.mark.django_db
def test_personal_data_download(client_for):
    user = UserFactory(first_name="Anna")
    response = client_for(user).get("/la-mia-area/dati/")
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email and data["account"]["first_name"] == "Anna"


@pytest.mark.django_db
def test_health(client):
    assert client.get("/health/").json()["status"] == "ok"  # tests/core/test_health.py


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/accessibilita/", "/privacy/", "/note-legali/", "/account/login/", "/account/signup/"]
)
def test_static_and_account_pages_render(client, url, ambito):
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_signup_errors_in_italian_next_to_field(client, no_role_user):
    response = client.post(
        "/account/signup/", {"email": no_role_user.email, "password1": "123", "password2": "123"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "troppo corta" in body or "troppo comune" in body
    bad = client.post(
        "/account/signup/", {"email": "non-una-email", "password1": "x", "password2": "x"}
    ).content.decode()
    assert "indirizzo email valido" in bad.lower() or "indirizzo e-mail valido" in bad.lower()


@pytest.mark.django_db
def test_account_delete_anonymises_and_logs_out(client_for):
    from core.models import AuditEvent, User

    user = UserFactory(first_name="Anna", last_name="Neri")
    c = client_for(user)
    wrong = c.post("/la-mia-area/cancella-account/", {"password": "sbagliata", "confirm": "on"})
    assert "La password non è corretta" in wrong.content.decode()
    assert User.objects.get(pk=user.pk).is_active
    response = c.post(
        "/la-mia-area/cancella-account/", {"password": "a-strong-test-password", "confirm": "on"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.is_active, user.first_name, user.anonymised_at is not None) == (False, "", True)
    assert user.email.startswith("cancellato-") and not user.has_usable_password()
    assert c.get("/la-mia-area/").status_code == 302  # logged out
    assert AuditEvent.objects.filter(action="core.account.erased", object_id=str(user.pk)).exists()


def test_form_styling_never_triggers_validation():
    from django import forms

    from core.forms import PortalForm

    class F(PortalForm):
        name = forms.CharField(help_text="aiuto")

        def clean_name(self):
            raise AssertionError("validated during __init__")

    form = F(data={"name": "x"})
    assert form._errors is None
    assert form.fields["name"].widget.attrs["aria-describedby"] == "id_name-help"
