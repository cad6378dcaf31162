from __future__ import annotations

import io
import re

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import registry
from core.models import AuditEvent
from entities.models import Entity, EntityMembership
from tests.factories.ambito import ComuneFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory, valid_tax_code

pytestmark = pytest.mark.django_db


# --- registration ---------------------------------------------------------------------------
def test_register_requires_login(client):
    response = client.get(reverse("entities:register"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_register_form_does_not_list_all_comuni(client_for, no_role_user, ambito):
    ComuneFactory.create_batch(30)
    html = client_for(no_role_user).get(reverse("entities:register")).content.decode()
    assert html.count("<option") < 60  # legal forms, RUNTS choices... but not the comuni
    assert reverse("ambito:comune_options") in html


def test_register_creates_pending_entity(
    client_for, no_role_user, registration_data, png_bytes, ambito
):
    data = {
        **registration_data,
        "logo": SimpleUploadedFile("logo.png", png_bytes, content_type="image/png"),
    }
    data["tax_code"] = " " + data["tax_code"][:5] + " " + data["tax_code"][5:]
    response = client_for(no_role_user).post(reverse("entities:register"), data)
    entity = Entity.objects.get(name="Associazione Nuova Luce ODV")
    assert response.status_code == 302 and response["Location"] == entity.get_absolute_url()
    assert (
        entity.status == Entity.Status.PENDING and entity.tax_code == registration_data["tax_code"]
    )
    assert entity.logo.name.startswith("entities/logos/")
    assert EntityMembership.objects.filter(entity=entity, user=no_role_user, role="admin").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tax_code", "12345678901", "cifra di controllo"),
        ("tax_code", "123", "11 cifre"),
        ("vat_number", "12345678901", "cifra di controllo"),
        ("runts_number", "", "obbligatorio"),
        ("seat_comune", "", "comune della sede"),
        ("postal_code", "6103", "5 cifre"),
    ],
)
def test_register_errors_next_to_field(
    client_for, no_role_user, registration_data, field, value, message
):
    response = client_for(no_role_user).post(
        reverse("entities:register"), {**registration_data, field: value}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not Entity.objects.filter(name=registration_data["name"]).exists()


@pytest.mark.parametrize("value", ["abc", "²", "9" * 25, "<script>"])
def test_register_with_a_junk_comune_is_a_form_error(
    client_for, no_role_user, registration_data, value
):
    """The refused form renders the comune select again from the value sent: never a 500."""
    response = client_for(no_role_user).post(
        reverse("entities:register"), {**registration_data, "seat_comune": value}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["seat_comune"]


def test_register_duplicate_tax_code_and_runts_number(
    client_for, no_role_user, registration_data, entity
):
    data = {**registration_data, "tax_code": entity.tax_code, "runts_number": entity.runts_number}
    response = client_for(no_role_user).post(reverse("entities:register"), data)
    errors = response.context["form"].errors
    assert "già registrato" in errors["tax_code"][0]
    assert "numero di repertorio" in errors["runts_number"][0]


def test_logo_must_be_an_image(client_for, no_role_user, registration_data):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client_for(no_role_user).post(
        reverse("entities:register"), {**registration_data, "logo": fake}
    )
    assert "logo" in response.context["form"].errors


def test_logo_size_limit(client_for, no_role_user, registration_data, png_bytes):
    big = SimpleUploadedFile(
        "logo.png", png_bytes + b"\0" * (2 * 1024 * 1024), content_type="image/png"
    )
    response = client_for(no_role_user).post(
        reverse("entities:register"), {**registration_data, "logo": big}
    )
    assert "logo" in response.context["form"].errors


# --- permissions per role --------------------------------------------------------------------
@pytest.fixture
def pending_entity(ambito):
    return EntityFactory(ambito=ambito, status=Entity.Status.PENDING, name="Ente In Attesa")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("client", 404),
        ("no_role_user", 404),
        ("other_staff", 404),
        ("other_entity_admin", 404),
        ("staff_user", 200),
        ("comune_user", 200),
        ("pending_admin", 200),
    ],
)
def test_pending_entity_visibility(request, client_for, pending_entity, persona, status):
    if persona == "pending_admin":
        user = EntityMembershipFactory(entity=pending_entity).user
    else:
        user = None if persona == "client" else request.getfixturevalue(persona)
    assert (
        client_for(user).get(reverse("entities:detail", args=[pending_entity.pk])).status_code
        == status
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("no_role_user", 403),
        ("entity_delegate", 403),
        ("staff_user", 403),
        ("other_entity_admin", 403),
        ("entity_admin", 200),
    ],
)
def test_edit_permissions(request, client_for, entity, persona, status):
    user = request.getfixturevalue(persona)
    url = reverse("entities:edit", args=[entity.pk])
    assert client_for(user).get(url).status_code == status
    if status == 403:
        client_for(user).post(url, {"name": "Hacked"})
        entity.refresh_from_db()
        assert entity.name == "Associazione Il Faro"


def test_edit_records_who_what(client_for, entity, entity_admin):
    client = client_for(entity_admin)
    form = client.get(reverse("entities:edit", args=[entity.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    data["seat_comune"] = entity.seat_comune_id
    data["activities"] = [a.pk for a in entity.activities.all()]
    data["runts_date"] = "2021-01-01"
    data.update(target_groups=[], operating_comuni=[], volunteers=99, phone="0721 000")
    response = client.post(reverse("entities:edit", args=[entity.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    event = AuditEvent.objects.filter(action="entities.entity.updated").latest("pk")
    assert event.actor == entity_admin
    assert event.changes["volunteers"] == {"before": 0, "after": 99}
    assert event.changes["phone"] == {"before": "", "after": "0721 000"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("entity_admin", 403), ("comune_user", 403), ("other_staff", 404), ("no_role_user", 404)],
)
def test_only_ufficio_di_piano_decides(request, client_for, pending_entity, persona, status):
    user = request.getfixturevalue(persona)
    if persona == "entity_admin":
        EntityMembershipFactory(entity=pending_entity, user=user)
    response = client_for(user).post(
        reverse("entities:set_status", args=[pending_entity.pk, "verifica"])
    )
    assert response.status_code == status
    pending_entity.refresh_from_db()
    assert pending_entity.status == Entity.Status.PENDING


def test_staff_verifies_from_queue(
    client_for, staff_user, pending_entity, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_user)
    queue = client.get(reverse("entities:verification_queue"))
    assert pending_entity.name in queue.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("entities:set_status", args=[pending_entity.pk, "verifica"]))
    assert response.status_code == 302
    pending_entity.refresh_from_db()
    assert pending_entity.status == Entity.Status.VERIFIED
    assert mailoutbox


def test_reject_without_reason_shows_error(client_for, staff_user, pending_entity):
    response = client_for(staff_user).post(
        reverse("entities:set_status", args=[pending_entity.pk, "respingi"]), follow=True
    )
    assert "motivazione" in response.content.decode().lower()
    pending_entity.refresh_from_db()
    assert pending_entity.status == Entity.Status.PENDING


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("client", 302),
        ("no_role_user", 403),
        ("entity_admin", 403),
        ("comune_user", 403),
        ("staff_user", 200),
    ],
)
def test_queue_import_permissions(request, client_for, persona, status):
    user = None if persona == "client" else request.getfixturevalue(persona)
    assert client_for(user).get(reverse("entities:verification_queue")).status_code == status
    assert client_for(user).get(reverse("entities:import")).status_code == status


def test_history_shown_to_staff_only(client_for, staff_user, entity, entity_admin, no_role_user):
    from entities import services

    services.entity_set_status(
        user=staff_user, entity=entity, status="suspended", reason="Controllo dei bilanci"
    )
    entity.status = "verified"
    entity.save()
    assert (
        "Controllo dei bilanci"
        in client_for(staff_user).get(entity.get_absolute_url()).content.decode()
    )
    assert (
        "Controllo dei bilanci"
        not in client_for(no_role_user).get(entity.get_absolute_url()).content.decode()
    )


def test_personal_data_visible_to_staff_only(client_for, entity, staff_user, no_role_user):
    entity.phone = "0721 555111"
    entity.save()
    public = client_for(no_role_user).get(entity.get_absolute_url()).content.decode()
    assert "Maria Verdi" not in public and "0721 555111" not in public
    staff = client_for(staff_user).get(entity.get_absolute_url()).content.decode()
    assert "Maria Verdi" in staff and "0721 555111" in staff


def test_profile_renders_registry_slot(client, entity):
    registry.add(
        "entity_profile",
        "test_block",
        99,
        lambda request, e: ("entities/sections/home_entities.html", {"count": 4242}),
    )
    try:
        assert "4242" in client.get(entity.get_absolute_url()).content.decode()
    finally:
        registry._slots["entity_profile"].pop("test_block")


def test_queue_queries_do_not_grow(client_for, staff_user, ambito, django_assert_num_queries):
    client = client_for(staff_user)
    url = reverse("entities:verification_queue")
    EntityFactory.create_batch(3, ambito=ambito, status=Entity.Status.PENDING)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    EntityFactory.create_batch(30, ambito=ambito, status=Entity.Status.PENDING)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page": 2})
    assert response.context["page_obj"].paginator.count == 33
    assert len(response.context["page_obj"].object_list) == 13
    # the tabs' counts serve the paginator too: no COUNT(*) of the entities of its own
    assert not any(
        q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "entities_entity"')
        for q in few.captured_queries
    )


@pytest.mark.parametrize("page", ["entities:detail", "entities:members"])
def test_entity_pages_read_memberships_once(client_for, entity, entity_admin, page):
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(entity_admin).get(reverse(page, args=[entity.pk])).status_code == 200
    memberships = [
        q for q in ctx.captured_queries if 'FROM "entities_entitymembership"' in q["sql"]
    ]
    # the user's own memberships, plus the members page's list of the entity's people
    assert len(memberships) == (1 if page == "entities:detail" else 3)


# --- members and invitations -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "status"),
    [("no_role_user", 403), ("entity_delegate", 200), ("entity_admin", 200), ("staff_user", 200)],
)
def test_members_page_read(request, client_for, entity, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("entities:members", args=[entity.pk])).status_code == status


@pytest.mark.parametrize("persona", ["entity_delegate", "staff_user", "no_role_user"])
def test_only_admin_invites(request, client_for, entity, persona, mailoutbox):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(
        reverse("entities:members", args=[entity.pk]), {"email": "x@example.org", "role": "admin"}
    )
    assert response.status_code == 403
    assert not entity.invitations.exists()


def test_admin_invites_and_existing_user_accepts(
    client_for, entity, entity_admin, no_role_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(entity_admin).post(
            reverse("entities:members", args=[entity.pk]),
            {"email": no_role_user.email, "role": "delegate"},
        )
    assert response.status_code == 302
    invitation = entity.invitations.get()
    client = client_for(no_role_user)
    assert client.get(invitation.get_absolute_url()).status_code == 200
    response = client.post(invitation.get_absolute_url())
    assert response["Location"] == entity.get_absolute_url()
    assert EntityMembership.objects.filter(
        entity=entity, user=no_role_user, role="delegate"
    ).exists()


def test_anonymous_invitation_link_offers_signup(client, entity, entity_admin):
    from entities import services

    invitation = services.invitation_create(
        entity=entity, email="nuova@example.org", role="delegate", invited_by=entity_admin
    )
    html = client.get(invitation.get_absolute_url()).content.decode()
    assert "/account/signup/?email=nuova%40example.org" in html
    assert client.session["entities_invitation_token"] == invitation.token


def test_comune_checkboxes_endpoint(client, ambito):
    ComuneFactory(name="Fano", istat_code="041013")
    html = client.get(
        reverse("ambito:comune_checkboxes"), {"q": "fa", "name": "operating_comuni"}
    ).content.decode()
    assert 'name="operating_comuni"' in html and "Fano" in html


# --- directory -------------------------------------------------------------------------------
def _directory_query_count(client, ambito, comuni, size: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Entity.objects.all().delete()
    for i in range(size):
        e = EntityFactory(ambito=ambito, activity_codes=["a", "b"], target_group_codes=["anziani"])
        e.operating_comuni.add(comuni[i % len(comuni)])
    EntityFactory(ambito=ambito, status=Entity.Status.PENDING, name="Nascosto")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("entities:directory"), {"ordine": "nome", "attivita": "a"})
    html = response.content.decode()
    assert response.status_code == 200 and "Nascosto" not in html
    assert f"{size} enti trovati" in html
    return len(ctx.captured_queries)


def test_directory_constant_queries_at_10_and_200(client, ambito):
    comuni = [ambito.lead_comune, *ComuneFactory.create_batch(3)]
    client.get(reverse("core:home"))  # the ambiti's codes into the cache (ambito.routing)
    small = _directory_query_count(client, ambito, comuni, 10)
    large = _directory_query_count(client, ambito, comuni, 200)
    assert small == large <= 8  # with the filter options read into the cache


def test_directory_filter_options_come_from_the_cache(
    client, ambito, django_assert_max_num_queries
):
    EntityFactory(ambito=ambito, activity_codes=["a"]).operating_comuni.add(ambito.lead_comune)
    url = reverse("entities:directory")
    client.get(url)
    # count, page, its activities and target groups, the header's ambito: no option list
    with django_assert_max_num_queries(5):
        html = client.get(url, {"comune": ambito.lead_comune.istat_code}).content.decode()
    assert f'<option value="{ambito.lead_comune.istat_code}" selected>' in html
    assert "1 ente trovato" in html


@pytest.mark.parametrize(("page", "shown"), [("2", 2), ("99", 3), ("x", 1)])
def test_search_counted_by_the_page_query(client, ambito, page, shown):
    EntityFactory.create_batch(45, ambito=ambito, description="Doposcuola e ludoteca")
    EntityFactory(ambito=ambito, description="Orti sociali")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("entities:directory"), {"q": "ludoteca", "page": page})
    page_obj = response.context["page_obj"]
    assert (page_obj.number, page_obj.paginator.count) == (shown, 45)
    assert len(page_obj.object_list) == (5 if shown == 3 else 20)
    sql = [q["sql"] for q in ctx.captured_queries]
    # the page's query counts the matches (a window); past the end, Django counts first
    assert sum("OVER ()" in q for q in sql) == 1
    standalone = 'SELECT COUNT(*) AS "__count" FROM "entities_entity"'
    assert sum(q.startswith(standalone) for q in sql) == (1 if page == "99" else 0)
    assert "45 enti trovati" in response.content.decode()


def test_directory_pagination_shows_a_window_of_pages(client, ambito):
    EntityFactory.create_batch(21 * 20, ambito=ambito)
    html = client.get(reverse("entities:directory"), {"page": 11}).content.decode()
    pages = re.findall(r'href="\?page=(\d+)"', html)
    assert pages == ["10", "1", "9", "10", "11", "12", "13", "21", "12"]
    assert html.count('aria-hidden="true">…</span>') == 2


def test_directory_filters(client, ambito):
    comune = ComuneFactory(name="Mondolfo", istat_code="041029")
    a = EntityFactory(
        ambito=ambito,
        name="Alfa ODV",
        activity_codes=["a"],
        target_group_codes=["anziani"],
        legal_form="odv",
        runts_section="a",
    )
    a.operating_comuni.add(comune)
    EntityFactory(
        ambito=ambito,
        name="Beta Cooperativa",
        activity_codes=["p"],
        legal_form="coop_b",
        runts_section="d",
        description="inserimento lavorativo",
    )
    url = reverse("entities:directory")

    def names(**params):
        return [e.name for e in client.get(url, params).context["entities"]]

    assert names(attivita="a") == ["Alfa ODV"]
    assert names(utenza="anziani") == ["Alfa ODV"]
    assert names(comune="041029") == ["Alfa ODV"]
    assert names(sezione="d") == ["Beta Cooperativa"]
    assert names(forma="coop_b") == ["Beta Cooperativa"]
    assert names(q="alfa") == ["Alfa ODV"]
    assert names(q="lavorativo") == ["Beta Cooperativa"]
    assert names(ordine="-nome") == ["Beta Cooperativa", "Alfa ODV"]


@pytest.mark.postgres
def test_full_text_search_uses_italian_stemming(client, ambito):
    EntityFactory(ambito=ambito, name="Gamma", description="Sosteniamo le famiglie con bambini")
    names = [
        e.name
        for e in client.get(reverse("entities:directory"), {"q": "famiglia bambino"}).context[
            "entities"
        ]
    ]
    assert names == ["Gamma"]


# --- export ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "status"),
    [("no_role_user", 403), ("entity_admin", 403), ("comune_user", 200), ("staff_user", 200)],
)
def test_export_permissions(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("entities:export")).status_code == status


def test_export_filtered_csv_and_xlsx(client_for, staff_user, ambito):
    import openpyxl

    EntityFactory(ambito=ambito, name='=HYPERLINK("x")', activity_codes=["a"], legal_form="odv")
    EntityFactory(ambito=ambito, name="Cooperativa Esclusa", legal_form="coop_a", runts_section="d")
    client = client_for(staff_user)
    csv = client.get(
        reverse("entities:export"), {"forma": "odv", "formato": "csv"}
    ).content.decode()
    assert csv.splitlines()[0].startswith("\ufeffdenominazione;codice_fiscale;")
    assert "Cooperativa Esclusa" not in csv
    assert "'=HYPERLINK" in csv.replace('"', "")  # formula escaped
    response = client.get(reverse("entities:export"), {"formato": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    response = client.get(reverse("entities:export"), {"forma": "odv", "formato": "ods"})
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    book = tablib.Dataset().load(response.content, "ods")
    assert book.headers[:2] == ["denominazione", "codice_fiscale"]
    assert [row[0] for row in book] == ["'" + '=HYPERLINK("x")']


FORMULAE = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_export_escapes_every_formula_prefix_and_keeps_numbers(client_for, staff_user, ambito):
    """OWASP's CSV injection list, read back from the CSV and the XLSX: text cells escaped,
    counts still numbers."""
    import csv as csv_module

    import openpyxl

    for i, name in enumerate(FORMULAE):
        EntityFactory(ambito=ambito, name=name, phone="-0721 1234", volunteers=i)
    client = client_for(staff_user)
    content = client.get(reverse("entities:export"), {"formato": "csv"}).content
    rows = list(
        csv_module.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert sorted(r["denominazione"] for r in rows) == sorted("'" + f for f in FORMULAE)
    assert {r["telefono"] for r in rows} == {"'-0721 1234"}
    response = client.get(reverse("entities:export"), {"formato": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    name, volunteers = header.index("denominazione"), header.index("volontari")
    cells = list(sheet.iter_rows(min_row=2))
    # XML keeps a carriage return as a line feed
    assert sorted(r[name].value for r in cells) == sorted(
        "'" + f.replace("\r", "\n") for f in FORMULAE
    )
    assert all(r[name].data_type == "s" for r in cells)
    assert sorted(r[volunteers].value for r in cells) == list(range(len(FORMULAE)))


def test_export_only_the_entities_of_ones_own_ambito(client_for, entity, other_staff):
    """The export has reserved data (legal representative, phone): another ambito's staff do not
    get the entities of this one."""
    mine = EntityFactory(ambito=other_staff.staff_roles.get().ambito, name="Ente Vicino")
    csv = client_for(other_staff).get(reverse("entities:export")).content.decode()
    assert mine.name in csv
    assert entity.name not in csv and entity.tax_code not in csv


# --- my area and home ------------------------------------------------------------------------
def test_my_area_lists_entities_with_state_and_role(
    client_for, entity, entity_admin, pending_entity
):
    EntityMembershipFactory(entity=pending_entity, user=entity_admin, role="delegate")
    html = client_for(entity_admin).get(reverse("core:my_area")).content.decode()
    assert "Associazione Il Faro" in html and "Ente In Attesa" in html
    assert "In attesa di verifica" in html and "Delegato" in html
    assert reverse("entities:register") in html


def test_home_shows_count(client, entity, pending_entity):
    html = client.get(reverse("core:home")).content.decode()
    assert "1 ente del Terzo settore verificato" in html
    assert reverse("entities:directory") in html


def test_tax_code_valid_factory():
    assert len(valid_tax_code(3)) == 11


def test_my_area_of_staff_shows_queue(client_for, staff_user, pending_entity):
    html = client_for(staff_user).get(reverse("core:my_area")).content.decode()
    assert "1 ente attende la verifica" in html
    assert reverse("entities:verification_queue") in html


def test_home_chart_has_numbers_in_a_table(client, ambito):
    EntityFactory.create_batch(2, ambito=ambito, legal_form="aps")
    EntityFactory(ambito=ambito, legal_form="odv")
    html = client.get(reverse("core:home")).content.decode()
    assert 'role="img"' in html and "Enti del Terzo settore verificati per forma giuridica" in html
    assert 'Associazione di promozione sociale (APS)</th><td class="text-end">2' in html


def test_invitation_accepted_at_login_with_existing_account(
    client, entity, entity_admin, no_role_user
):
    from entities import services
    from tests.factories.core import PASSWORD

    invitation = services.invitation_create(
        entity=entity, email=no_role_user.email, role="admin", invited_by=entity_admin
    )
    client.get(invitation.get_absolute_url())  # the token waits in the session
    response = client.post(
        reverse("account_login") + "?next=" + invitation.get_absolute_url(),
        {"login": no_role_user.email, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == entity.get_absolute_url()
    assert EntityMembership.objects.filter(entity=entity, user=no_role_user, role="admin").exists()


def test_invitation_for_another_address_is_not_accepted(
    client_for, entity, entity_admin, no_role_user
):
    from entities import services

    invitation = services.invitation_create(
        entity=entity, email="qualcun.altro@example.org", role="admin", invited_by=entity_admin
    )
    client = client_for(no_role_user)
    assert "altro indirizzo" in client.get(invitation.get_absolute_url()).content.decode()
    client.post(invitation.get_absolute_url())
    assert not EntityMembership.objects.filter(entity=entity, user=no_role_user).exists()


@pytest.mark.parametrize("persona", ["entity_delegate", "staff_user", "other_entity_admin"])
def test_member_and_invitation_actions_need_admin(
    request, client_for, entity, entity_admin, persona
):
    from entities import services

    user = request.getfixturevalue(persona)
    invitation = services.invitation_create(
        entity=entity, email="x@example.org", role="delegate", invited_by=entity_admin
    )
    membership = EntityMembership.objects.get(entity=entity, user=entity_admin)
    client = client_for(user)
    revoke = reverse("entities:invitation_action", args=[entity.pk, invitation.pk, "ritira"])
    remove = reverse("entities:membership_action", args=[entity.pk, membership.pk, "rimuovi"])
    assert client.post(revoke).status_code == 403
    assert client.post(remove).status_code == 403
    invitation.refresh_from_db()
    membership.refresh_from_db()
    assert invitation.revoked_at is None and membership.ended_at is None


def test_admin_changes_role_and_revokes(client_for, entity, entity_admin, entity_delegate):
    from entities import services

    invitation = services.invitation_create(
        entity=entity, email="x@example.org", role="delegate", invited_by=entity_admin
    )
    delegate = EntityMembership.objects.get(entity=entity, user=entity_delegate)
    client = client_for(entity_admin)
    client.post(
        reverse("entities:membership_action", args=[entity.pk, delegate.pk, "ruolo"]),
        {"role": "admin"},
    )
    client.post(reverse("entities:invitation_action", args=[entity.pk, invitation.pk, "ritira"]))
    delegate.refresh_from_db()
    invitation.refresh_from_db()
    assert delegate.role == "admin" and invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="entities.member.role_changed").exists()


# --- identifying data changed after verification --------------------------------------------
def _edit_data(client, entity, **changes):
    form = client.get(reverse("entities:edit", args=[entity.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    data["seat_comune"] = entity.seat_comune_id
    data["activities"] = [a.pk for a in entity.activities.all()]
    data.update(target_groups=[], operating_comuni=[], runts_date="2021-01-01")
    data.update(changes)
    return data


def test_identifying_edit_goes_back_to_verification_and_the_office_sees_it(
    client_for, entity, entity_admin, staff_user
):
    Entity.objects.filter(pk=entity.pk).update(runts_date="2021-01-01")
    client = client_for(entity_admin)
    form = client.get(reverse("entities:edit", args=[entity.pk])).context["form"]
    assert "torna in verifica" in str(form.fields["legal_form"].help_text)
    assert "torna in verifica" not in str(form.fields["description"].help_text)
    data = _edit_data(client, entity, legal_form="aps", runts_section="b", name="Il Faro APS")
    response = client.post(reverse("entities:edit", args=[entity.pk]), data, follow=True)
    page = response.content.decode()
    assert "di nuovo in verifica" in page
    entity.refresh_from_db()
    assert entity.status == Entity.Status.PENDING

    staff = client_for(staff_user)
    detail = staff.get(reverse("entities:detail", args=[entity.pk]))
    assert detail.context["identity_changes"] == [
        ("Denominazione", "Associazione Il Faro", "Il Faro APS"),
        (
            "Forma giuridica",
            "Organizzazione di volontariato (ODV)",
            "Associazione di promozione sociale (APS)",
        ),
        (
            "Sezione RUNTS",
            "a) Organizzazioni di volontariato",
            "b) Associazioni di promozione sociale",
        ),
    ]
    assert "Dati identificativi modificati" in detail.content.decode()
    queue = staff.get(reverse("entities:verification_queue")).content.decode()
    assert "Il Faro APS" in queue and "Dati identificativi modificati" in queue


def test_verification_queue_reads_changes_in_constant_queries(
    client_for, staff_user, ambito, entity_admin, django_assert_max_num_queries
):
    from core import audit
    from entities import services

    for i in range(5):
        e = EntityFactory(ambito=ambito)
        before = audit.snapshot(e, Entity.EDITABLE_FIELDS)
        e.name = f"Cambiato {i}"
        services.entity_update(user=entity_admin, entity=e, before=before, m2m={})
    client = client_for(staff_user)
    client.get(reverse("entities:verification_queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("entities:verification_queue"))
    for i in range(5, 25):
        e = EntityFactory(ambito=ambito)
        before = audit.snapshot(e, Entity.EDITABLE_FIELDS)
        e.name = f"Cambiato {i}"
        services.entity_update(user=entity_admin, entity=e, before=before, m2m={})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("entities:verification_queue")).content.decode()
    assert page.count("Dati identificativi modificati") == 20


def test_directory_cards_show_activities_by_code_then_target_groups(client, ambito):
    """Each card: its activities by code ("code) name", cut at 40 characters, the whole name as
    title), then its target groups in their order; names escaped."""
    from entities.models import Activity, TargetGroup

    entity = EntityFactory(ambito=ambito, activity_codes=["p", "a"], target_group_codes=[])
    groups = list(TargetGroup.objects.all()[:2])
    entity.target_groups.add(*reversed(groups))
    Activity.objects.filter(code="p").update(
        name="Inserimento <lavorativo> di persone svantaggiate"
    )
    html = client.get(reverse("entities:directory")).content.decode()
    a = Activity.objects.get(code="a")
    expected = (
        f'<span class="badge bg-light text-dark border me-1" title="{a.name}">a) {a.name}</span>'
        '<span class="badge bg-light text-dark border me-1" title="Inserimento &lt;lavorativo&gt; '
        'di persone svantaggiate">p) Inserimento &lt;lavorativo&gt; di persone sva…</span>\n'
        "            "
        + "".join(f'<span class="badge bg-primary me-1">{g.name}</span>' for g in groups)
    )
    assert expected in html


@pytest.mark.parametrize("inside", [False, True], ids=["region", "inside the ambito"])
def test_the_unfiltered_directory_lists_what_its_filter_set_lists(ambito, other_ambito, inside):
    """The directory as first opened reads its rows from a kept query
    (DirectoryFilter.unfiltered_rows): the same rows, in the same order, as the filter set with
    nothing chosen, in the region and inside an ambito (ETS only, alphabetical)."""
    from ambito import routing
    from entities.filters import DirectoryFilter
    from entities.selectors import directory_entities

    for where in (ambito, other_ambito):
        EntityFactory(ambito=where, name=f"Zeta {where.code}")
        EntityFactory(ambito=where, name=f"Alfa {where.code}")
        EntityFactory(ambito=where, name=f"Sindacato {where.code}", legal_form="sindacato")
        EntityFactory(ambito=where, name=f"In attesa {where.code}", status=Entity.Status.PENDING)
    token = routing._place.set(
        routing.Place(code=ambito.code, pk=ambito.pk) if inside else routing.Place()
    )
    try:
        place = routing.place().pk
        expected = list(DirectoryFilter(None, queryset=directory_entities(prefetch=False)).qs)
        rows = DirectoryFilter.unfiltered_rows(place)
        assert list(rows) == expected and rows.count() == len(expected)
        assert rows[1:3] == expected[1:3]
    finally:
        routing._place.reset(token)
    names = [e.name for e in expected]
    assert names == sorted(names) and not any("Sindacato" in n or "attesa" in n for n in names)
    assert len(names) == (2 if inside else 4)


def test_the_directory_filter_form_is_rendered_once_per_query_and_options(
    client, ambito, other_ambito, monkeypatch
):
    """The filter form is kept (memo.remembered) for the next visitor who asks the same: not
    built again, yet it shows each query's choices and errors, and new options at once."""
    from entities.filters import DirectoryFilter
    from tests.factories.ambito import AmbitoFactory

    built = []
    original = DirectoryFilter.__init__

    def counting(self, *args, **kwargs):
        built.append(args[0] if args else None)
        original(self, *args, **kwargs)

    monkeypatch.setattr(DirectoryFilter, "__init__", counting)
    url = reverse("entities:directory")
    client.get(url)
    built.clear()
    html = client.get(url, {"page": "1"}).content.decode()
    assert built == []  # the same form as the first page's: kept
    assert f'<option value="{other_ambito.code}">{other_ambito.name}</option>' in html
    html = client.get(url, {"forma": "odv"}).content.decode()
    assert '<option value="odv" selected>' in html
    html = client.get(url, {"forma": "nessuna"}).content.decode()
    assert "is-invalid" in html and "Scegli un&#x27;opzione valida" in html
    html = client.get(url).content.decode()
    assert '<option value="odv" selected>' not in html and "is-invalid" not in html
    newcomer = AmbitoFactory(name="ATS Nuovo arrivo")
    html = client.get(url).content.decode()
    assert f'<option value="{newcomer.code}">ATS Nuovo arrivo</option>' in html
