"""Hostile and bad input: property tests (hypothesis) on the forms and pages of core/ambito and on
core.uploads / core.sanitize. Never a 500, never stored or echoed unescaped, bad files refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ambito.models import Comune
from core.models import Notification, User
from core.sanitize import clean_html
from core.uploads import DOCUMENT_KINDS, FileKindValidator, safe_filename
from tests.entities import test_import as import_tests
from tests.factories.core import PASSWORD

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    "' OR 1=1 --",
    "'; DROP TABLE core_user; --",
    "1 UNION SELECT password FROM core_user",
    "%00",
    "\x00",
    "../../../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "𝕳𝖊𝖑𝖑𝖔 ‮gnp.exe",
    "ﷺ" * 50,
    "\u202e\u200b\ufeff",
    "A" * 100_000,
    "2026-02-30",
    "-1e309",
    "NaN",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)
PROPS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = pytest.mark.django_db


def _no_raw_markup(html: str, value: str) -> None:
    if "<" in value and len(value) < 5000:
        assert value not in html or "<" not in value.strip(), f"echoed unescaped: {value[:80]!r}"


# --- sanitiser ----------------------------------------------------------------------------
@PROPS
@given(hostile_text)
def test_clean_html_never_keeps_scripts_or_handlers(value):
    cleaned = clean_html(value).lower()
    assert (
        "<script" not in cleaned
        and "<iframe" not in cleaned
        and "<style" not in cleaned
        and "<svg" not in cleaned
    )
    assert "javascript:" not in cleaned.replace("&amp;", "&") or "href" not in cleaned
    assert " onerror=" not in cleaned and " onload=" not in cleaned


@PROPS
@given(st.lists(st.sampled_from(HOSTILE[:7]), min_size=1, max_size=5), st.text(max_size=100))
def test_clean_html_keeps_plain_text_and_drops_active_content(payloads, text):
    cleaned = clean_html(f"<p>{text}</p>" + "".join(payloads))
    assert "<script" not in cleaned.lower()
    assert "alert(1)</script>" not in cleaned


# --- file names and uploads ---------------------------------------------------------------
@PROPS
@given(
    st.one_of(
        st.text(max_size=400),
        st.sampled_from(
            [
                "../../etc/passwd",
                "..\\..\\win.ini",
                "/abs/x.pdf",
                ".htaccess",
                "a/../../b.pdf",
                "CON.pdf",
                "x\x00.pdf.exe",
                "...",
                "",
            ]
        ),
    )
)
def test_safe_filename_never_escapes_the_folder(name):
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".") and len(safe) <= 120
    assert safe not in (".", "..")


def test_path_tricks_stay_inside_private_storage(tmp_path):
    from core.storage import private_storage as get_private_storage

    private_storage = get_private_storage()
    root = Path(private_storage.location).resolve()
    for name in ["../../evil.pdf", "..\\..\\evil.pdf", "/etc/evil.pdf", "a/../../../evil.pdf"]:
        stored = private_storage.save(f"uploads/{safe_filename(name)}", ContentFile(b"%PDF-1.4"))
        assert Path(private_storage.path(stored)).resolve().is_relative_to(root)
        assert ".." not in stored


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


XLSX_KINDS = {"xlsx"}


def test_zip_bomb_xlsx_is_refused():
    bomb = _zip(
        {
            "[Content_Types].xml": b"<x/>",
            "xl/workbook.xml": b"<w/>",
            "xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024),
        }
    )
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(XLSX_KINDS, 10 * 1024 * 1024)(SimpleUploadedFile("enti.xlsx", bomb))
    assert exc.value.code == "zip_bomb"


def test_many_members_zip_is_refused():
    members = {
        "[Content_Types].xml": b"<x/>",
        "xl/workbook.xml": b"<w/>",
        **{f"xl/m{i}.xml": b"x" for i in range(5001)},
    }
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(XLSX_KINDS, 50 * 1024 * 1024)(
            SimpleUploadedFile("enti.xlsx", _zip(members))
        )
    assert exc.value.code == "zip_bomb"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("domanda.pdf", b"<html><script>alert(1)</script></html>", "file_type"),
        ("domanda.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "file_type"),
        ("domanda.docx", b"%PDF-1.7\n%%EOF", "file_extension"),
        (
            "enti.xlsx",
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
            "file_type",
        ),
        ("domanda.pdf", b"", "file_empty"),
        ("domanda.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), "file_too_big"),
    ],
)
def test_bad_files_are_refused(name, content, code):
    kinds = XLSX_KINDS if name.endswith(".xlsx") else DOCUMENT_KINDS
    with pytest.raises(ValidationError) as exc:
        FileKindValidator(kinds, 1024 * 1024)(SimpleUploadedFile(name, content))
    assert exc.value.code == code


@PROPS
@given(
    st.binary(max_size=4096), st.sampled_from(["a.pdf", "a.docx", "a.odt", "a.p7m", "a.xlsx", "a"])
)
def test_random_bytes_never_crash_the_validator(content, name):
    try:
        FileKindValidator(DOCUMENT_KINDS | XLSX_KINDS, 1024 * 1024)(
            SimpleUploadedFile(name, content)
        )
    except ValidationError:
        return
    assert content.startswith((b"%PDF-", b"PK\x03\x04", b"0", b"M")) or content[:1] == b"\x30"


# --- pages and forms ----------------------------------------------------------------------
@pytest.fixture
def udp_client(staff_user):
    c = Client()
    c.force_login(staff_user)
    return c


@PROPS
@given(action=hostile_text, date_from=hostile_text, object_type=hostile_text, page=hostile_text)
def test_audit_log_filters_never_fail(udp_client, action, date_from, object_type, page):
    response = udp_client.get(
        "/ambiti/registro-modifiche/",
        {"action": action, "date_from": date_from, "object_type": object_type, "page": page},
    )
    assert response.status_code == 200
    _no_raw_markup(response.content.decode(), action)


@PROPS
@given(q=hostile_text)
def test_comune_search_never_fails(ambito, q):
    response = Client().get("/ambiti/comuni/", {"q": q})
    assert response.status_code == 200
    _no_raw_markup(response.content.decode(), q)


@PROPS
@given(choice=hostile_text)
def test_notification_preferences_refuse_junk(no_role_user, choice):
    client = Client()
    client.force_login(no_role_user)
    response = client.post("/notifiche/", {"notification_email": choice})
    assert response.status_code in (200, 302)
    value = User.objects.get(pk=no_role_user.pk).notification_email
    assert value in {c for c, _ in User.EmailFrequency.choices}


@PROPS
@given(ids=st.lists(hostile_text, max_size=5), next_url=hostile_text)
def test_mark_read_ignores_junk_ids_and_foreign_redirects(no_role_user, ids, next_url):
    client = Client()
    client.force_login(no_role_user)
    response = client.post("/notifiche/lette/", {"id": ids, "next": next_url})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


@pytest.mark.parametrize(
    "next_url",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_mark_read_is_no_open_redirect(client_for, no_role_user, next_url):
    response = client_for(no_role_user).post("/notifiche/lette/", {"next": next_url})
    assert response["Location"] == "/notifiche/"


@PROPS
@given(password=hostile_text)
def test_account_delete_with_a_wrong_password_changes_nothing(no_role_user, password):
    client = Client()
    client.force_login(no_role_user)
    response = client.post(
        "/la-mia-area/cancella-account/", {"password": password, "confirm": "on"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=no_role_user.pk).is_active


@PROPS
@given(email=hostile_text, password=hostile_text)
def test_signup_and_login_never_fail(db, email, password):
    client = Client()
    r1 = client.post(
        "/account/signup/", {"email": email, "password1": password, "password2": password}
    )
    r2 = client.post("/account/login/", {"login": email, "password": password})
    assert r1.status_code in (200, 302) and r2.status_code in (200, 302)
    _no_raw_markup(r1.content.decode(), email)
    for user in User.objects.all():
        assert "<" not in user.email


@pytest.mark.parametrize("value", HOSTILE[:7])
def test_stored_text_is_escaped_when_shown(no_role_user, value):
    """A notification title with markup (e.g. from an entity's name) is shown as text."""
    Notification.objects.create(user=no_role_user, kind="x", title=value)
    client = Client()
    client.force_login(no_role_user)
    html = client.get("/notifiche/").content.decode()
    assert value not in html
    assert "&lt;" in html


def test_nul_bytes_in_login_do_not_500(db):
    assert (
        Client()
        .post("/account/login/", {"login": "a\x00@example.org", "password": PASSWORD})
        .status_code
        == 200
    )


CELLS = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "=1+2",
            '=HYPERLINK("http://evil.example","x")',
            "@SUM(A1:A9)",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "31/02/2023",
            "2023-13-45",
            "99999999999999999999999",
            "-5",
            "1e400",
            "NaN",
            "Infinity",
            "1.000.000,00",
            "0,001",
            "30/02/2026 25:61",
            "X" * 40_000,
        ]
    ),
)


def _no_payload(html: str, value) -> None:
    """A sent value with markup is not on the page as markup (short ones like "<" or "<a" are
    in any page, so only known payloads and longer values are looked for)."""
    if isinstance(value, str) and "<" in value and (value in HOSTILE or 12 <= len(value) < 5000):
        assert value not in html, f"echoed unescaped: {value[:80]!r}"


# --- feature forms: every field of every form, hostile ------------------------------------
class _PostForm(HTMLParser):
    """The fields of the page's POST forms and what a browser would send for them untouched
    (the first named submit button as if clicked, the CSRF token left out); file inputs are
    listed with no value, to be filled by the test, and buttons' formaction as more targets."""

    def __init__(self):
        super().__init__()
        self.in_post, self.select, self.textarea = False, None, None
        self.forms: dict[str, dict[str, list[str]]] = {}  # action -> field -> values
        self.files: dict[str, set[str]] = {}  # action -> file inputs
        self.formactions: dict[str, list[str]] = {}  # action -> its buttons' other targets
        self.action = ""
        self.values: dict[str, list[str]] = {}
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "form":
            self.in_post = (a.get("method") or "").lower() == "post"
            self.action = a.get("action") or ""
            self.values = self.forms.setdefault(self.action, {})
            return
        if not self.in_post:
            return
        if a.get("formaction"):
            self.formactions.setdefault(self.action, []).append(a["formaction"])
        if tag == "option" and self.select:
            self.first_option.setdefault(self.select, a.get("value") or "")
            if "selected" in a:
                self.values[self.select].append(a.get("value") or "")
        elif name in (None, "csrfmiddlewaretoken"):
            return
        elif a.get("type") == "file":
            self.files.setdefault(self.action, set()).add(name)
        elif a.get("type") == "submit" or tag == "button":
            self.values.setdefault(name, [a.get("value") or ""])
        elif tag in ("select", "textarea"):
            self.values.setdefault(name, [])
            self.select, self.textarea = (name, None) if tag == "select" else (None, name)
        elif tag == "input":
            values = self.values.setdefault(name, [])
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                values.append(a.get("value") or "")

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False
        elif tag == "select" and self.select:
            if not self.values[self.select] and self.select in self.first_option:
                self.values[self.select].append(self.first_option[self.select])
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(html: str, url: str) -> dict[str, tuple[dict[str, list[str]], set[str]]]:
    """The page's POST forms by the URL they post to, as (fields, file inputs); the account
    menu's logout and forms with nothing to fill left out."""
    parser = _PostForm()
    parser.feed(html)
    forms = {}
    for action, fields in parser.forms.items():
        files = parser.files.get(action, set())
        for target in parser.formactions.get(action) or [action]:
            target = target if target.startswith("/") else url + target
            if (fields or files) and not target.startswith("/account/"):
                forms[target] = (fields, files)
    return forms


def test_post_forms_reads_what_a_browser_would_send():
    html = """<form method="post" action="/a/"><input name="csrfmiddlewaretoken" value="t">
    <textarea name="reason">x</textarea><input type="file" name="file">
    <button name="decision" value="approve">ok</button><button name="decision" value="no">no</button>
    <button formaction="/a/verifica/">v</button><button formaction="/a/respingi/">r</button></form>
    <form method="post" action="/account/logout/"><input name="next" value="/"></form>"""
    fields = {"reason": ["x"], "decision": ["approve"]}
    assert post_forms(html, "/a/") == {
        "/a/verifica/": (fields, {"file"}),
        "/a/respingi/": (fields, {"file"}),
    }


FILENAMES = st.one_of(
    st.sampled_from(
        [
            "../../../../etc/passwd.pdf",
            "..\\..\\win.ini.pdf",
            "/abs/x.pdf",
            ".htaccess.pdf",
            "x\x00.pdf.exe",
            "<script>alert(1)</script>.pdf",
            '"><img src=x onerror=alert(1)>.pdf',
            "gnp.exe\u202e.pdf",
            "CON.pdf",
            "A" * 300 + ".pdf",
        ]
    ),
    st.text(max_size=80).map(lambda name: name + ".pdf"),
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def features(ambito, staff_user, entity, entity_admin, entity_delegate, superuser):
    """One object of each feature, with the personas allowed to write them."""
    from entities.models import EntityInvitation
    from processes.models import Agreement, CommissionMember, IntegrationRequest, Report
    from tables import services as table_services
    from tables.services import rsvp_token
    from tests.factories.entities import EntityFactory
    from tests.factories.participation import EventFactory, EventSessionFactory, ProposalFactory
    from tests.factories.plans import fill_plan, make_plan
    from tests.factories.processes import (
        ApplicationFactory,
        CriterionFactory,
        NoticeFactory,
        ProcedureFactory,
    )
    from tests.factories.tables import (
        AgendaItemFactory,
        InvitationFactory,
        MeetingFactory,
        MembershipFactory,
        MinutesFactory,
        TableFactory,
    )

    table = TableFactory(ambito=ambito)
    meeting = MeetingFactory(table=table)
    AgendaItemFactory(meeting=meeting, order=1)
    InvitationFactory(meeting=meeting, user=entity_delegate, email=entity_delegate.email)
    seat = MembershipFactory(entity=entity, delegate=entity_admin, table__ambito=ambito)
    draft = ProcedureFactory(ambito=ambito)
    # the Ufficio di Piano persona is the RUP: it reads the submitted applications
    procedure = ProcedureFactory(ambito=ambito, status="notice_published", rup=staff_user)
    notice = NoticeFactory(procedure=procedure, published_at=timezone.now())
    CriterionFactory(notice=notice)
    application = ApplicationFactory(procedure=procedure, entity=entity)
    CommissionMember.objects.create(
        procedure=procedure, user=staff_user, role="president", declared_at=timezone.now()
    )
    submitted = ApplicationFactory(
        procedure=procedure, status="submitted", submitted_at=timezone.now()
    )
    admission = ProcedureFactory(ambito=ambito, status="admission", rup=staff_user)
    NoticeFactory(procedure=admission, published_at=timezone.now())
    to_admit = ApplicationFactory(
        procedure=admission, entity=entity, status="submitted", submitted_at=timezone.now()
    )
    in_integration = ApplicationFactory(
        procedure=ProcedureFactory(ambito=ambito, status="admission"),
        entity=entity,
        status="integration",
        submitted_at=timezone.now(),
    )
    integration = IntegrationRequest.objects.create(
        application=in_integration,
        message="Manca il DURC",
        deadline=timezone.now() + timedelta(days=10),
        requested_by=staff_user,
    )
    closed = ProcedureFactory(ambito=ambito, status="ranking_published")
    approved = ProcedureFactory(ambito=ambito, status="approved")  # its agreement still to record
    agreement = Agreement.objects.create(
        procedure=closed,
        signed_on=date(2026, 1, 1),
        starts_on=date(2026, 1, 1),
        duration_months=12,
        resources=50000,
    )
    agreement.parties.add(entity)
    report = Report.objects.create(
        agreement=agreement,
        entity=entity,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        activities="Sportello aperto tre giorni a settimana",
        submitted_by=entity_admin,
    )
    pending_entity = EntityFactory(ambito=ambito, status="pending")
    EntityInvitation.objects.create(
        entity=entity, email="invitata@example.org", role="delegate", invited_by=entity_admin
    )
    MembershipFactory(table=table, status="requested")
    convened = MeetingFactory(table=seat.table, status="convened")
    invitation = InvitationFactory(meeting=convened, user=entity_admin, email=entity_admin.email)
    MinutesFactory(meeting=convened, status="shared")
    approved_minutes = MinutesFactory(meeting=MeetingFactory(table=table, status="convened"))
    AgendaItemFactory(meeting=approved_minutes.meeting, order=1)
    InvitationFactory(meeting=approved_minutes.meeting, attendance="present")
    table_services.minutes_approve(minutes=approved_minutes, actor=staff_user)
    plan = make_plan(ambito, user=staff_user)
    consulted = make_plan(ambito, user=staff_user, status="consultation")
    intervention = fill_plan(plan, 1)[0]
    event = EventFactory(ambito=ambito)
    EventSessionFactory(event=event)
    proposal = ProposalFactory(ambito=ambito, author=entity_admin, entity=entity)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from entities.models import EntityClaim

    claim = EntityClaim.objects.create(
        entity=pending_entity,
        claimant=entity_delegate,
        role="Presidente",
        statement="Sono il legale rappresentante.",
        document=SimpleUploadedFile("nomina.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    from tests.factories.ambito import StaffRoleFactory

    return {
        "udp": staff_user,
        "superuser": superuser,
        "operator_role": StaffRoleFactory(ambito=ambito, role="operator"),
        "claim": claim,
        "pending_entity": pending_entity,
        "convened": convened,
        "approved_meeting": approved_minutes.meeting,
        "rsvp_token": rsvp_token(invitation),
        "admission": admission,
        "to_admit": to_admit,
        "integration": integration,
        "closed": closed,
        "approved": approved,
        "report": report,
        "consulted": consulted,
        "entity_admin": entity_admin,
        "delegate": entity_delegate,
        "entity": entity,
        "table": table,
        "seat_table": seat.table,
        "meeting": meeting,
        "draft": draft,
        "procedure": procedure,
        "application": application,
        "submitted": submitted,
        "plan": plan,
        "section": plan.sections.first(),
        "intervention": intervention,
        "event": event,
        "proposal": proposal,
    }


# (URL name, persona, kwargs from the features): pages whose POST form is fuzzed.
FEATURE_FORMS = [
    ("entities:register", "delegate", lambda f: {}),
    ("entities:edit", "entity_admin", lambda f: {"pk": f["entity"].pk}),
    ("entities:members", "entity_admin", lambda f: {"pk": f["entity"].pk}),
    ("entities:claim", "entity_admin", lambda f: {}),
    ("entities:claim_detail", "udp", lambda f: {"pk": f["claim"].pk}),
    ("tables:create", "udp", lambda f: {}),
    ("tables:update", "udp", lambda f: {"pk": f["table"].pk}),
    ("tables:join", "entity_admin", lambda f: {"pk": f["table"].pk}),
    ("tables:meeting_create", "udp", lambda f: {"pk": f["table"].pk}),
    ("tables:meeting_update", "udp", lambda f: {"pk": f["meeting"].pk}),
    ("tables:attendance", "udp", lambda f: {"pk": f["meeting"].pk}),
    ("tables:minutes_edit", "udp", lambda f: {"pk": f["meeting"].pk}),
    ("processes:create", "udp", lambda f: {}),
    ("processes:edit", "udp", lambda f: {"pk": f["draft"].pk}),
    ("processes:notice_edit", "udp", lambda f: {"pk": f["draft"].pk}),
    ("processes:application_detail", "entity_admin", lambda f: {"pk": f["application"].pk}),
    ("processes:application_score", "udp", lambda f: {"pk": f["submitted"].pk}),
    ("plans:create", "udp", lambda f: {}),
    (
        "plans:section_edit",
        "udp",
        lambda f: {"pk": f["plan"].pk, "section_pk": f["section"].pk},
    ),
    ("plans:funds", "udp", lambda f: {"pk": f["plan"].pk}),
    ("plans:source_create", "udp", lambda f: {"pk": f["plan"].pk}),
    ("plans:intervention_create", "udp", lambda f: {"pk": f["plan"].pk}),
    ("plans:need_create", "udp", lambda f: {"pk": f["plan"].pk}),
    ("plans:service_create", "udp", lambda f: {"pk": f["plan"].pk}),
    ("plans:detail", "udp", lambda f: {"pk": f["plan"].pk}),
    ("tables:meeting_detail", "udp", lambda f: {"pk": f["meeting"].pk}),
    (
        "plans:intervention_edit",
        "udp",
        lambda f: {"pk": f["plan"].pk, "intervention_pk": f["intervention"].pk},
    ),
    ("participation:proposal_create", "entity_admin", lambda f: {}, "?table={seat_table.pk}"),
    ("participation:proposal_detail", "entity_admin", lambda f: {"pk": f["proposal"].pk}),
    ("participation:event_create", "udp", lambda f: {}),
    ("participation:event_detail", "delegate", lambda f: {"pk": f["event"].pk}),
    ("participation:news_create", "udp", lambda f: {}),
    ("participation:library_create", "udp", lambda f: {}),
    # Status decisions, invitations, roles, decisions and uploads, in the states that show them.
    ("entities:detail", "udp", lambda f: {"pk": f["pending_entity"].pk}),
    ("entities:detail", "udp", lambda f: {"pk": f["entity"].pk}),
    ("tables:members", "udp", lambda f: {"pk": f["table"].pk}),
    ("tables:meeting_send", "udp", lambda f: {"pk": f["meeting"].pk}),
    ("tables:meeting_detail", "entity_admin", lambda f: {"pk": f["convened"].pk}),
    ("tables:rsvp", "entity_admin", lambda f: {"token": f["rsvp_token"]}),
    ("tables:minutes_detail", "entity_admin", lambda f: {"pk": f["convened"].pk}),
    ("tables:minutes_correction", "udp", lambda f: {"pk": f["approved_meeting"].pk}),
    ("processes:detail", "udp", lambda f: {"pk": f["closed"].pk}),
    ("processes:cancel", "udp", lambda f: {"pk": f["procedure"].pk}),
    ("processes:reopen", "udp", lambda f: {"pk": f["procedure"].pk}),
    ("processes:application_detail", "udp", lambda f: {"pk": f["to_admit"].pk}),
    ("processes:application_detail", "entity_admin", lambda f: {"pk": f["to_admit"].pk}),
    (
        "processes:application_detail",
        "entity_admin",
        lambda f: {"pk": f["integration"].application_id},
    ),
    ("processes:commission", "udp", lambda f: {"pk": f["procedure"].pk}),
    ("processes:document_add", "udp", lambda f: {"pk": f["closed"].pk}),
    ("processes:project_budget", "udp", lambda f: {"pk": f["closed"].pk}),
    ("processes:agreement_edit", "udp", lambda f: {"pk": f["approved"].pk}),
    ("processes:report_create", "entity_admin", lambda f: {"pk": f["closed"].pk}),
    ("processes:report_detail", "udp", lambda f: {"pk": f["report"].pk}),
    ("plans:detail", "entity_admin", lambda f: {"pk": f["consulted"].pk}),
    ("plans:approve", "udp", lambda f: {"pk": f["plan"].pk}),
    ("participation:proposal_detail", "udp", lambda f: {"pk": f["proposal"].pk}),
    ("participation:session_create", "udp", lambda f: {"pk": f["event"].pk}),
    ("participation:principles_edit", "udp", lambda f: {"code": f["entity"].ambito.code}),
    ("ambito:roles", "udp", lambda f: {"code": f["entity"].ambito.code}),
    (
        "ambito:role_edit",
        "udp",
        lambda f: {"code": f["entity"].ambito.code, "pk": f["operator_role"].pk},
    ),
    ("ambito:create", "superuser", lambda f: {}),
]
# No shrinking: each step is a request, and the failing example is printed as drawn.
FEATURE_PROPS = settings(
    PROPS, max_examples=10, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)


@pytest.mark.parametrize("form", FEATURE_FORMS, ids=[f"{f[0]}-{f[1]}" for f in FEATURE_FORMS])
def test_feature_forms_never_fail_on_hostile_input(features, form):
    """Every field of each form on the page gets hostile text (all fields, or one in the form as
    shown), file inputs a PDF with a hostile name, each post rolled back: never a 5xx, never
    echoed unescaped, neither on the answer nor on the page a redirect leads to; a refusal is a
    form page (200, or 400 where the view says so) or a redirect with a message."""
    name, persona, kwargs, query = (*form, "")[:4]
    client = Client(raise_request_exception=False)
    client.force_login(features[persona])
    url = reverse(name, kwargs=kwargs(features)) + query.format(**features)
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    forms = post_forms(page.content.decode(), url)
    assert forms, f"no POST form on {url}"

    @FEATURE_PROPS
    @given(st.data())
    def run(data):
        for target, (initial, file_inputs) in sorted(forms.items()):
            post_hostile(data, target, initial, file_inputs)

    def post_hostile(data, target, initial, file_inputs):
        if data.draw(st.booleans(), label=f"{target}: every field hostile") or not initial:
            values = {f: data.draw(hostile_text, label=f) for f in initial}
        else:  # the form as shown, with one field hostile: reaches the deeper checks
            field = data.draw(st.sampled_from(sorted(initial)), label=f"{target}: field")
            values = {**initial, field: data.draw(CELLS, label=field)}
        files = {
            f: SimpleUploadedFile(data.draw(FILENAMES, label=f), PDF, "application/pdf")
            for f in sorted(file_inputs)
        }
        with transaction.atomic():  # each post starts from the state that shows the form
            response = client.post(target, {**values, **files})
            assert response.status_code in (200, 302, 400, 403), (target, response, values)
            if response.status_code == 302:  # what was saved, as the next page shows it
                response = client.get(response["Location"])
                assert response.status_code < 500, (response["Location"], response.status_code)
            transaction.set_rollback(True)
        html = response.content.decode()
        for value in [*values.values(), *(f.name for f in files.values())]:
            _no_payload(html, value)

    run()


# --- entity import: hostile cells in CSV and XLSX -----------------------------------------
@settings(PROPS, max_examples=10, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    column=st.sampled_from(import_tests.HEADERS), value=CELLS, fmt=st.sampled_from(["csv", "xlsx"])
)
def test_import_rows_with_hostile_cells(udp_client, ambito, column, value, fmt):
    """A row with one hostile cell: the dry run reports it or accepts it, never a 5xx; what is
    written is the text as given and is shown escaped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from entities.models import Entity

    if fmt == "xlsx":
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # no XLSX can hold them
    Comune.objects.get_or_create(istat_code="041013", defaults={"name": "Fano"})
    row = import_tests.row(900, **{column: value})
    upload = (import_tests.csv_file if fmt == "csv" else import_tests.xlsx_file)([row])
    response = import_tests.dry_run(udp_client, upload, ambito)
    assert response.status_code == 200
    html = response.content.decode()
    _no_raw_markup(html, value)
    if not response.context.get("ok"):
        return
    done = import_tests._confirm(udp_client, response)
    assert done.status_code == 302
    assert import_tests.Entity.objects.filter(
        tax_code=row[import_tests.HEADERS.index("codice_fiscale")]
    ).exists(), udp_client.get(done["Location"]).content.decode()[-3000:]
    entity = Entity.objects.get(tax_code=row[import_tests.HEADERS.index("codice_fiscale")])
    page = udp_client.get(reverse("entities:detail", kwargs={"pk": entity.pk}))
    assert page.status_code == 200
    _no_raw_markup(page.content.decode(), value)
    entity.delete()


# --- stored feature text is shown as text (or sanitised, for rich text) -------------------
@pytest.mark.parametrize("value", HOSTILE[:7])
def test_stored_feature_text_is_escaped_or_sanitised(features, value):
    """Markup stored in any feature's text (typed by an entity, imported, or written by staff)
    never reaches a page as markup; rich text goes through the sanitiser when saved."""
    from entities.models import Entity
    from participation.models import Event, News, Proposal
    from plans.models import Intervention
    from processes.models import Notice, Procedure
    from tables.models import AgendaItem, Meeting, Table

    f = features
    Entity.objects.filter(pk=f["entity"].pk).update(name=value, description=value)
    Table.objects.filter(pk=f["table"].pk).update(name=value, description=value)
    Meeting.objects.filter(pk=f["meeting"].pk).update(title=value, place=value, description=value)
    AgendaItem.objects.filter(meeting=f["meeting"]).update(title=value, description=value)
    Procedure.objects.filter(pk=f["procedure"].pk).update(title=value, subject=value)
    Notice.objects.filter(procedure=f["procedure"]).update(subject=value, requirements=value)
    Proposal.objects.filter(pk=f["proposal"].pk).update(title=value, text=value)
    Event.objects.filter(pk=f["event"].pk).update(title=value, description=value, place=value)
    Intervention.objects.filter(pk=f["intervention"].pk).update(title=value, objective=value)
    udp = Client()
    udp.force_login(f["udp"])
    section_url = reverse(
        "plans:section_edit", kwargs={"pk": f["plan"].pk, "section_pk": f["section"].pk}
    )
    rich = f"<p>ok</p>{value}"
    assert udp.post(section_url, {"title": "Sezione", "body": rich}).status_code == 302
    news_data = {"ambito": f["entity"].ambito_id, "title": value, "summary": value, "body": rich}
    assert (
        udp.post(reverse("participation:news_create"), {**news_data, "publish": "on"}).status_code
        == 302
    )
    news = News.objects.get()
    pages = [
        reverse("entities:directory"),
        reverse("entities:detail", kwargs={"pk": f["entity"].pk}),
        reverse("tables:list"),
        reverse("tables:detail", kwargs={"pk": f["table"].pk}),
        reverse("tables:meeting_detail", kwargs={"pk": f["meeting"].pk}),
        reverse("processes:list"),
        reverse("processes:detail", kwargs={"pk": f["procedure"].pk}),
        reverse("processes:application_detail", kwargs={"pk": f["submitted"].pk}),
        reverse("participation:proposal_detail", kwargs={"pk": f["proposal"].pk}),
        reverse("participation:event_list"),
        reverse("participation:event_detail", kwargs={"pk": f["event"].pk}),
        reverse("participation:news_detail", kwargs={"pk": news.pk}),
        reverse("plans:detail", kwargs={"pk": f["plan"].pk}),
        reverse(
            "plans:intervention",
            kwargs={"pk": f["plan"].pk, "intervention_pk": f["intervention"].pk},
        ),
        reverse("core:home"),
    ]
    for url in pages:
        response = udp.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert value not in html and value.lower() not in html.lower(), url
