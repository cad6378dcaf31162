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
   by the longest matching URL-name prefix in PK_SOURCES ("processes:application" -> the
   application, "processes:" -> the procedure); other kwargs (slug, code, token, uidb36, ...)
   through KWARG_SOURCES. A row may also give `kwargs=lambda w: {...}` to choose explicitly
   (e.g. the other ambito's table, to prove a 404). Add the objects the app needs to world.py
   (use the app's factories).
4. Write actions: give `post` (statuses), `data=lambda w: {...}` (VALID data: a refusal must come
   from permissions, not from the form) and `snapshot=lambda w: ...` (counts and updated_at of
   what the action would change). The test POSTs as every persona whose `post` status is a
   refusal (LOGIN, 403, 404, 405) and asserts the snapshot did not change. Personas allowed to
   write are exercised by the app's own tests.
5. URLs of third-party apps are covered by PREFIX_RULES (allauth under /account/, the admin):
   every persona gets no 5xx there; their security is tested in test_login.py.

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
REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED}


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
    query: str = ""  # appended to the URL (e.g. "?q=ab")


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


# Visible to the ambito's staff (comune included), 404 to everyone else (not even a login page).
PLAN_READ = expect(NOT_FOUND, comune=OK, udp=OK, superuser=OK)
# Changed by the Ufficio di Piano only; comune staff read it (403); others do not see it (404).
PLAN_WRITE = expect(NOT_FOUND, anon=LOGIN, comune=FORBIDDEN, udp=OK, superuser=OK)
PLAN_MAP = expect(OK, anon=LOGIN, no_role=NOT_FOUND, other_udp=NOT_FOUND)

MATRIX: dict[str, Row] = {
    # --- core ---------------------------------------------------------------------------
    "core:home": Row(get=PUBLIC),
    "core:my_area": Row(get=LOGGED_IN),
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
    "ambito:detail": Row(get=PUBLIC),
    "ambito:audit_log": Row(get=UDP_ONLY),
    "ambito:failed_emails": Row(get=UDP_ONLY),
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
    # Needs and services: staff of the ambito and people of its entities.
    "plans:need_create": Row(get=PLAN_MAP),
    "plans:service_create": Row(get=PLAN_MAP),
    "plans:export": Row(get=expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)),
    "plans:export_status": Row(get=expect(NOT_FOUND, anon=LOGIN, comune=OK, udp=OK, superuser=OK)),
    # The world's job is not finished: 404 for all (plans' own tests download a done one).
    "plans:export_download": Row(get=expect(NOT_FOUND, anon=LOGIN)),
    # --- entities, tables, processes, participation: add rows after the merge ------------
}

# URL-name prefix -> attribute of the world whose pk fills `pk` (longest prefix wins).
PK_SOURCES: dict[str, str] = {
    "ambito:failed_email": "failed_email",
    "entities:": "entity",
    "tables:meeting": "meeting",
    "tables:": "table",
    "processes:application": "application",
    "processes:": "procedure",
    "participation:": "proposal",
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
}

# Apps merged into main whose rows are still to be written (by the lead, after the merge of
# 2026-11-23). Until its prefix is removed from here, every URL of such an app is requested by
# every persona with placeholder kwargs and must not answer 5xx (test_pending_urls_never_fail);
# test_every_url_is_declared ignores them. Write the rows, then delete the prefix.
PENDING_PREFIXES: dict[str, str] = {
    "entities:": "rows to write: directory/detail public, edit/members by entity admin, queue by UdP",
    "tables:": "rows to write: join (POST), RSVP, meetings, minutes, attachments",
    "participation:": "rows to write: proposals, events, bookings, news, library, feeds",
    "processes:": "rows to write: procedures, applications (POST), evaluation",
}

# Route prefixes of third-party URLs: every persona must get a non-5xx answer (GET).
PREFIX_RULES: dict[str, str] = {
    "admin/": "Django admin, wrapped by allauth's secure_admin_login (test_login.py)",
    "account/": "django-allauth: login, sign-up, password reset, MFA, sessions (test_login.py)",
}
