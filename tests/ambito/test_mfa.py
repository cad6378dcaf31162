import pytest
from allauth.mfa.models import Authenticator


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.mark.django_db
def test_staff_without_mfa_is_sent_to_setup(mfa_required, client_for, staff_user):
    response = client_for(staff_user).get("/la-mia-area/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/2fa/totp/activate"
    )


@pytest.mark.django_db
def test_superuser_without_mfa_is_sent_to_setup(mfa_required, client_for, superuser):
    assert client_for(superuser).get("/").status_code == 302


@pytest.mark.django_db
def test_staff_with_mfa_passes(mfa_required, client_for, staff_user):
    Authenticator.objects.create(
        user=staff_user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert client_for(staff_user).get("/la-mia-area/").status_code == 200


@pytest.mark.django_db
def test_entity_people_are_not_forced(mfa_required, client_for, entity_admin):
    assert client_for(entity_admin).get("/la-mia-area/").status_code == 200


# --- STAFF_LOGIN_METHODS: SPID/CIE at level 2, or password + TOTP ----------------------------
SPID_ENV = {
    "SPID_OIDC_SERVER_URL": "https://iam-proxy.example.it",
    "SPID_OIDC_CLIENT_ID": "portale",
    "SPID_OIDC_CLIENT_SECRET": "segreto",
}


@pytest.fixture
def spid_configured(settings, mfa_required):
    from tests.oidc_provider.fixtures import configure

    configure(settings, SPID_ENV)


def _staff_client(client_for, user, level=None):
    from tests.oidc_provider.fixtures import prove_identity

    client = client_for(user)
    if level is not None:
        user.fiscal_code = "VRDGPP60R10G479W"
        user.save(update_fields=["fiscal_code"])
        prove_identity(client, user, level=level)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("methods", "level", "totp", "expected"),
    [
        # spid,totp (the default): either is enough
        (["spid", "totp"], 2, False, 200),
        (["spid", "totp"], 3, False, 200),
        (["spid", "totp"], 1, False, "/account/2fa/totp/activate"),  # one factor only
        (["spid", "totp"], None, False, "/account/2fa/totp/activate"),
        (["spid", "totp"], None, True, 200),
        (["spid", "totp"], 1, True, 200),  # allauth asked for the TOTP code after SPID
        # spid only: a password session is sent to enter with SPID/CIE, TOTP or not
        (["spid"], 2, False, 200),
        (["spid"], None, True, "/la-mia-area/identita-digitale/"),
        (["spid"], 1, False, "/la-mia-area/identita-digitale/"),
        # totp only: SPID does not exempt
        (["totp"], 2, False, "/account/2fa/totp/activate"),
        (["totp"], None, True, 200),
    ],
)
def test_staff_login_methods(
    settings, spid_configured, client_for, staff_user, methods, level, totp, expected
):
    settings.STAFF_LOGIN_METHODS = methods
    if totp:
        Authenticator.objects.create(
            user=staff_user, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
    response = _staff_client(client_for, staff_user, level).get("/la-mia-area/")
    if expected == 200:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"].startswith(expected)


@pytest.mark.django_db
def test_spid_only_staff_reach_the_page_to_enter_with_spid(
    settings, spid_configured, client_for, superuser
):
    settings.STAFF_LOGIN_METHODS = ["spid"]
    client = _staff_client(client_for, superuser)
    response = client.get("/ambiti/registro-modifiche/", follow=True)
    assert response.redirect_chain[-1][0] == "/la-mia-area/identita-digitale/"
    page = response.content.decode()
    assert "deve entrare con SPID o CIE di livello 2" in page
    assert 'href="/account/oidc/spid/login/?process=connect' in page


@pytest.mark.django_db
def test_message_offers_spid_only_when_configured(settings, mfa_required, client_for, staff_user):
    response = client_for(staff_user).get("/la-mia-area/", follow=True)
    assert "oppure entrare con SPID" not in response.content.decode()
