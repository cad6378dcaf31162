import pytest
from django.core.management import call_command

from ambito import permissions
from ambito.models import Ambito, Comune, StaffRole
from core.models import User
from entities.models import Entity
from tables.models import Table


@pytest.mark.django_db
def test_import_comuni_is_idempotent():
    call_command("import_comuni")
    count = Comune.objects.count()
    assert count > 7800
    fano = Comune.objects.get(istat_code="041013")
    assert (fano.name, fano.province_code, fano.region) == ("Fano", "PU", "Marche")
    call_command("import_comuni")
    assert Comune.objects.count() == count


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (
        Ambito.objects.count(),
        User.objects.count(),
        Table.objects.count(),
        Entity.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Ambito.objects.count(),
        User.objects.count(),
        Table.objects.count(),
        Entity.objects.count(),
    ) == counts
    ats6 = Ambito.objects.get(code="ats-6-fano")
    assert ats6.lead_comune.istat_code == "041013"
    assert sorted(ats6.comuni.values_list("istat_code", flat=True)) == [
        "041013",
        "041016",
        "041028",
        "041029",
        "041038",
        "041043",
        "041051",
        "041054",
        "041070",
    ]
    assert set(Table.objects.filter(ambito=ats6).values_list("name", flat=True)) >= {
        "Inclusione",
        "Salute mentale",
        "Non autosufficienza",
        "Famiglia",
    }
    for email in [
        "admin@example.org",
        "ufficiodipiano@example.org",
        "comune@example.org",
        "ente@example.org",
    ]:
        user = User.objects.get(email=email)
        assert user.check_password("demo-password")
        assert user.emailaddress_set.get(email=email).verified
    assert User.objects.get(email="admin@example.org").is_superuser
    assert StaffRole.objects.get(user__email="comune@example.org").comune.name == "Mondolfo"
    # a second ambito of the Marche: ATS 1 Pesaro, its seven comuni as ISTAT lists them
    ats1 = Ambito.objects.get(code="ats-1-pesaro")
    assert ats1.lead_comune.name == "Pesaro"
    assert sorted(ats1.comuni.values_list("istat_code", "name")) == [
        ("041019", "Gabicce Mare"),
        ("041020", "Gradara"),
        ("041027", "Mombaroccio"),
        ("041036", "Montelabbate"),
        ("041044", "Pesaro"),
        ("041065", "Tavullia"),
        ("041068", "Vallefoglia"),
    ]
    udp = User.objects.get(email="ufficiodipiano.pesaro@example.org")
    assert udp.check_password("demo-password")
    assert StaffRole.objects.get(user=udp).ambito == ats1
    assert Table.objects.filter(ambito=ats1).count() == 1
    from plans.models import Plan
    from processes import selectors as process_selectors

    assert [p.ambito for p in process_selectors.open_procedures(None, ambito_id=ats1.pk)] == [ats1]
    assert Plan.objects.get(ambito=ats1).funds.exists()
    from participation.models import Event

    assert Event.objects.get(ambito=ats1).sessions.get().table.ambito == ats1
    pesaro_bodies = Entity.objects.filter(ambito=ats1, status=Entity.Status.VERIFIED)
    assert pesaro_bodies.count() == 4
    assert {e.seat_comune.ambiti.get() for e in pesaro_bodies} == {ats1}


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")


@pytest.mark.django_db
def test_role_predicates(
    staff_user,
    operator_user,
    comune_user,
    other_staff,
    no_role_user,
    superuser,
    ambito,
    other_ambito,
):
    assert permissions.is_ufficio_di_piano(staff_user, ambito)
    assert permissions.is_ufficio_di_piano(operator_user, ambito)
    assert not permissions.is_ufficio_di_piano(comune_user, ambito)
    assert permissions.is_staff_of(comune_user, ambito)
    assert not permissions.is_staff_of(comune_user, other_ambito)
    assert not permissions.is_ufficio_di_piano(other_staff, ambito)
    assert not permissions.is_staff_of(no_role_user)
    assert permissions.is_ufficio_di_piano(superuser, ambito)
    assert permissions.comune_ids(comune_user) == {
        StaffRole.objects.get(user=comune_user).comune_id
    }


@pytest.mark.django_db
def test_staff_role_comune_constraint(ambito, no_role_user):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        StaffRole.objects.create(
            user=no_role_user, ambito=ambito, role=StaffRole.Role.COMUNE, comune=None
        )


@pytest.mark.django_db
def test_comune_options(client):
    Comune.objects.create(
        istat_code="041013",
        name="Fano",
        province="Pesaro e Urbino",
        province_code="PU",
        region="Marche",
    )
    body = client.get("/ambiti/comuni/?q=fa").content.decode()
    assert "Fano (PU)" in body
