"""The pages the benchmark measures: one row per page a user meets.

Each Page names a URL (namespace:name), how to build its kwargs from the seeded data (a function
of `Refs`, which finds the personas' objects), the roles that load it, and whether it is part of
the load-test mix. A page whose URL name does not exist yet is reported as "not available"; one
whose data the seed does not create yet is reported as "no data". Adding a page after a feature
lands is one row here (and, if it needs new data, a few lines in that app's bench.py).

Roles are the personas of core/bench.py: "anonymous" (no login), "citizen", "coordinator"
(Ufficio di Piano), "operator", "comune" (comune staff), "entity_admin", "entity_delegate".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

ALL = ("anonymous", "citizen", "entity_admin", "comune", "coordinator")
LOGGED_IN = ("citizen", "entity_admin", "comune", "coordinator")
STAFF = ("coordinator", "operator")


class Refs:
    """The seeded objects the pages are about, found from the personas (never by position, so
    the same objects are chosen at every scale). Each property is None when it does not exist."""

    def persona(self, role: str):
        from core.bench import persona_email
        from core.models import User

        return User.objects.filter(email=persona_email(role)).first()

    @cached_property
    def ambito(self):
        from ambito.models import Ambito

        return Ambito.objects.filter(staff_roles__user__email="coordinator@bench.invalid").first()

    @cached_property
    def entity(self):
        from entities.models import Entity

        return Entity.objects.filter(
            memberships__user__email="entity_admin@bench.invalid", memberships__role="admin"
        ).first()

    @cached_property
    def table(self):
        from tables.models import Table

        return Table.objects.filter(coordinators__email="coordinator@bench.invalid").first()

    @cached_property
    def meeting(self):
        table = self.table
        return table and table.meetings.order_by("starts_at", "pk").first()

    @cached_property
    def procedure(self):
        from processes.models import Procedure

        entity = self.entity
        return (
            entity and Procedure.objects.filter(applications__entity=entity).order_by("pk").first()
        )

    @cached_property
    def application(self):
        procedure = self.procedure
        return procedure and procedure.applications.filter(entity=self.entity).first()

    @cached_property
    def proposal(self):
        from participation.models import Proposal

        table = self.table
        return table and Proposal.objects.filter(table=table).order_by("pk").first()

    @cached_property
    def event(self):
        from django.utils import timezone

        from participation.models import Event

        return (
            self.ambito
            and Event.objects.filter(ambito=self.ambito, starts_at__gte=timezone.now())
            .order_by("starts_at", "pk")
            .first()
        )

    @cached_property
    def plan(self):
        try:
            from plans.models import Plan
        except ImportError:
            return None
        return self.ambito and Plan.objects.filter(ambito=self.ambito).order_by("pk").first()


def pk_of(attr: str) -> Callable[[Refs], dict | None]:
    def build(refs: Refs) -> dict | None:
        obj = getattr(refs, attr)
        return {"pk": obj.pk} if obj is not None else None

    return build


def no_kwargs(refs: Refs) -> dict:
    return {}


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    kwargs: Callable[[Refs], dict | None] = no_kwargs
    roles: tuple[str, ...] = ALL
    query: str = ""  # query string, without "?"
    load: bool = True  # part of the load-test mix (as the first role in `roles`)
    load_role: str = ""  # the role the load test uses (default: the first of `roles`)
    # measured alone against the bare view (throughput): pages of the mix, and every public
    # page (with and without the page cache); False for machine endpoints (API, open data)
    alone: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def role_for_load(self) -> str:
        return self.load_role or self.roles[0]

    @property
    def measured_alone(self) -> bool:
        return self.alone and (self.load or self.role_for_load == "anonymous")


PAGES: list[Page] = [
    Page("home", "core:home"),
    Page("my area", "core:my_area", roles=LOGGED_IN),
    Page("notifications", "core:notifications", roles=LOGGED_IN, load=False),
    Page("ambiti", "ambito:list"),
    Page("ambito", "ambito:detail", lambda r: r.ambito and {"code": r.ambito.code}),
    # entities (feat/entities)
    Page("directory", "entities:directory"),
    Page("directory search", "entities:directory", query="q=solidariet%C3%A0", load=False),
    Page("entity", "entities:detail", pk_of("entity")),
    Page("entity members", "entities:members", pk_of("entity"), roles=("entity_admin",)),
    Page("verification queue", "entities:verification_queue", roles=STAFF, load=False),
    # tables (feat/tables)
    Page("tables", "tables:list"),
    Page("table", "tables:detail", pk_of("table")),
    Page("table members", "tables:members", pk_of("table"), roles=("coordinator",), load=False),
    Page("meeting", "tables:meeting_detail", pk_of("meeting")),
    Page("minutes", "tables:minutes_detail", pk_of("meeting"), load=False),
    # processes (feat/processes)
    Page("procedures", "processes:list"),
    Page("procedure", "processes:detail", pk_of("procedure")),
    Page(
        "application",
        "processes:application_detail",
        pk_of("application"),
        roles=("entity_admin", "coordinator"),
    ),
    # participation (feat/participation)
    Page("proposals", "participation:proposal_list", roles=LOGGED_IN),
    Page(
        "proposal",
        "participation:proposal_detail",
        pk_of("proposal"),
        roles=("entity_admin", "comune", "coordinator"),
    ),
    Page("events", "participation:event_list", load=False),
    Page("event", "participation:event_detail", pk_of("event")),
    Page("news", "participation:news_list", load=False),
    # plans (feat/plans)
    Page("plans", "plans:list"),
    Page("plan", "plans:detail", pk_of("plan")),
    Page("plan budget", "plans:budget", pk_of("plan")),
    Page("plan funds", "plans:funds", pk_of("plan"), roles=STAFF, load=False),
    # global search (core.search): timed with the directory's searches below (SEARCHES)
    Page("global search", "core:search", query="q=servizi", load=False, alone=False),
    # open data and the read-only API (opendata/): query counts must not grow with the data
    Page(
        "open data",
        "opendata:ambito",
        lambda r: r.ambito and {"code": r.ambito.code},
        roles=("anonymous",),
        load=False,
        alone=False,
    ),
    Page(
        "DCAT catalogue",
        "opendata:catalogue",
        lambda r: r.ambito and {"code": r.ambito.code},
        roles=("anonymous",),
        load=False,
        alone=False,
    ),
    Page("API: entities", "api:ente-list", load=False, alone=False),
    Page("API: procedures", "api:procedimento-list", load=False, alone=False),
    Page("API: procedure", "api:procedimento-detail", pk_of("procedure"), load=False, alone=False),
    Page("API: meetings", "api:seduta-list", load=False, alone=False),
    Page("API: plan", "api:piano-detail", pk_of("plan"), load=False, alone=False),
]

# Directory search and filters, and the global search (/cerca/), timed at the larger scale
# (goal: p95 < 100 ms on PostgreSQL). (label, url name, query string); the filter names are
# those of entities/filters.py; the seeded rows' words are in each app's bench.py.
SEARCHES: list[tuple[str, str, str]] = [
    ("directory, no filter", "entities:directory", ""),
    ("directory, text search", "entities:directory", "q=solidariet%C3%A0"),
    ("directory, text search (tax code)", "entities:directory", "q=90000004242"),
    ("directory, legal form", "entities:directory", "forma=odv"),
    ("directory, activity", "entities:directory", "attivita=a"),
    ("directory, text + legal form, page 3", "entities:directory", "q=bench&forma=aps&page=3"),
    ("global search, a common word", "core:search", "q=servizi"),
    ("global search, word forms", "core:search", "q=servizio+prossimit%C3%A0"),
    ("global search, a name", "core:search", "q=Tavolo+00042"),
    ("global search, one kind, page 2", "core:search", "q=seduta&tipo=sedute&page=2"),
    ("global search, nothing found", "core:search", "q=zzzqqq"),
]
