"""THE permission matrix: who gets what on every URL of the portal.

tests/security/test_permission_matrix.py enumerates every URL pattern from Django's resolver,
builds a concrete URL for each from the objects of the world (tests/security/world.py), requests
it as each persona and compares the status with the row declared here. A URL name with no row
fails the test (its message lists the missing names), so a new page cannot be forgotten.

HOW TO ADD THE PAGES OF A FEATURE APP (after it is merged)
1. Run `pytest tests/security/test_permission_matrix.py -k declared`: it prints the missing names.
2. Add one row per name to MATRIX below:
       "tables:detail": Row(get=visible_to_members_404_to_others(...)),
   `get` (and `post` for write actions) is a dict persona -> expected status; build it with
   `expect(default, **overrides)` or the shorthands (PUBLIC, LOGGED_IN, UDP_ONLY, ...).
   Statuses: 200, LOGIN (302 to the login page), REDIRECT (any other 302), 403, 404, 405.
3. URL kwargs are filled from the world: `pk` (or `<model>_pk`) with the pk of the object chosen
   by the longest matching URL-name prefix in PK_SOURCES ("participation:proposal" -> the
   proposal, "processes:" -> the procedure); other kwargs (slug, code, token, uidb36, ...)
   through KWARG_SOURCES. A row may also give `kwargs=lambda w: {...}` to choose explicitly
   (e.g. the other ambito's table, to prove a 404), and `query=lambda w: "?table=..."` for a
   query string that names an object. Add the objects the app needs to world.py
   (use the app's factories).
4. Write actions: give `post` (statuses), `data=lambda w: {...}` (VALID data: a refusal must come
   from permissions, not from the form) and `snapshot=lambda w: ...` (counts and updated_at of
   what the action would change). The test POSTs as every persona whose `post` status is a
   refusal (LOGIN, 403, 404, 405) and asserts the snapshot did not change. Personas allowed to
   write are exercised by the app's own tests.
5. URLs of third-party apps are covered by PREFIX_RULES (allauth under /account/, the admin):
   every persona gets no 5xx there; their security is tested in test_login.py.
6. A page that answers differently in other states of its object (an application before and
   after the ranking) gets more rows in STATE_ROWS, one per state, each with its own `kwargs`.
   Personas that matter on a few pages only (a commissioner...) are EXTRA_PERSONAS: give their
   statuses in `extra` / `extra_post` of the rows concerned.

Personas: anon, no_role (a citizen), delegate / entity_admin (of `entity`), other_entity_admin
(of `other_entity`, same ambito), comune (comune staff of `ambito`), udp (Ufficio di Piano of
`ambito`), other_udp (Ufficio di Piano of `other_ambito`), superuser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = (
    "anon",
    "no_role",
    "delegate",
    "entity_admin",
    "other_entity_admin",
    "comune",
    "udp",
    "other_udp",
    "superuser",
)
OK = 200
LOGIN = "login"  # 302 to the login page
REDIRECT = "redirect"  # 302 anywhere else (a successful POST)
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
CONFLICT = 409  # refused by the object's state (a meeting whose minutes are approved)
REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT}


def expect(default: Any, **overrides: Any) -> dict[str, Any]:
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {p: overrides.get(p, default) for p in PERSONAS}


PUBLIC = expect(OK)
LOGGED_IN = expect(OK, anon=LOGIN)
UDP_ONLY = expect(FORBIDDEN, anon=LOGIN, udp=OK, other_udp=OK, superuser=OK)
STAFF_ONLY = expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, other_udp=OK, superuser=OK)
POST_ONLY_LOGGED_IN = expect(NOT_ALLOWED, anon=LOGIN)


@dataclass(frozen=True)
class Row:
    get: dict[str, Any]
    post: dict[str, Any] | None = None
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    snapshot: Callable[[Any], Any] | None = None
    # appended to the URL (e.g. "?q=ab"), or a function of the world giving it
    query: str | Callable[[Any], str] = ""
    # a write done in two POSTs to the same URL (an upload, then its confirmation): the data of
    # the second from the world and the first response; the outcome checked is the second's
    then: Callable[[Any, Any], dict[str, Any]] | None = None
    # Statuses for EXTRA_PERSONAS (GET, and POST when `post` is given), checked only where named.
    extra: dict[str, Any] = field(default_factory=dict)
    extra_post: dict[str, Any] = field(default_factory=dict)


# Personas that matter on a few pages only (tests/security/world.py builds them): their statuses
# are declared in the `extra` / `extra_post` of the rows that name them, and checked there only.
#   commissioner       a declared member of `evaluation`'s commission, tied to no applicant
#   tied_commissioner  a declared member of `evaluation`'s commission who administers
#                      `applicant_entity`, whose application arrived after she was seated
#   rup_colleague      an operator of `ambito`'s Ufficio di Piano who is not the RUP
EXTRA_PERSONAS = ("commissioner", "tied_commissioner", "rup_colleague")


def _outbox(w):
    from core.models import OutgoingEmail

    return list(
        OutgoingEmail.objects.order_by("pk").values_list("pk", "status", "attempts", "last_error")
    )


def _user_state(w):
    from core.models import User

    return list(
        User.objects.order_by("pk").values_list(
            "pk", "email", "is_active", "anonymised_at", "password"
        )
    )


def _notification_prefs(w):
    from core.models import Notification, User

    return (
        list(User.objects.order_by("pk").values_list("pk", "notification_email")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    )


def _plan_state(w):
    from plans.models import Intervention, Plan

    return (
        list(Plan.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        list(Intervention.objects.order_by("pk").values_list("pk", "title")),
    )


# --- processes and participation: helpers ------------------------------------------------------
def _pk(attr: str) -> Callable[[Any], dict[str, Any]]:
    """kwargs naming one of the world's objects: _pk("evaluation") -> {"pk": w.evaluation.pk}."""
    return lambda w: {"pk": getattr(w, attr).pk}


def _rows(*specs: tuple[str, ...]) -> Callable[[Any], Any]:
    """Snapshot of whole tables: _rows(("processes.Procedure", "status", "updated_at"), ...)."""

    def snapshot(w):
        from django.apps import apps

        return [
            list(apps.get_model(label).objects.order_by("pk").values_list("pk", *fields))
            for label, *fields in specs
        ]

    return snapshot


def _formset(prefix: str, *rows: dict[str, Any]) -> dict[str, Any]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _pdf(name: str = "documento.pdf"):
    from tests.security.world import _file

    return _file(name)


def _signed_agreement(w):
    """The world's agreement signed (.p7m) by the ambito's signer, the test PKI's person."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.core.test_signatures import Pki

    with w.execution.agreement.file.open("rb") as f:
        original = f.read()
    return SimpleUploadedFile("convenzione.pdf.p7m", Pki().p7m(original))


def _future(days: int = 10) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _procedure_data(w) -> dict[str, Any]:
    from entities.models import Activity

    return {
        "kind": "coprogrammazione",
        "title": "Nuovo procedimento",
        "subject": "Servizi per gli anziani",
        "activities": [Activity.objects.get(code="a").pk],
        "rup": w.personas["udp"].pk,
        "origin": "ex_officio",
        "legal_basis": "Piano di Zona",
        "ambito": w.ambito.pk,
    }


def _declarations() -> list[str]:
    from processes.models import Declaration

    return list(Declaration.values)


def _target_group() -> int:
    from entities.models import TargetGroup

    return TargetGroup.objects.order_by("pk").values_list("pk", flat=True)[0]


def _event_data(w) -> dict[str, Any]:
    return {
        "ambito": w.ambito.pk,
        "title": "Forum del Terzo settore",
        "place": "Sala consiliare",
        "starts_at": _future(20),
        "ends_at": _future(21),
        "publish": "on",
    }


def _session_data(w) -> dict[str, Any]:
    return {
        "title": "Laboratorio",
        "place": "Sala B",
        "starts_at": _future(20),
        "ends_at": _future(21),
        "capacity": "30",
    }


def _news_data(w) -> dict[str, Any]:
    return {
        "ambito": w.ambito.pk,
        "title": "Nuova notizia",
        "summary": "Sintesi",
        "body": "<p>Testo</p>",
    }


def _library_data(w) -> dict[str, Any]:
    return {
        "ambito": w.ambito.pk,
        "kind": "good_practice",
        "title": "Buona pratica",
        "description": "Descrizione",
        "url": "https://example.org/pratica",
    }


# A public object of `ambito` (procedure, event, news...): everyone sees it; only the ambito's
# Ufficio di Piano changes it, the others get 403.
AMBITO_UDP = expect(FORBIDDEN, anon=LOGIN, udp=OK, superuser=OK)
AMBITO_STAFF = expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, superuser=OK)
AMBITO_UDP_POST = expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT)
# Rows of `entity` (applications, their attachments, reports, proposals): its people and the
# staff of `ambito` see them; other entities and other ambiti do not know they exist.
ENTITY_AND_STAFF = expect(
    NOT_FOUND, anon=LOGIN, delegate=OK, entity_admin=OK, comune=OK, udp=OK, superuser=OK
)
# Scoring `entity`'s admitted application: who sees it is refused (403), the others get 404.
NOT_A_COMMISSIONER = expect(
    FORBIDDEN, anon=LOGIN, no_role=NOT_FOUND, other_entity_admin=NOT_FOUND, other_udp=NOT_FOUND
)
# Applications are confidential until the results (ranking, admitted list) are published: the
# applicant entity's people, the procedure's RUP (`udp` in the world) and its commission, never
# the other staff of the ambito (comune, a colleague of the RUP, superusers). A draft is the
# entity's alone.
CONFIDENTIAL = expect(NOT_FOUND, anon=LOGIN, delegate=OK, entity_admin=OK, udp=OK)
DRAFT_OF_ENTITY = expect(NOT_FOUND, anon=LOGIN, delegate=OK, entity_admin=OK)
# Once the results are public the staff of the ambito read the applications again; competitors
# and the public never (the public page shows who was admitted or excluded, with the scores).
AFTER_RESULTS = expect(
    NOT_FOUND, anon=LOGIN, delegate=OK, entity_admin=OK, comune=OK, udp=OK, superuser=OK
)
# A draft of `entity`: changed by its administrators only; nobody else knows it exists.
DRAFT_ADMIN_POST = expect(NOT_FOUND, anon=LOGIN, delegate=FORBIDDEN, entity_admin=REDIRECT)
# A submitted application of `entity` under admission: its administrators answer; the RUP reads.
CONFIDENTIAL_ADMIN_POST = expect(
    NOT_FOUND, anon=LOGIN, delegate=FORBIDDEN, entity_admin=REDIRECT, udp=FORBIDDEN
)
# `other_entity`'s submitted application under admission: the RUP decides.
RUP_DECIDES_POST = expect(NOT_FOUND, anon=LOGIN, other_entity_admin=FORBIDDEN, udp=REDIRECT)
# Scoring an admitted application under evaluation: a declared commissioner not tied to it; who
# reads it otherwise (its entity, the RUP) is refused with 403, the others get 404.
SCORING = expect(NOT_FOUND, anon=LOGIN, delegate=FORBIDDEN, entity_admin=FORBIDDEN, udp=FORBIDDEN)
_NONE_OF_THE_EXTRAS = dict.fromkeys(EXTRA_PERSONAS, NOT_FOUND)
# An application under `evaluation`: both commissioners read it (it is not the tied one's own
# cooperative's); the RUP's colleague does not.
_EVALUATION_EXTRAS = {"commissioner": OK, "tied_commissioner": OK, "rup_colleague": NOT_FOUND}
# Drafts of public content (events, news, library): the staff of `ambito` only.
DRAFT_CONTENT = expect(NOT_FOUND, comune=OK, udp=OK, superuser=OK)
# The staff pages of an event answer 404 to anonymous visitors (no login page).
EVENT_STAFF = expect(FORBIDDEN, anon=NOT_FOUND, udp=OK, superuser=OK)
# Create pages: any Ufficio di Piano; another ambito's cannot pick `ambito` (the form is shown again).
CREATE_POST = expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, other_udp=OK, superuser=REDIRECT)


# A public proposal of `ambito` and its comments: hidden and restored by its Ufficio di Piano.
MODERATION_POST = expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT)


# Surveys: a draft is seen by the ambito's staff only, changed by its Ufficio di Piano; results
# and answers are read by the ambito's staff.
SURVEY_DRAFT_UDP = expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=OK, superuser=OK)
SURVEY_STAFF = expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, superuser=OK)


def _survey_data(w) -> dict[str, Any]:
    import datetime

    from django.utils import timezone

    now = timezone.localtime()
    return {
        "ambito": w.ambito.pk,
        "title": "Nuovo questionario",
        "audience": "public",
        "respondent": "person",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        **_formset("domande", {"text": "Domanda", "kind": "text"}),
        "domande-MIN_NUM_FORMS": "0",
        "domande-MAX_NUM_FORMS": "40",
    }


def _content_rows(prefix: str, model: str, data: Callable, draft: str) -> dict[str, Row]:
    """Rows of create/detail/edit of the public content of participation (news, library): any
    Ufficio di Piano creates, drafts stay with the staff, the ambito's Ufficio di Piano edits."""
    return {
        f"{prefix}_create": Row(
            get=UDP_ONLY, post=CREATE_POST, data=data, snapshot=_rows((model, "title"))
        ),
        f"{prefix}_detail": Row(get=DRAFT_CONTENT, kwargs=_pk(draft)),
        f"{prefix}_edit": Row(
            get=AMBITO_UDP,
            post=AMBITO_UDP_POST,
            data=data,
            snapshot=_rows((model, "title", "published_at", "updated_at")),
        ),
    }


# --- entities and tables: snapshots and valid form data -------------------------------------
_entities_state = _rows(
    ("entities.Entity", "status", "updated_at"),
    ("entities.EntityMembership", "role", "ended_at"),
    ("entities.EntityInvitation", "expires_at", "accepted_at", "revoked_at"),
    ("core.OutgoingEmail", "status"),
)
_tables_state = _rows(
    ("tables.Table", "name", "archived_at"),
    ("tables.TableMembership", "status"),
    ("tables.Meeting", "status", "title", "sequence"),
    ("tables.AgendaItem", "title", "summary", "decisions"),
    ("tables.Invitation", "response", "attendance"),
    ("tables.MeetingAttachment",),
    ("tables.Minutes", "status", "updated_at"),
    ("tables.MinutesComment",),
    ("tables.MinutesVersion", "status", "reason", "record", "approved_at"),
    ("core.FileJob", "status"),
    ("core.OutgoingEmail", "status"),
)


def _entity_data(w, **overrides):
    """Valid EntityForm data (the world's `entity`, unless overridden)."""
    from entities.models import Activity

    seat = w.ambito.lead_comune_id
    data = {
        "name": w.entity.name,
        "tax_code": w.entity.tax_code,
        "legal_form": w.entity.legal_form,
        "runts_section": w.entity.runts_section,
        "runts_status": w.entity.runts_status,
        "runts_number": w.entity.runts_number,
        "runts_date": "2023-05-10",
        "address": "Via Nolfi 3",
        "postal_code": "61032",
        "seat_comune": str(seat),
        "email": w.entity.email,
        "legal_representative": "Anna Bianchi",
        "activities": [str(Activity.objects.get(code="a").pk)],
        "operating_comuni": [str(seat)],
        "volunteers": "12",
        "employees": "0",
        "description": "Sostegno scolastico.",
    }
    data.update(overrides)
    return data


def _registration_data(w):
    from tests.factories.entities import valid_tax_code

    return _entity_data(
        w,
        name="Associazione Nuova Luce",
        tax_code=valid_tax_code(7001),
        runts_number="R-778899",
        email="luce@example.org",
    )


def _import_file(w):
    """A real entity file: a new entity, and an update of the world's `entity` (of `ambito`)."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from entities.resources import EntityResource
    from tests.factories.entities import valid_tax_code

    headers = [f.column_name for f in EntityResource().get_export_fields()]
    seat = w.ambito.lead_comune.istat_code
    common = {"forma_giuridica": "odv", "stato_runts": "non_iscritto", "indirizzo": "Via Roma 1"}
    common |= {"comune_sede": seat, "attivita": "a", "volontari": "3", "dipendenti": "0"}
    rows = [
        {
            **common,
            "denominazione": "Associazione Importata",
            "codice_fiscale": valid_tax_code(7101),
        }
        | {"email": "importata@example.org", "legale_rappresentante": "Ida Neri"},
        {**common, "denominazione": "Il Faro rinominato", "codice_fiscale": w.entity.tax_code}
        | {"email": "faro@example.org", "legale_rappresentante": "Ugo Neri"},
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("enti.csv", buffer.getvalue().encode(), content_type="text/csv")


def _import_upload(w):
    return {"file": _import_file(w), "ambito": str(w.ambito.pk)}


_claims_state = _rows(
    ("entities.EntityClaim", "status", "decided_at"),
    ("entities.EntityMembership", "role", "ended_at"),
    ("core.OutgoingEmail", "status"),
)


def _claim_data(w):
    return {
        "tax_code": w.entity.tax_code,
        "role": "Presidente",
        "statement": "Il legale rappresentante sono io.",
        "document": _pdf("nomina.pdf"),
        "declaration": "on",
    }


_entities_data_state = _rows(
    ("entities.Entity", "name", "email", "legal_representative", "status", "updated_at"),
    ("core.AuditEvent", "action", "ambito_id"),
)
_import_state = _rows(
    ("entities.Entity", "name", "email", "legal_representative", "status", "updated_at"),
    ("core.AuditEvent", "action", "ambito_id"),
    ("core.FileJob", "kind", "status", "created_by_id"),
)
_IMPORT_JOB = expect(FORBIDDEN, anon=LOGIN, udp=OK, other_udp=NOT_FOUND, superuser=NOT_FOUND)


STAFF_OF_AMBITO = expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)
_staff_state = _rows(
    ("ambito.Ambito", "code", "name", "lead_comune_id"),
    ("ambito.StaffRole", "user_id", "ambito_id", "role", "comune_id", "job_title", "rup_eligible"),
    ("ambito.StaffInvitation", "email", "role", "expires_at", "accepted_at", "revoked_at"),
    ("core.OutgoingEmail", "to", "status"),
)


def _ambito_data(w):
    comuni = list(w.ambito.comuni.order_by("pk"))
    return {
        "name": "ATS nuovo",
        "code": "ats-nuovo",
        "lead_comune": comuni[0].pk,
        "comuni": [c.pk for c in comuni],
        "istat_codes": "",
        "coordinator_email": "coordinatore-nuovo@example.org",
    }


def _meeting_data(w):
    return {
        "title": "Seduta di verifica",
        "starts_at": _future(20),
        "ends_at": _future(21),
        "place": "Sala Verdi",
        **_formset("agenda", {"title": "Primo punto"}),
    }


def _table_data(w):
    return {"name": "Tavolo nuovo", "slug": "nuovo", "kind": "thematic", "is_open": "on"}


def _attachment_data(w):
    return {"title": "Ordine del giorno", "file": _pdf("odg.pdf")}


def _correction_data(w):
    """Valid data of the correction of `past_meeting`'s minutes (its agenda and register)."""
    meeting = w.past_meeting
    data = {
        "reason": "Presenza registrata male",
        "chair": "Giulia Rossi",
        "secretary": "Paolo Neri",
    }
    for item in meeting.agenda_items.all():
        data[f"a{item.pk}-decisions"] = "Approvato all'unanimità"
    for inv in meeting.invitations.all():
        data[f"p{inv.pk}-attendance"] = "justified"
    return data


def _minutes_data(w):
    data = {"chair": "Giulia Rossi", "secretary": "Paolo Neri", "introduction": "Apertura"}
    for item in w.convened.agenda_items.all():
        data[f"a{item.pk}-summary"] = "Discussione"
    return data


# Entity: only its administrators change it (a superuser is no administrator).
ENTITY_ADMIN_ONLY = expect(FORBIDDEN, anon=LOGIN, entity_admin=OK)
ENTITY_ADMIN_WRITES = expect(FORBIDDEN, anon=LOGIN, entity_admin=REDIRECT)
# An object everyone sees (a table, a convened meeting), managed by the Ufficio di Piano.
TABLE_MANAGE = expect(FORBIDDEN, anon=LOGIN, udp=OK, superuser=OK)
TABLE_WRITE = expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT)
# A meeting in preparation: managers only, 404 to everyone else.
DRAFT_READ = expect(NOT_FOUND, udp=OK, superuser=OK)
DRAFT_MANAGE = expect(NOT_FOUND, anon=LOGIN, udp=OK, superuser=OK)
DRAFT_WRITE = expect(NOT_FOUND, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT)


# Visible to the ambito's staff (comune included), 404 to everyone else (not even a login page).
PLAN_READ = expect(NOT_FOUND, comune=OK, udp=OK, superuser=OK)
# Changed by the Ufficio di Piano only; comune staff read it (403); others do not see it (404).
PLAN_WRITE = expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=OK, superuser=OK)
# Needs and services on the world's DRAFT plan: its ambito's staff only (entity people map on a
# plan in consultation or approved; a draft's title is not shown to them: tests/plans).
PLAN_MAP = expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)
PLAN_MAP_POST = expect(NOT_FOUND, anon=LOGIN, comune=REDIRECT, udp=REDIRECT, superuser=REDIRECT)


def _area(w) -> int:
    from entities.models import TargetGroup

    return TargetGroup.objects.order_by("order").first().pk


MATRIX: dict[str, Row] = {
    # --- core ---------------------------------------------------------------------------
    "core:home": Row(get=PUBLIC),
    # every result opens for who sees it: tests/security/test_search_walk.py
    "core:search": Row(get=PUBLIC, query="?q=tavolo"),
    "core:my_area": Row(get=LOGGED_IN),
    "core:identity": Row(get=LOGGED_IN),
    "core:personal_data": Row(get=LOGGED_IN),
    "core:account_delete": Row(
        get=LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN),
        data=lambda w: {"password": w.password, "confirm": "on"},
        snapshot=_user_state,
    ),
    "core:notifications": Row(
        get=LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN),
        data=lambda w: {"notification_email": "none"},
        snapshot=_notification_prefs,
    ),
    "core:notifications_read": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN),
        data=lambda w: {"id": [str(w.notification.pk)]},
        snapshot=_notification_prefs,
    ),
    "core:accessibility": Row(get=PUBLIC),
    "core:privacy": Row(get=PUBLIC),
    "core:legal": Row(get=PUBLIC),
    "core:health": Row(get=PUBLIC),
    # --- ambito -------------------------------------------------------------------------
    "ambito:list": Row(get=PUBLIC),
    "ambito:comune_options": Row(get=PUBLIC, query="?q=a"),
    "ambito:comune_checkboxes": Row(get=PUBLIC, query="?q=co&name=comuni"),
    "ambito:detail": Row(get=PUBLIC),
    "ambito:region_funds": Row(get=PUBLIC),
    "ambito:region_directory": Row(get=PUBLIC),
    # Superusers create ambiti (and invite the first coordinator) from the portal.
    "ambito:create": Row(
        get=expect(FORBIDDEN, anon=LOGIN, superuser=OK),
        post=expect(FORBIDDEN, anon=LOGIN, superuser=REDIRECT),
        data=_ambito_data,
        snapshot=_staff_state,
    ),
    # The roles of `ambito`: its staff (the comune persona sees its comune's colleagues and
    # invites them); nobody else knows the page, `other_ambito`'s Ufficio di Piano included.
    "ambito:roles": Row(
        get=STAFF_OF_AMBITO,
        post=expect(NOT_FOUND, anon=LOGIN, comune=REDIRECT, udp=REDIRECT, superuser=REDIRECT),
        data=lambda w: {
            "email": "nuovo-collega@example.org",
            "role": "comune",
            "comune": w.personas["comune"].staff_roles.get().comune_id,
            "job_title": "Assistente sociale",
        },
        snapshot=_staff_state,
    ),
    # `staff_colleague_role` is an operator of the Ufficio di Piano: the coordinator's to manage,
    # not the comune staff's (they do not see it).
    "ambito:role_edit": Row(
        get=expect(NOT_FOUND, anon=LOGIN, udp=OK, superuser=OK),
        post=expect(NOT_FOUND, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"code": w.ambito.code, "pk": w.staff_colleague_role.pk},
        data=lambda w: {"role": "operator", "job_title": "Nuova qualifica", "rup_eligible": "on"},
        snapshot=_staff_state,
    ),
    "ambito:role_revoke": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"code": w.ambito.code, "pk": w.staff_colleague_role.pk},
        snapshot=_staff_state,
    ),
    "ambito:staff_invitation_resend": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"code": w.ambito.code, "pk": w.staff_invitation.pk},
        snapshot=_staff_state,
    ),
    "ambito:staff_invitation_revoke": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"code": w.ambito.code, "pk": w.staff_invitation.pk},
        snapshot=_staff_state,
    ),
    # The link of the e-mail: anyone may read it (it explains what to do); only its addressee,
    # logged in with that address, accepts (none of the personas is invitata@example.org).
    "ambito:staff_invitation": Row(
        get=PUBLIC,
        post=expect(FORBIDDEN, anon=LOGIN),
        kwargs=lambda w: {"token": w.staff_invitation.token},
        snapshot=_staff_state,
    ),
    "ambito:audit_log": Row(get=UDP_ONLY),
    "ambito:failed_emails": Row(get=UDP_ONLY),
    "ambito:pec_communications": Row(
        get=expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=OK, superuser=OK)
    ),
    "ambito:pec_receipt_upload": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=NOT_FOUND, superuser=NOT_FOUND),
        kwargs=lambda w: {"code": w.ambito.code, "pk": 0},
        snapshot=_outbox,
    ),
    "ambito:failed_email_resend": Row(
        get=expect(
            FORBIDDEN, anon=LOGIN, udp=NOT_ALLOWED, other_udp=NOT_ALLOWED, superuser=NOT_ALLOWED
        ),
        post=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, other_udp=NOT_FOUND, superuser=REDIRECT),
        snapshot=_outbox,
    ),
    # --- plans (the world's plan is a DRAFT of `ambito`: only its staff see it) ----------
    "plans:list": Row(get=PUBLIC),
    "plans:create": Row(get=UDP_ONLY),
    "plans:detail": Row(get=PLAN_READ),
    "plans:budget": Row(get=PLAN_READ),
    "plans:budget_xlsx": Row(get=PLAN_READ),
    # the interventions' spreadsheet: whoever reads the plan (a draft here: the ambito's staff)
    "plans:interventions_export": Row(get=PLAN_READ),
    "plans:intervention": Row(get=PLAN_READ),
    "plans:version": Row(get=PLAN_READ),
    # No PDF rendered yet in the world: 404 for all (the permission path is plans' own tests).
    "plans:version_pdf": Row(get=expect(NOT_FOUND)),
    "plans:section_edit": Row(get=PLAN_WRITE),
    "plans:funds": Row(get=PLAN_WRITE),
    "plans:source_create": Row(get=PLAN_WRITE),
    "plans:intervention_create": Row(get=PLAN_WRITE),
    "plans:intervention_edit": Row(get=PLAN_WRITE),
    "plans:approve": Row(get=PLAN_WRITE),
    "plans:intervention_delete": Row(
        get=expect(NOT_ALLOWED),
        post=expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=REDIRECT, superuser=REDIRECT),
        snapshot=_plan_state,
    ),
    "plans:open_consultation": Row(
        get=expect(NOT_ALLOWED),
        post=expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=REDIRECT, superuser=REDIRECT),
        snapshot=_plan_state,
    ),
    "plans:start_revision": Row(get=expect(NOT_ALLOWED)),
    "plans:comment_create": Row(get=expect(NOT_ALLOWED)),
    # Needs and services: staff of the ambito (and people of its entities on a public plan).
    "plans:need_create": Row(
        get=PLAN_MAP,
        post=PLAN_MAP_POST,
        data=lambda w: {"title": "Bisogno dal matrix", "area": _area(w)},
        snapshot=_rows(("plans.Need", "title", "entity_id", "recorded_by_id")),
    ),
    "plans:service_create": Row(
        get=PLAN_MAP,
        post=PLAN_MAP_POST,
        data=lambda w: {
            "name": "Servizio dal matrix",
            "area": _area(w),
            "target": "Anziani",
            "run_by": "Cooperativa",
        },
        snapshot=_rows(("plans.Service", "name", "entity_id", "recorded_by_id")),
    ),
    "plans:export": Row(get=expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)),
    "plans:export_status": Row(get=expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)),
    # The world's job is not finished: 404 for all (plans' own tests download a done one).
    "plans:export_download": Row(get=expect(NOT_FOUND, anon=LOGIN)),
    # --- processes ----------------------------------------------------------------------
    "processes:list": Row(get=PUBLIC),
    "processes:create": Row(
        get=UDP_ONLY,
        post=CREATE_POST,
        data=_procedure_data,
        snapshot=_rows(("processes.Procedure", "status", "updated_at")),
    ),
    # The world's `procedure` is still "started": only the staff of its ambito see it.
    "processes:detail": Row(
        get=expect(NOT_FOUND, comune=OK, udp=OK, superuser=OK), kwargs=_pk("procedure")
    ),
    # The applications' spreadsheet: who sees them on the procedure's page. In admission, the RUP
    # only (the staff once the results are out: STATE_ROWS); applicants never, not even their own.
    "processes:applications_export": Row(
        get=expect(FORBIDDEN, anon=LOGIN, udp=OK),
        extra={
            "commissioner": FORBIDDEN,
            "tied_commissioner": FORBIDDEN,
            "rup_colleague": FORBIDDEN,
        },
        kwargs=_pk("admission"),
    ),
    "processes:edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        kwargs=_pk("open_procedure"),
        data=lambda w: {
            **_procedure_data(w),
            "kind": "coprogettazione",
            "budget": "90000",
            "duration_months": "12",
            "declaration_proof": "spid_cie_or_signed",  # frozen: the avviso is published
        },
        snapshot=_rows(("processes.Procedure", "title", "kind", "declaration_proof", "updated_at")),
    ),
    "processes:transition": Row(
        get=POST_ONLY_LOGGED_IN,
        post=AMBITO_UDP_POST,
        data=lambda w: {"target": "ranking_published"},
        snapshot=_rows(("processes.Procedure", "status"), ("processes.Application", "rank")),
    ),
    "processes:cancel": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: {"reason": "Risorse non più disponibili"},
        snapshot=_rows(("processes.Procedure", "status", "cancel_reason")),
    ),
    "processes:reopen": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        kwargs=_pk("admission"),
        data=lambda w: {"until": _future(), "reason": "Poche domande"},
        snapshot=_rows(("processes.WindowReopening", "until")),
    ),
    # The request of the entity that asked to start the procedure: its people and the staff.
    "processes:request_document": Row(
        get=expect(
            FORBIDDEN, anon=LOGIN, delegate=OK, entity_admin=OK, comune=OK, udp=OK, superuser=OK
        )
    ),
    # The trail: staff, the commission and the entities that applied; each sees only the events
    # of what it may see at that moment (tests/security/test_procedure_records.py reads them).
    # `evaluation`: before the ranking, with a draft correction of the avviso (STATE_ROWS below:
    # open for applications, ranking published).
    "processes:audit": Row(
        get=expect(
            FORBIDDEN,
            delegate=OK,
            entity_admin=OK,
            other_entity_admin=OK,
            comune=OK,
            udp=OK,
            superuser=OK,
        ),
        extra={"commissioner": OK, "tied_commissioner": OK, "rup_colleague": OK},
    ),
    "processes:notice_edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: {
            "subject": "Avviso rettificato",
            "requirements": "Iscrizione al RUNTS",
            "deadline": _future(30),
            "admission_threshold": "60",
            "correction_note": "Termine prorogato",
            **_formset(
                "criteria", {"name": "Qualità", "weight": "60"}, {"name": "Rete", "weight": "40"}
            ),
        },
        snapshot=_rows(
            ("processes.Notice", "subject", "deadline"), ("processes.Criterion", "name")
        ),
    ),
    # A draft correction: only who may publish it sees it.
    "processes:notice_detail": Row(
        get=expect(NOT_FOUND, udp=OK, superuser=OK), kwargs=_pk("draft_notice")
    ),
    "processes:notice_publish": Row(
        get=POST_ONLY_LOGGED_IN,
        post=AMBITO_UDP_POST,
        kwargs=_pk("draft_notice"),
        snapshot=_rows(("processes.Notice", "published_at")),
    ),
    "processes:application_start": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(FORBIDDEN, anon=LOGIN, entity_admin=REDIRECT),
        kwargs=_pk("open_procedure"),
        data=lambda w: {"entity": w.entity.pk},
        snapshot=_rows(("processes.Application", "status")),
    ),
    # A draft (STATE_ROWS below: submitted while open, under evaluation, after the ranking).
    "processes:application_detail": Row(
        get=DRAFT_OF_ENTITY,
        post=DRAFT_ADMIN_POST,
        extra=_NONE_OF_THE_EXTRAS,
        extra_post=_NONE_OF_THE_EXTRAS,
        kwargs=_pk("draft_application"),
        data=lambda w: {
            "declarations": _declarations(),
            "proposal": "La nostra proposta",
            **_formset("budget", {"description": "Personale", "amount": "1000"}),
        },
        snapshot=_rows(
            ("processes.Application", "status", "proposal", "declarations", "updated_at"),
            ("processes.BudgetLine", "description"),
        ),
    ),
    "processes:application_withdraw": Row(
        get=POST_ONLY_LOGGED_IN,
        post=DRAFT_ADMIN_POST,
        kwargs=_pk("draft_application"),
        data=lambda w: {"reason": "Errore", "confirm": "on"},
        snapshot=_rows(("processes.Application", "status", "protocol_number", "updated_at")),
    ),
    "processes:application_document_add": Row(
        get=POST_ONLY_LOGGED_IN,
        post=DRAFT_ADMIN_POST,
        kwargs=_pk("draft_application"),
        data=lambda w: {"title": "Bilancio", "file": _pdf("bilancio.pdf")},
        snapshot=_rows(("processes.ApplicationDocument", "title")),
    ),
    "processes:application_document": Row(
        get=CONFIDENTIAL, extra=_EVALUATION_EXTRAS, kwargs=_pk("admitted_document")
    ),
    "processes:application_document_remove": Row(
        get=POST_ONLY_LOGGED_IN,
        post=DRAFT_ADMIN_POST,
        kwargs=_pk("draft_document"),
        snapshot=_rows(("processes.ApplicationDocument", "title")),
    ),
    "processes:application_receipt": Row(
        get=CONFIDENTIAL, extra=_EVALUATION_EXTRAS, kwargs=_pk("admitted_application")
    ),
    "processes:application_decide": Row(
        get=POST_ONLY_LOGGED_IN,
        post=RUP_DECIDES_POST,
        extra_post=_NONE_OF_THE_EXTRAS,
        kwargs=_pk("submitted_application"),
        data=lambda w: {"admitted": "1"},
        snapshot=_rows(("processes.Application", "status", "decided_at")),
    ),
    "processes:integration_request": Row(
        get=POST_ONLY_LOGGED_IN,
        post=RUP_DECIDES_POST,
        extra_post=_NONE_OF_THE_EXTRAS,
        kwargs=_pk("submitted_application"),
        data=lambda w: {"message": "Manca il bilancio", "deadline": _future()},
        snapshot=_rows(
            ("processes.IntegrationRequest", "message"), ("processes.Application", "status")
        ),
    ),
    "processes:integration_answer": Row(
        get=POST_ONLY_LOGGED_IN,
        post=CONFIDENTIAL_ADMIN_POST,
        extra_post=_NONE_OF_THE_EXTRAS,
        kwargs=_pk("integration"),
        data=lambda w: {"answer": "Allegato lo statuto", "title": "Statuto", "file": _pdf()},
        snapshot=_rows(
            ("processes.IntegrationRequest", "answer", "answered_at"),
            ("processes.Application", "status"),
            ("processes.ApplicationDocument", "title"),
        ),
    ),
    # Only a commissioner who declared no conflict and is tied to no applicant of the application
    # scores it: no persona is one, not even the RUP or a superuser (STATE_ROWS: the application
    # of the commissioner's own cooperative).
    "processes:application_score": Row(
        get=SCORING,
        post=SCORING,
        extra=_EVALUATION_EXTRAS,
        extra_post={"rup_colleague": NOT_FOUND},
        kwargs=_pk("admitted_application"),
        data=lambda w: {f"c{c.pk}": "2" for c in w.criteria},
        snapshot=_rows(("processes.Score", "value", "updated_at")),
    ),
    "processes:commission": Row(
        get=expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, superuser=OK),
        extra={"commissioner": OK, "tied_commissioner": OK, "rup_colleague": OK},
        post=AMBITO_UDP_POST,
        extra_post={"commissioner": FORBIDDEN, "tied_commissioner": FORBIDDEN},
        data=lambda w: {"email": w.personas["no_role"].email, "role": "member"},
        snapshot=_rows(("processes.CommissionMember", "user_id", "declared_at")),
    ),
    # Each commissioner declares for themselves: no persona sits on the commission.
    "processes:commission_declare": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(FORBIDDEN, anon=LOGIN),
        kwargs=_pk("admission"),
        data=lambda w: {"no_conflict": "1"},
        snapshot=_rows(("processes.CommissionMember", "user_id", "declared_at")),
    ),
    "processes:commission_remove": Row(
        get=POST_ONLY_LOGGED_IN,
        post=AMBITO_UDP_POST,
        kwargs=_pk("undeclared_member"),
        snapshot=_rows(("processes.CommissionMember", "user_id")),
    ),
    "processes:document_add": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: {
            "kind": "ranking_act",
            "title": "Graduatoria",
            "file": _pdf("graduatoria.pdf"),
        },
        snapshot=_rows(("processes.OutcomeDocument", "title")),
    ),
    # Outcome documents of a public procedure are public (transparency).
    "processes:document": Row(get=PUBLIC, kwargs=_pk("outcome_document")),
    "processes:project_budget": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: _formset(
            "budget",
            {"description": "Personale", "fund": "fnps", "amount": "5000", "entity": w.entity.pk},
        ),
        snapshot=_rows(("processes.ProjectBudgetLine", "description", "amount")),
    ),
    # `approved`: the agreement is still to be recorded (STATE_ROWS: once recorded it is frozen).
    "processes:agreement_edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        kwargs=_pk("approved"),
        data=lambda w: {
            "parties": [w.entity.pk],
            "signed_on": "2026-01-10",
            "starts_on": "2026-02-01",
            "duration_months": "24",
            "resources": "60000",
            "reporting_schedule": "annual",
            "file": _pdf("convenzione.pdf"),
        },
        snapshot=_rows(
            ("processes.Agreement", "duration_months", "resources", "reporting_schedule")
        ),
    ),
    # The signed agreement is published with the procedure.
    "processes:agreement_file": Row(get=PUBLIC, kwargs=_pk("execution")),
    # The agreement's digital signatures: the Ufficio di Piano and the parties' administrators
    # (who upload the signed file); the page names the signers, so nobody else sees it.
    "processes:agreement_sign": Row(
        get=expect(FORBIDDEN, anon=LOGIN, entity_admin=OK, udp=OK, superuser=OK),
        post=expect(FORBIDDEN, anon=LOGIN, entity_admin=REDIRECT, udp=REDIRECT, superuser=REDIRECT),
        kwargs=_pk("execution"),
        data=lambda w: {"signed_file": _signed_agreement(w)},
        snapshot=_rows(("processes.Agreement", "signed_file", "signed_file_at", "fully_signed_at")),
    ),
    "processes:agreement_signed_file": Row(
        get=expect(FORBIDDEN, anon=LOGIN, entity_admin=OK, udp=OK, superuser=OK),
        kwargs=_pk("execution"),
    ),
    # Only the administrators of a party report, and only for their own entity.
    "processes:report_create": Row(
        get=expect(FORBIDDEN, anon=LOGIN, entity_admin=OK),
        post=expect(FORBIDDEN, anon=LOGIN, entity_admin=REDIRECT),
        kwargs=_pk("execution"),
        data=lambda w: {
            "entity": w.entity.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "activities": "Visite domiciliari",
            **_formset(
                "costs",
                {"description": "Carburante", "amount": "80", "document": _pdf("scontrino.pdf")},
            ),
        },
        snapshot=_rows(("processes.Report", "status"), ("processes.ReportCost", "description")),
    ),
    # The Ufficio di Piano reviews; the entity's people read it.
    "processes:report_detail": Row(
        get=ENTITY_AND_STAFF,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=FORBIDDEN,
            entity_admin=FORBIDDEN,
            comune=FORBIDDEN,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        kwargs=_pk("report"),
        data=lambda w: {"accept": "1", "note": "Tutto in ordine"},
        snapshot=_rows(("processes.Report", "status", "reviewed_at")),
    ),
    "processes:report_cost": Row(get=ENTITY_AND_STAFF, kwargs=_pk("report_cost")),
    # Art. 10-bis: the Ufficio di Piano sends the notice and decides; the entity's
    # administrators answer (its delegate and the staff read, 403; the others 404).
    "processes:exclusion_notice_send": Row(
        get=POST_ONLY_LOGGED_IN,
        post=RUP_DECIDES_POST,
        kwargs=_pk("submitted_application"),
        data=lambda w: {"reasons": "Manca il bilancio approvato", "term_days": "10"},
        snapshot=_rows(
            ("processes.ExclusionNotice", "reasons", "outcome"),
            ("processes.Application", "status"),
        ),
    ),
    "processes:exclusion_observations": Row(
        get=POST_ONLY_LOGGED_IN,
        post=CONFIDENTIAL_ADMIN_POST,
        kwargs=_pk("open_exclusion"),
        data=lambda w: {"observations": "Siamo iscritti dal 2024", "file": _pdf("visura.pdf")},
        snapshot=_rows(
            ("processes.ExclusionNotice", "observations", "observations_at"),
            ("processes.ApplicationDocument", "title"),
        ),
    ),
    "processes:exclusion_confirm": Row(
        get=POST_ONLY_LOGGED_IN,
        post=RUP_DECIDES_POST,
        kwargs=_pk("expired_exclusion"),
        data=lambda w: {"motivation": "Nessuna osservazione nel termine: i motivi restano."},
        snapshot=_rows(
            ("processes.ExclusionNotice", "outcome", "motivation"),
            ("processes.Application", "status", "decision_reason"),
        ),
    ),
    "processes:exclusion_withdraw": Row(
        get=POST_ONLY_LOGGED_IN,
        post=RUP_DECIDES_POST,
        kwargs=_pk("expired_exclusion"),
        data=lambda w: {"motivation": "Iscrizione verificata nel RUNTS."},
        snapshot=_rows(
            ("processes.ExclusionNotice", "outcome", "motivation"),
            ("processes.Application", "status"),
        ),
    ),
    # The open list of an accreditamento: its Ufficio di Piano suspends, reinstates, removes.
    "processes:accreditation_change": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        kwargs=_pk("accreditation"),
        data=lambda w: {"kind": "suspended", "reason": "DURC irregolare"},
        snapshot=_rows(
            ("processes.Accreditation", "status"), ("processes.AccreditationEvent", "kind")
        ),
    ),
    # --- participation ------------------------------------------------------------------
    "participation:proposal_list": Row(get=LOGGED_IN),
    # The proposals' spreadsheet: the ambiti's staff and the tables' members (each gets what
    # they may read: tests/participation/test_exports.py); not a citizen seated at no table.
    "participation:proposal_export": Row(get=expect(OK, anon=LOGIN, no_role=FORBIDDEN)),
    # Members of the table (the entity's seat: delegate and substitute) put forward proposals.
    "participation:proposal_create": Row(
        get=expect(FORBIDDEN, anon=LOGIN, delegate=OK, entity_admin=OK),
        post=expect(FORBIDDEN, anon=LOGIN, delegate=REDIRECT, entity_admin=REDIRECT),
        query=lambda w: f"?table={w.proposal_table.pk}",
        data=lambda w: {
            "title": "Trasporto sociale",
            "text": "Un servizio di trasporto per gli anziani.",
            "area": _target_group(),
        },
        snapshot=_rows(("participation.Proposal", "title")),
    ),
    "participation:proposal_detail": Row(get=ENTITY_AND_STAFF),
    # Supported by the other members of its table (not by its author, not by the staff).
    "participation:proposal_support": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=REDIRECT,
            entity_admin=FORBIDDEN,
            comune=FORBIDDEN,
            udp=FORBIDDEN,
            superuser=FORBIDDEN,
        ),
        snapshot=_rows(("participation.ProposalSupport", "user_id")),
    ),
    "participation:proposal_comment": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=REDIRECT,
            entity_admin=REDIRECT,
            comune=FORBIDDEN,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        data=lambda w: {"text": "Sono d'accordo"},
        snapshot=_rows(("participation.ProposalComment", "text")),
    ),
    "participation:proposal_answer": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=FORBIDDEN,
            entity_admin=FORBIDDEN,
            comune=FORBIDDEN,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        data=lambda w: {"status": "accepted", "answer": "La inseriamo nel piano"},
        snapshot=_rows(("participation.Proposal", "status", "answer", "answered_at")),
    ),
    "participation:proposal_attachment": Row(get=ENTITY_AND_STAFF),
    # Citizens' proposals (the world's `ambito` takes them): the public list of the ambito, a new
    # proposal by any registered person, the moderation of the ambito's Ufficio di Piano.
    "participation:public_proposals": Row(get=PUBLIC),
    "participation:citizen_proposal_create": Row(
        get=LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN),
        data=lambda w: {
            "title": "Un centro diurno",
            "text": "Un centro diurno per gli anziani soli.",
            "area": _target_group(),
            "is_public": "on",
        },
        snapshot=_rows(("participation.Proposal", "title")),
    ),
    "participation:participation_settings": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: {"citizen_proposals": "on", "citizen_proposals_need_spid": "on"},
        snapshot=_rows(
            (
                "participation.ParticipationSettings",
                "citizen_proposals",
                "citizen_proposals_need_spid",
            )
        ),
    ),
    "participation:proposal_hide": Row(
        get=POST_ONLY_LOGGED_IN,
        post=MODERATION_POST,
        kwargs=_pk("public_proposal"),
        data=lambda w: {"reason": "Contiene dati personali"},
        snapshot=_rows(("participation.Proposal", "hidden_at", "hidden_reason")),
    ),
    "participation:proposal_restore": Row(
        get=POST_ONLY_LOGGED_IN,
        post=MODERATION_POST,
        kwargs=_pk("hidden_proposal"),
        snapshot=_rows(("participation.Proposal", "hidden_at", "hidden_reason")),
    ),
    "participation:proposal_comment_hide": Row(
        get=POST_ONLY_LOGGED_IN,
        post=MODERATION_POST,
        kwargs=lambda w: {"pk": w.public_proposal.pk, "comment_pk": w.public_comment.pk},
        data=lambda w: {"reason": "Offensivo"},
        snapshot=_rows(("participation.ProposalComment", "hidden_at", "hidden_reason")),
    ),
    "participation:proposal_comment_restore": Row(
        get=POST_ONLY_LOGGED_IN,
        post=MODERATION_POST,
        kwargs=lambda w: {"pk": w.public_proposal.pk, "comment_pk": w.hidden_comment.pk},
        snapshot=_rows(("participation.ProposalComment", "hidden_at", "hidden_reason")),
    ),
    "participation:event_list": Row(get=PUBLIC),
    "participation:event_create": Row(
        get=UDP_ONLY,
        post=CREATE_POST,
        data=_event_data,
        snapshot=_rows(("participation.Event", "title")),
    ),
    # A draft event: hidden, and nobody registers to it (its staff are sent back: closed).
    "participation:event_detail": Row(
        get=DRAFT_CONTENT,
        post=expect(NOT_FOUND, comune=REDIRECT, udp=REDIRECT, superuser=REDIRECT),
        kwargs=_pk("draft_event"),
        data=lambda w: {
            "name": "Anna Bianchi",
            "email": "anna.bianchi@example.org",
            "sessions": [w.draft_event_session.pk],
            "privacy": "on",
        },
        snapshot=_rows(
            ("participation.Registration", "email"), ("participation.Booking", "status")
        ),
    ),
    "participation:event_calendar": Row(get=PUBLIC),
    # The one answer to a registration request (the world's event is published).
    "participation:registration_requested": Row(get=PUBLIC, kwargs=_pk("event")),
    "participation:event_edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=_event_data,
        snapshot=_rows(("participation.Event", "title", "status", "updated_at")),
    ),
    "participation:event_cancel": Row(
        get=expect(NOT_ALLOWED),
        post=expect(FORBIDDEN, anon=NOT_FOUND, udp=REDIRECT, superuser=REDIRECT),
        data=lambda w: {"reason": "Maltempo"},
        snapshot=_rows(("participation.Event", "status")),
    ),
    "participation:session_create": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=_session_data,
        snapshot=_rows(("participation.EventSession", "title")),
    ),
    "participation:session_edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=_session_data,
        snapshot=_rows(("participation.EventSession", "title", "capacity")),
    ),
    "participation:event_registrations": Row(get=EVENT_STAFF),
    "participation:event_export": Row(get=EVENT_STAFF),
    "participation:event_checkin": Row(get=EVENT_STAFF),
    "participation:booking_attendance": Row(
        get=expect(NOT_ALLOWED),
        post=expect(FORBIDDEN, anon=NOT_FOUND, udp=REDIRECT, superuser=REDIRECT),
        data=lambda w: {"present": "1"},
        snapshot=_rows(("participation.Booking", "attended_at")),
    ),
    # The signed link of the e-mails: whoever holds it confirms the address, sees and cancels.
    "participation:registration_manage": Row(
        get=PUBLIC,
        post=expect(REDIRECT),
        snapshot=_rows(("participation.Registration", "cancelled_at")),
    ),
    "participation:news_list": Row(get=PUBLIC),
    **_content_rows("participation:news", "participation.News", _news_data, "draft_news"),
    "participation:library": Row(get=PUBLIC),
    **_content_rows(
        "participation:library", "participation.LibraryItem", _library_data, "draft_library_item"
    ),
    "participation:ambito_charter": Row(get=PUBLIC),
    # The participation analytics of `ambito`: its staff (comune staff read their comune's slice).
    "participation:analytics": Row(get=AMBITO_STAFF),
    "participation:analytics_export": Row(get=AMBITO_STAFF),
    "participation:principles_edit": Row(
        get=AMBITO_UDP,
        post=AMBITO_UDP_POST,
        data=lambda w: {
            **_formset("form", {"order": "1", "title": "Trasparenza", "text": "Tutto è pubblico"}),
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
        },
        snapshot=_rows(("participation.Principle", "title")),
    ),
    # Surveys: `survey` is public and open, `draft_survey` a draft (the ambito's staff only).
    "participation:survey_list": Row(get=PUBLIC),
    "participation:survey_create": Row(
        get=UDP_ONLY,
        post=CREATE_POST,
        data=lambda w: _survey_data(w),
        snapshot=_rows(("participation.Survey", "title")),
    ),
    "participation:survey_detail": Row(
        get=PUBLIC,
        post=expect(REDIRECT, anon=LOGIN),
        data=lambda w: {f"q_{w.survey_question.pk}": "Sì"},
        snapshot=_rows(("participation.Response", "user_id")),
    ),
    "participation:survey_edit": Row(
        get=SURVEY_DRAFT_UDP,
        post={**SURVEY_DRAFT_UDP, "udp": REDIRECT, "superuser": REDIRECT},
        kwargs=_pk("draft_survey"),
        data=lambda w: _survey_data(w),
        snapshot=_rows(("participation.Survey", "title", "updated_at")),
    ),
    "participation:survey_publish": Row(
        get=expect(NOT_ALLOWED),
        post={**SURVEY_DRAFT_UDP, "udp": REDIRECT, "superuser": REDIRECT},
        kwargs=_pk("draft_survey"),
        snapshot=_rows(("participation.Survey", "status")),
    ),
    "participation:survey_close": Row(
        get=expect(NOT_ALLOWED),
        post=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        snapshot=_rows(("participation.Survey", "closes_at")),
    ),
    "participation:survey_results": Row(get=SURVEY_STAFF),
    "participation:survey_export": Row(get=SURVEY_STAFF),
    "participation:news_feed": Row(get=PUBLIC),
    "participation:news_feed_atom": Row(get=PUBLIC),
    "participation:avvisi_feed": Row(get=PUBLIC),
    "participation:avvisi_feed_atom": Row(get=PUBLIC),
    # --- entities (the world's `entity` is verified; `pending_entity` is not) ---------------
    "entities:directory": Row(get=PUBLIC),
    "entities:register": Row(
        get=LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN),
        data=_registration_data,
        snapshot=_entities_state,
    ),
    "entities:detail": Row(
        get=expect(NOT_FOUND, comune=OK, udp=OK, superuser=OK),
        kwargs=lambda w: {"pk": w.pending_entity.pk},
    ),
    "entities:edit": Row(
        get=ENTITY_ADMIN_ONLY,
        post=ENTITY_ADMIN_WRITES,
        data=lambda w: _entity_data(w, volunteers="99"),
        snapshot=_entities_state,
    ),
    "entities:set_status": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"pk": w.entity.pk, "action": "sospendi"},
        data=lambda w: {"reason": "Documenti da aggiornare"},
        snapshot=_entities_state,
    ),
    "entities:members": Row(
        get=expect(
            FORBIDDEN, anon=LOGIN, delegate=OK, entity_admin=OK, comune=OK, udp=OK, superuser=OK
        ),
        post=ENTITY_ADMIN_WRITES,
        data=lambda w: {"email": "nuova.persona@example.org", "role": "delegate"},
        snapshot=_entities_state,
    ),
    "entities:membership_action": Row(
        get=POST_ONLY_LOGGED_IN,
        post=ENTITY_ADMIN_WRITES,
        kwargs=lambda w: {
            "pk": w.entity.pk,
            "membership_pk": w.entity_membership.pk,
            "action": "ruolo",
        },
        data=lambda w: {"role": "admin"},
        snapshot=_entities_state,
    ),
    "entities:invitation_action": Row(
        get=POST_ONLY_LOGGED_IN,
        post=ENTITY_ADMIN_WRITES,
        kwargs=lambda w: {
            "pk": w.entity.pk,
            "invitation_pk": w.entity_invitation.pk,
            "action": "ritira",
        },
        snapshot=_entities_state,
    ),
    # The link of an invitation e-mail: only the invited address (no_role's) may accept it;
    # anyone else is shown why not (200) and nothing changes.
    "entities:invitation": Row(
        get=PUBLIC,
        post=expect(OK, no_role=REDIRECT),
        kwargs=lambda w: {"token": w.entity_invitation.token},
        snapshot=_entities_state,
    ),
    "entities:verification_queue": Row(get=UDP_ONLY),
    # A real file, imported into `ambito` in the background: its Ufficio di Piano and superusers
    # upload it (and are sent to their import's page); another ambito's Ufficio di Piano may not
    # import into `ambito` (and, importing into its own, may not update `entity`:
    # tests/entities/test_import.py). No job is created for a refused persona.
    "entities:import": Row(
        get=UDP_ONLY,
        post=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
        data=_import_upload,
        snapshot=_import_state,
    ),
    # An import's page and its polled status: its author's only (a colleague gets 404 too:
    # tests/entities/test_import_jobs.py); confirming it, the same.
    "entities:import_job": Row(get=_IMPORT_JOB, kwargs=_pk("entity_import_job")),
    "entities:import_job_status": Row(get=_IMPORT_JOB, kwargs=_pk("entity_import_job")),
    "entities:import_confirm": Row(
        get=expect(
            FORBIDDEN, anon=LOGIN, udp=NOT_ALLOWED, other_udp=NOT_ALLOWED, superuser=NOT_ALLOWED
        ),
        post=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, other_udp=NOT_FOUND, superuser=NOT_FOUND),
        kwargs=_pk("entity_import_job"),
        snapshot=_import_state,
    ),  # fmt: skip
    "entities:import_template": Row(get=UDP_ONLY),
    # no_role claims `entity` (world.entity_claim): the claimant and `ambito`'s Ufficio di Piano
    # see the claim, only the Ufficio di Piano decides it, nobody else learns that it exists.
    # Claiming again (no_role) or claiming one's own entity (entity_admin) is a form error.
    "entities:claim": Row(
        get=LOGGED_IN,
        post=expect(REDIRECT, anon=LOGIN, no_role=OK, entity_admin=OK),
        data=_claim_data,
        snapshot=_claims_state,
    ),
    "entities:claim_detail": Row(
        get=expect(NOT_FOUND, anon=LOGIN, no_role=OK, udp=OK, superuser=OK),
        post=expect(NOT_FOUND, anon=LOGIN, no_role=FORBIDDEN, udp=REDIRECT, superuser=REDIRECT),
        kwargs=_pk("entity_claim"),
        data=lambda w: {"decision": "accept", "previous_admins": "delegate", "reason": "Valido."},
        snapshot=_claims_state,
    ),
    "entities:claim_document": Row(
        get=expect(NOT_FOUND, anon=LOGIN, no_role=OK, udp=OK, superuser=OK),
        kwargs=_pk("entity_claim"),
    ),
    "entities:claim_withdraw": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN, no_role=REDIRECT, udp=FORBIDDEN, superuser=FORBIDDEN),
        kwargs=_pk("entity_claim"),
        snapshot=_claims_state,
    ),
    "entities:export": Row(get=STAFF_ONLY),
    # Only the legal representative named on the record, with SPID/CIE proving it in the session
    # (tests/entities/test_legal_representative.py): no persona's account carries that code.
    "entities:take_over": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(NOT_FOUND, anon=LOGIN),
        snapshot=_entities_state,
    ),
    # --- tables (`table` of `ambito`: `entity` sits there, `other_entity` asks to join) -------
    "tables:list": Row(get=PUBLIC),
    "tables:detail": Row(get=PUBLIC),
    "tables:table_feed": Row(get=PUBLIC),
    "tables:calendar": Row(get=LOGGED_IN),
    "tables:personal_feed": Row(get=PUBLIC, kwargs=lambda w: {"token": w.feed_token}),
    # A comune's staff create the concertation tables of their own comune (the kind is fixed,
    # the comune one of theirs: tests/tables/test_concertation.py); this data names no comune,
    # so their form comes back with the error.
    "tables:create": Row(
        get=expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, other_udp=OK, superuser=OK),
        post=expect(
            FORBIDDEN, anon=LOGIN, comune=OK, udp=REDIRECT, other_udp=REDIRECT, superuser=REDIRECT
        ),
        data=_table_data,
        snapshot=_tables_state,
    ),
    "tables:update": Row(
        get=TABLE_MANAGE, post=TABLE_WRITE, data=_table_data, snapshot=_tables_state
    ),
    # `other_table` belongs to `other_ambito`: its own Ufficio di Piano archives it, `ambito`'s not.
    "tables:archive": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(FORBIDDEN, anon=LOGIN, other_udp=REDIRECT, superuser=REDIRECT),
        kwargs=lambda w: {"pk": w.other_table.pk},
        snapshot=_tables_state,
    ),
    "tables:members": Row(
        get=TABLE_MANAGE,
        post=TABLE_WRITE,
        data=lambda w: {
            "kind": "expert",
            "email": "esperta@example.org",
            "first_name": "Elena",
            "last_name": "Esposito",
        },
        snapshot=_tables_state,
    ),
    # the members and attendance spreadsheet: as the members page
    "tables:members_export": Row(get=TABLE_MANAGE),
    # An open table of `ambito` with no members: the administrators of its entities may ask.
    # (the data names `entity`: other_entity_admin gets the form back with an error)
    "tables:join": Row(
        get=expect(FORBIDDEN, anon=LOGIN, entity_admin=OK, other_entity_admin=OK),
        post=expect(FORBIDDEN, anon=LOGIN, entity_admin=REDIRECT, other_entity_admin=OK),
        kwargs=lambda w: {"pk": w.open_table.pk},
        data=lambda w: {
            "entity": w.entity.pk,
            "delegate": w.personas["delegate"].pk,
            "substitute": w.personas["entity_admin"].pk,
            "motivation": "Lavoriamo sul territorio",
        },
        snapshot=_tables_state,
    ),
    "tables:membership_decide": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            other_entity_admin=FORBIDDEN,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        data=lambda w: {"decision": "approve", "reason": "Benvenuti"},
        snapshot=_tables_state,
    ),
    # `entity`'s seat: its administrator (not its delegate) or the managers close it.
    "tables:membership_leave": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=FORBIDDEN,
            entity_admin=REDIRECT,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        kwargs=lambda w: {"pk": w.seat.pk},
        data=lambda w: {"reason": "Fine del progetto"},
        snapshot=_tables_state,
    ),
    "tables:meeting_create": Row(
        get=TABLE_MANAGE, post=TABLE_WRITE, data=_meeting_data, snapshot=_tables_state
    ),
    # `meeting` is in preparation: its pages are the managers' only.
    "tables:meeting_detail": Row(get=DRAFT_READ),
    "tables:meeting_ics": Row(get=DRAFT_READ),
    "tables:meeting_update": Row(
        get=DRAFT_MANAGE, post=DRAFT_WRITE, data=_meeting_data, snapshot=_tables_state
    ),
    "tables:meeting_cancel": Row(
        get=POST_ONLY_LOGGED_IN,
        post=DRAFT_WRITE,
        data=lambda w: {"reason": "Rinviata"},
        snapshot=_tables_state,
    ),
    "tables:meeting_send": Row(
        get=DRAFT_MANAGE, post=DRAFT_WRITE, data=lambda w: {"extra": ""}, snapshot=_tables_state
    ),
    "tables:invitations_panel": Row(get=DRAFT_MANAGE),
    "tables:attachment_add": Row(
        get=POST_ONLY_LOGGED_IN, post=DRAFT_WRITE, data=_attachment_data, snapshot=_tables_state
    ),
    "tables:minutes_share": Row(
        get=POST_ONLY_LOGGED_IN,
        post=DRAFT_WRITE,
        kwargs=lambda w: {"pk": w.meeting.pk},
        snapshot=_tables_state,
    ),
    # `convened` is public; only the delegate is invited; its attachment and shared minutes are
    # for the table's members (delegate, entity_admin) and managers.
    "tables:meeting_rsvp": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(FORBIDDEN, anon=LOGIN, delegate=REDIRECT),
        data=lambda w: {"response": "yes"},
        snapshot=_tables_state,
    ),
    "tables:attendance": Row(
        get=TABLE_MANAGE,
        post=TABLE_WRITE,
        data=lambda w: {f"p{w.invitation.pk}-attendance": "present"},
        snapshot=_tables_state,
    ),
    "tables:invitation_resend": Row(
        get=POST_ONLY_LOGGED_IN, post=TABLE_WRITE, snapshot=_tables_state
    ),
    "tables:attachment_download": Row(
        get=expect(FORBIDDEN, delegate=OK, entity_admin=OK, udp=OK, superuser=OK)
    ),
    "tables:attachment_delete": Row(
        get=POST_ONLY_LOGGED_IN, post=TABLE_WRITE, snapshot=_tables_state
    ),
    "tables:minutes_detail": Row(
        get=expect(NOT_FOUND, delegate=OK, entity_admin=OK, udp=OK, superuser=OK)
    ),
    "tables:minutes_edit": Row(
        get=TABLE_MANAGE, post=TABLE_WRITE, data=_minutes_data, snapshot=_tables_state
    ),
    "tables:minutes_approve": Row(
        get=POST_ONLY_LOGGED_IN, post=TABLE_WRITE, snapshot=_tables_state
    ),
    "tables:minutes_comment": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=REDIRECT,
            entity_admin=REDIRECT,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        data=lambda w: {"body": "Manca il punto sul calendario."},
        snapshot=_tables_state,
    ),
    # `past_meeting`'s minutes are approved, with their PDF: public.
    "tables:minutes_job": Row(get=PUBLIC, kwargs=lambda w: {"pk": w.past_meeting.pk}),
    "tables:minutes_pdf": Row(get=PUBLIC, kwargs=lambda w: {"pk": w.past_meeting.pk}),
    "tables:minutes_regenerate": Row(
        get=POST_ONLY_LOGGED_IN,
        post=TABLE_WRITE,
        kwargs=lambda w: {"pk": w.past_meeting.pk},
        snapshot=_tables_state,
    ),
    # Corrections of `past_meeting`'s approved minutes (a correction is being written): the
    # table's managers only. Its published versions are public, each with its PDF.
    "tables:minutes_correction": Row(
        get=TABLE_MANAGE,
        post=TABLE_WRITE,
        kwargs=lambda w: {"pk": w.past_meeting.pk},
        data=_correction_data,
        snapshot=_tables_state,
    ),
    "tables:minutes_correction_approve": Row(
        get=POST_ONLY_LOGGED_IN,
        post=TABLE_WRITE,
        kwargs=lambda w: {"pk": w.past_meeting.pk},
        snapshot=_tables_state,
    ),
    "tables:minutes_correction_discard": Row(
        get=POST_ONLY_LOGGED_IN,
        post=TABLE_WRITE,
        kwargs=lambda w: {"pk": w.past_meeting.pk},
        snapshot=_tables_state,
    ),
    "tables:minutes_version": Row(
        get=PUBLIC, kwargs=lambda w: {"pk": w.past_meeting.pk, "number": 1}
    ),
    "tables:minutes_version_pdf": Row(
        get=PUBLIC, kwargs=lambda w: {"pk": w.past_meeting.pk, "number": 1}
    ),
    # The e-mail link answers without logging in: whoever holds the signed token.
    "tables:rsvp": Row(
        get=PUBLIC,
        post=expect(REDIRECT),
        kwargs=lambda w: {"token": w.rsvp_token},
        data=lambda w: {"response": "no"},
        snapshot=_tables_state,
    ),
    # --- open data and the read-only API (opendata) -------------------------------------------
    # Every persona reads the public ones alike; what each persona sees of hidden objects (a
    # reserved table, a draft plan, a pending entity...) is walked, object by object and against
    # the pages, by tests/security/test_api_walk.py.
    "opendata:index": Row(get=PUBLIC),
    "opendata:ambito": Row(get=PUBLIC),
    "opendata:catalogue": Row(get=PUBLIC),
    "opendata:download": Row(
        get=PUBLIC, kwargs=lambda w: {"code": w.ambito.code, "dataset": "enti", "fmt": "csv"}
    ),
    "opendata:api_docs": Row(get=PUBLIC),
    "opendata:transparency": Row(get=PUBLIC),
    "opendata:transparency_download": Row(
        get=PUBLIC, kwargs=lambda w: {"code": w.ambito.code, "fmt": "xml"}
    ),
    # the world's procedure of `ambito` is a draft: not published, to anyone
    "opendata:transparency_procedure": Row(
        get=expect(NOT_FOUND),
        kwargs=lambda w: {"code": w.ambito.code, "pk": w.procedure.pk, "fmt": "csv"},
    ),
    "api:api-root": Row(get=PUBLIC),
    "api:schema": Row(get=PUBLIC),
    "api:not_found": Row(get=expect(NOT_FOUND), kwargs=lambda w: {"path": "nulla/"}),
    "api:ambito-list": Row(get=PUBLIC),
    "api:ambito-detail": Row(get=PUBLIC),
    "api:comune-list": Row(get=PUBLIC),
    "api:comune-detail": Row(
        get=PUBLIC, kwargs=lambda w: {"istat_code": w.ambito.lead_comune.istat_code}
    ),
    "api:ente-list": Row(get=PUBLIC),
    "api:ente-detail": Row(get=PUBLIC, kwargs=_pk("entity")),
    "api:tavolo-list": Row(get=PUBLIC),
    "api:tavolo-detail": Row(get=PUBLIC, kwargs=_pk("table")),
    "api:seduta-list": Row(get=PUBLIC),
    "api:seduta-detail": Row(get=PUBLIC, kwargs=_pk("convened")),
    "api:procedimento-list": Row(get=PUBLIC),
    "api:procedimento-detail": Row(get=PUBLIC, kwargs=_pk("ranked")),
    "api:piano-list": Row(get=PUBLIC),
    "api:piano-detail": Row(get=PUBLIC, kwargs=_pk("approved_plan")),
    "api:intervento-list": Row(get=PUBLIC),
    "api:intervento-detail": Row(get=PUBLIC, kwargs=_pk("public_intervention")),
    "api:evento-list": Row(get=PUBLIC),
    "api:evento-detail": Row(get=PUBLIC, kwargs=_pk("event")),
    "api:notizia-list": Row(get=PUBLIC),
    "api:notizia-detail": Row(get=PUBLIC, kwargs=_pk("news")),
}

# --- a table reserved to a co-progettazione (tables.Table.reserved), before the outcome ---------
# `reserved_table` seats `entity` (its delegate; entity_admin as substitute and administrator);
# `other_entity`, excluded from the procedure, sits at the open thematic table. The table, its
# meetings, minutes and attachments are its members', its managers' (the Ufficio di Piano, the
# RUP) and the ambito's staff's: 404 to everyone else, anonymous visitors included (no login
# page reveals it). tests/security/test_reserved_table.py runs these rows like MATRIX's.
RESERVED_SEEN = expect(NOT_FOUND, delegate=OK, entity_admin=OK, comune=OK, udp=OK, superuser=OK)
RESERVED_MANAGED = expect(
    NOT_FOUND,
    anon=LOGIN,
    delegate=FORBIDDEN,
    entity_admin=FORBIDDEN,
    comune=FORBIDDEN,
    udp=OK,
    superuser=OK,
)


def _reserved(attr: str) -> Callable[[Any], dict[str, Any]]:
    return _pk(f"reserved_{attr}")


RESERVED_TABLE: dict[str, Row] = {
    "tables:detail": Row(get=RESERVED_SEEN, kwargs=_reserved("table")),
    "tables:table_feed": Row(get=RESERVED_SEEN, kwargs=_reserved("table")),
    # closed to requests to join, even for who sees it
    "tables:join": Row(
        get=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=FORBIDDEN,
            entity_admin=FORBIDDEN,
            comune=FORBIDDEN,
            udp=FORBIDDEN,
            superuser=FORBIDDEN,
        ),
        kwargs=_reserved("table"),
    ),
    "tables:members": Row(get=RESERVED_MANAGED, kwargs=_reserved("table")),
    "tables:members_export": Row(get=RESERVED_MANAGED, kwargs=_reserved("table")),
    "tables:meeting_create": Row(get=RESERVED_MANAGED, kwargs=_reserved("table")),
    "tables:meeting_detail": Row(get=RESERVED_SEEN, kwargs=_reserved("past")),
    "tables:meeting_ics": Row(get=RESERVED_SEEN, kwargs=_reserved("upcoming")),
    # the documents of a meeting: its members and managers (the comune's staff see the meeting)
    "tables:attachment_download": Row(
        get=expect(NOT_FOUND, delegate=OK, entity_admin=OK, comune=FORBIDDEN, udp=OK, superuser=OK),
        kwargs=_reserved("attachment"),
    ),
    "tables:minutes_detail": Row(get=RESERVED_SEEN, kwargs=_reserved("past")),
    "tables:minutes_job": Row(get=RESERVED_SEEN, kwargs=_reserved("past")),
    "tables:minutes_pdf": Row(get=RESERVED_SEEN, kwargs=_reserved("past")),
    # observations on the shared minutes: the members and the managers
    "tables:minutes_comment": Row(
        get=POST_ONLY_LOGGED_IN,
        post=expect(
            NOT_FOUND,
            anon=LOGIN,
            delegate=REDIRECT,
            entity_admin=REDIRECT,
            udp=REDIRECT,
            superuser=REDIRECT,
        ),
        kwargs=_reserved("upcoming"),
        data=lambda w: {"body": "Manca il piano economico."},
        snapshot=_tables_state,
    ),
    # the procedure's page is public: it names the reserved table only to who may open it
    "processes:detail": Row(get=PUBLIC, kwargs=_reserved("procedure")),
}

# The same URL in other states of its object: URL name -> {state: Row}. Each is requested like a
# row of MATRIX (GET as every persona, refused POSTs change nothing), with its own `kwargs`.
_RANKED_EXTRAS = {"commissioner": NOT_FOUND, "tied_commissioner": NOT_FOUND, "rup_colleague": OK}
_TIED = expect(NOT_FOUND, anon=LOGIN, udp=OK)  # the tied commissioner's cooperative applied
STATE_ROWS: dict[str, dict[str, Row]] = {
    "processes:applications_export": {
        "ranking published": Row(
            get=expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, superuser=OK),
            kwargs=_pk("ranked"),
        ),
    },
    "processes:audit": {
        "open for applications (entity: a draft; other entity: submitted)": Row(
            get=expect(FORBIDDEN, other_entity_admin=OK, comune=OK, udp=OK, superuser=OK),
            extra={"commissioner": FORBIDDEN, "tied_commissioner": FORBIDDEN, "rup_colleague": OK},
            kwargs=_pk("open_procedure"),
        ),
        "ranking published": Row(
            get=expect(
                FORBIDDEN,
                delegate=OK,
                entity_admin=OK,
                other_entity_admin=OK,
                comune=OK,
                udp=OK,
                superuser=OK,
            ),
            extra={"commissioner": FORBIDDEN, "tied_commissioner": FORBIDDEN, "rup_colleague": OK},
            kwargs=_pk("ranked"),
        ),
    },
    # The page shows the proposal, partners, budget lines, documents and receipt link.
    "processes:application_detail": {
        "submitted while the avviso is open": Row(
            get=expect(NOT_FOUND, anon=LOGIN, other_entity_admin=OK, udp=OK),
            extra=_NONE_OF_THE_EXTRAS,
            kwargs=_pk("open_submitted"),
        ),
        "under evaluation": Row(
            get=CONFIDENTIAL, extra=_EVALUATION_EXTRAS, kwargs=_pk("admitted_application")
        ),
        "under evaluation, of the tied commissioner's cooperative": Row(
            get=_TIED,
            extra={"commissioner": OK, "tied_commissioner": OK, "rup_colleague": NOT_FOUND},
            kwargs=_pk("applicant_application"),
        ),
        "ranking published": Row(
            get=AFTER_RESULTS, extra=_RANKED_EXTRAS, kwargs=_pk("ranked_application")
        ),
        "ranking published, excluded": Row(
            get=expect(
                NOT_FOUND, anon=LOGIN, other_entity_admin=OK, comune=OK, udp=OK, superuser=OK
            ),
            extra=_RANKED_EXTRAS,
            kwargs=_pk("ranked_other"),
        ),
    },
    "processes:application_document": {
        "draft": Row(get=DRAFT_OF_ENTITY, kwargs=_pk("draft_document")),
        "under evaluation, of the tied commissioner's cooperative": Row(
            get=_TIED,
            extra={"commissioner": OK, "tied_commissioner": OK, "rup_colleague": NOT_FOUND},
            kwargs=_pk("applicant_document"),
        ),
        "ranking published": Row(
            get=AFTER_RESULTS, extra=_RANKED_EXTRAS, kwargs=_pk("ranked_document")
        ),
    },
    "processes:application_receipt": {
        "under evaluation, of the tied commissioner's cooperative": Row(
            get=_TIED,
            extra={"commissioner": OK, "tied_commissioner": OK, "rup_colleague": NOT_FOUND},
            kwargs=_pk("applicant_application"),
        ),
        "ranking published": Row(
            get=AFTER_RESULTS, extra=_RANKED_EXTRAS, kwargs=_pk("ranked_application")
        ),
    },
    # The tied commissioner never scores her own cooperative's application.
    "processes:application_score": {
        "of the tied commissioner's cooperative": Row(
            get=expect(NOT_FOUND, anon=LOGIN, udp=FORBIDDEN),
            post=expect(NOT_FOUND, anon=LOGIN, udp=FORBIDDEN),
            extra={"commissioner": OK, "tied_commissioner": FORBIDDEN, "rup_colleague": NOT_FOUND},
            extra_post={"tied_commissioner": FORBIDDEN, "rup_colleague": NOT_FOUND},
            kwargs=_pk("applicant_application"),
            data=lambda w: {f"c{c.pk}": "10" for c in w.criteria},
            snapshot=_rows(("processes.Score", "value", "updated_at")),
        ),
    },
    # A citizen's public proposal: read by everyone; supported by registered people but its
    # author, commented on by all of them.
    "participation:proposal_detail": {
        "public": Row(get=PUBLIC, kwargs=_pk("public_proposal")),
        "public, hidden by the moderation": Row(get=PUBLIC, kwargs=_pk("hidden_proposal")),
    },
    "participation:proposal_support": {
        "public": Row(
            get=POST_ONLY_LOGGED_IN,
            post=expect(REDIRECT, anon=LOGIN, no_role=FORBIDDEN),
            kwargs=_pk("public_proposal"),
            snapshot=_rows(("participation.ProposalSupport", "user_id")),
        ),
        "public, hidden by the moderation": Row(
            get=POST_ONLY_LOGGED_IN,
            post=expect(FORBIDDEN, anon=LOGIN),
            kwargs=_pk("hidden_proposal"),
            snapshot=_rows(("participation.ProposalSupport", "user_id")),
        ),
    },
    "participation:proposal_comment": {
        "public, hidden by the moderation": Row(
            get=POST_ONLY_LOGGED_IN,
            post=expect(FORBIDDEN, anon=LOGIN),
            kwargs=_pk("hidden_proposal"),
            data=lambda w: {"text": "Sono d'accordo"},
            snapshot=_rows(("participation.ProposalComment", "text")),
        ),
    },
    # A recorded agreement is frozen: its page sends the Ufficio di Piano back with a message.
    "processes:agreement_edit": {
        "agreement already recorded": Row(
            get=expect(FORBIDDEN, anon=LOGIN, udp=REDIRECT, superuser=REDIRECT),
            kwargs=_pk("execution"),
        ),
    },
}

# A comune's concertation table (Table.Kind.CONCERTATION): the `comune` persona's staff run the
# one of their own comune, as the Ufficio di Piano does; another comune's stays closed to them.
_OWN_COMUNE_READ = expect(FORBIDDEN, anon=LOGIN, comune=OK, udp=OK, superuser=OK)
_OWN_COMUNE_WRITE = expect(FORBIDDEN, anon=LOGIN, comune=REDIRECT, udp=REDIRECT, superuser=REDIRECT)
_MEMBER_DATA = MATRIX["tables:members"].data
for _name, _data in (
    ("tables:update", _table_data),
    ("tables:members", _MEMBER_DATA),
    ("tables:meeting_create", _meeting_data),
):
    STATE_ROWS.setdefault(_name, {}).update(
        {
            "concertation table of the comune persona's comune": Row(
                get=_OWN_COMUNE_READ,
                post=_OWN_COMUNE_WRITE,
                kwargs=_pk("own_concertation"),
                data=_data,
                snapshot=_tables_state,
            ),
            "concertation table of another comune": Row(
                get=TABLE_MANAGE,
                post=TABLE_WRITE,
                kwargs=_pk("other_concertation"),
                data=_data,
                snapshot=_tables_state,
            ),
        }
    )

# URL-name prefix -> attribute of the world whose pk fills `pk` (longest prefix wins).
PK_SOURCES: dict[str, str] = {
    "ambito:failed_email": "failed_email",
    "entities:": "entity",
    "tables:meeting_create": "table",  # /tavoli/<table>/sedute/nuova/
    "tables:meeting": "meeting",
    "tables:invitations_panel": "meeting",
    "tables:attachment_add": "meeting",
    "tables:meeting_rsvp": "convened",
    "tables:attendance": "convened",
    "tables:minutes": "convened",
    "tables:attachment": "attachment",
    "tables:invitation_resend": "invitation",
    "tables:membership": "join_request",
    "tables:": "table",
    "processes:": "evaluation",
    "participation:proposal": "table_proposal",
    "participation:event": "event",
    "participation:session": "event",
    "participation:booking": "event",
    "participation:news": "news",
    "participation:library": "library_item",
    "participation:survey": "survey",
    "plans:": "plan",
}

# kwarg name -> value taken from the world (kwargs other than `pk`).
KWARG_SOURCES: dict[str, Callable[[Any], Any]] = {
    "code": lambda w: w.ambito.code,
    "ambito_code": lambda w: w.ambito.code,
    "slug": lambda w: w.table.slug,
    "entity_pk": lambda w: w.entity.pk,
    "table_pk": lambda w: w.table.pk,
    "meeting_pk": lambda w: w.meeting.pk,
    "procedure_pk": lambda w: w.procedure.pk,
    "application_pk": lambda w: w.application.pk,
    "proposal_pk": lambda w: w.proposal.pk,
    "job_pk": lambda w: w.plan_job.pk,  # only plans/ has job URLs so far
    "intervention_pk": lambda w: w.intervention.pk,
    "section_pk": lambda w: w.section.pk,
    "number": lambda w: 1,
    "attachment_pk": lambda w: w.proposal_attachment.pk,
    "comment_pk": lambda w: w.public_comment.pk,
    "session_pk": lambda w: w.event_session.pk,
    "booking_pk": lambda w: w.booking.pk,
    "token": lambda w: w.registration_token,
    "fmt": lambda w: "csv",
    "membership_pk": lambda w: w.entity_membership.pk,
    "invitation_pk": lambda w: w.entity_invitation.pk,
}

# Route prefixes of third-party URLs: every persona must get a non-5xx answer (GET).
PREFIX_RULES: dict[str, str] = {
    "admin/": "Django admin, wrapped by allauth's secure_admin_login (test_login.py)",
    "account/": "django-allauth: login, sign-up, password reset, MFA, sessions (test_login.py)",
}


# --- the same URL on another object of the world ---------------------------------------------
# {label: (URL name, Row)}: rows for URLs already in MATRIX, requested on another object (the
# row's `kwargs` name it). test_permission_matrix.py runs them as it runs MATRIX's rows.
FROZEN = expect(FORBIDDEN, anon=LOGIN, udp=CONFLICT, superuser=CONFLICT)
_past = {"kwargs": lambda w: {"pk": w.past_meeting.pk}, "snapshot": _tables_state}


def _frozen_meeting_data(w, **agenda):
    """Valid MeetingForm data for `past_meeting`, with its agenda (or the one given)."""
    meeting = w.past_meeting
    from django.utils import timezone

    data = {
        "title": "Titolo cambiato dopo l'approvazione",
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(meeting.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "place": "Sala Verdi",
    }
    rows = agenda.get("rows") or [
        {"id": a.pk, "title": a.title} for a in meeting.agenda_items.all()
    ]
    return {**data, **_formset("agenda", *rows)}


MORE_ROWS: dict[str, tuple[str, Row]] = {
    # Approved minutes freeze `past_meeting`'s record: every write on it is refused to everyone,
    # its managers included (409, with the reason and the way to a correction), nothing changes.
    "attendance of a meeting with approved minutes": (
        "tables:attendance",
        Row(
            get=FROZEN,
            post=FROZEN,
            data=lambda w: {f"p{w.frozen_invitation.pk}-attendance": "absent"},
            **_past,
        ),
    ),
    "data of a meeting with approved minutes": (
        "tables:meeting_update",
        Row(get=FROZEN, post=FROZEN, data=_frozen_meeting_data, **_past),
    ),
    "agenda of a meeting with approved minutes (rewritten: decisions would go)": (
        "tables:meeting_update",
        Row(
            get=FROZEN,
            post=FROZEN,
            data=lambda w: _frozen_meeting_data(w, rows=[{"title": "Un punto nuovo"}]),
            **_past,
        ),
    ),
    "attachment added to a meeting with approved minutes": (
        "tables:attachment_add",
        Row(get=POST_ONLY_LOGGED_IN, post=FROZEN, data=_attachment_data, **_past),
    ),
    "attachment deleted from a meeting with approved minutes": (
        "tables:attachment_delete",
        Row(
            get=POST_ONLY_LOGGED_IN,
            post=FROZEN,
            kwargs=lambda w: {"pk": w.frozen_attachment.pk},
            snapshot=_tables_state,
        ),
    ),
    "text of approved minutes": (
        "tables:minutes_edit",
        Row(
            get=FROZEN,
            post=FROZEN,
            data=lambda w: {
                "chair": "Giulia Rossi",
                "secretary": "Paolo Neri",
                "introduction": "Riscritta",
                **{f"a{a.pk}-decisions": "Cambiata" for a in w.past_meeting.agenda_items.all()},
            },
            **_past,
        ),
    ),
    "cancellation of a meeting with approved minutes": (
        "tables:meeting_cancel",
        Row(get=POST_ONLY_LOGGED_IN, post=FROZEN, data=lambda w: {"reason": "x"}, **_past),
    ),
    "invitations to a meeting with approved minutes": (
        "tables:meeting_send",
        Row(
            get=FROZEN,
            post=FROZEN,
            data=lambda w: {"extra": "nuovo@example.org"},
            **_past,
        ),
    ),
    # A correction being written is not public: only published versions are.
    "a correction in preparation, as a version": (
        "tables:minutes_version",
        Row(get=expect(NOT_FOUND), kwargs=lambda w: {"pk": w.past_meeting.pk, "number": 2}),
    ),
    # Draft minutes of a meeting held: its managers only, not the table's members (delegate,
    # entity_admin) nor anyone else, and not even their existence (404).
    "draft minutes of a meeting held": (
        "tables:minutes_detail",
        Row(
            get=expect(NOT_FOUND, udp=OK, superuser=OK),
            kwargs=lambda w: {"pk": w.draft_minutes_meeting.pk},
        ),
    ),
}
