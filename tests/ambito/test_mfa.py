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
