"""Extension points ("slots") that let a lower layer show or use what higher layers provide
without importing them (ARCHITECTURE.md: the arrows run one way).

Every slot is declared once, in SLOTS below, with its contract: the arguments its functions
take, what they return, and the page (or the core function) that uses what they return.
An app fills slots from its `contributions.py`, in a `register()` function that its
AppConfig.ready() calls:

    # tables/contributions.py
    def register() -> None:
        registry.add("entity_profile", "tables", 20, _entity_profile)
        registry.add("personal_data", "tables", 0, services.export_personal_data)

    # tables/apps.py
    def ready(self) -> None:
        from tables import contributions

        contributions.register()

`add()` into a slot not declared here raises ImproperlyConfigured at startup, and so does a
function whose parameters do not fit the slot's arguments; tests/core/test_registry.py fails if
a declared slot is rendered by no page or filled by no app.

A page shows a block slot with the `registry_blocks` template tag (core/templatetags/registry.py):
`{% load registry %}{% registry_blocks "entity_profile" entity %}` calls each function with the
request and the arguments, in order, and includes each template it returns with `section` set to
the returned dict. Functions that show nothing return None."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Block = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Slot:
    """The contract of one slot: the arguments its functions take (None: an object, not a
    function), what they return, and who uses it (a block slot: the page that renders it)."""

    args: tuple[str, ...] | None
    returns: str
    used_by: str
    blocks: bool = True  # a page renders what it returns (False: a core function uses it)


SLOTS: dict[str, Slot] = {
    # --- blocks shown on pages (functions return (template_name, context) or None) ---------------
    "home": Slot(("request",), "block", "core/home.html (core:home)"),
    "my_area": Slot(("request",), "block", "core/my_area.html (core:my_area)"),
    "privacy_page": Slot(
        ("request",), "block: the data controllers", "core/privacy.html (core:privacy)"
    ),
    "entity_profile": Slot(
        ("request", "entity"), "block", "entities/detail.html (entities:detail)"
    ),
    "table_page": Slot(("request", "table"), "block", "tables/table_detail.html (tables:detail)"),
    "procedure_page": Slot(
        ("request", "procedure"), "block", "processes/procedure_detail.html (processes:detail)"
    ),
    "proposal_page": Slot(
        ("request", "proposal"),
        "block",
        "participation/proposal_detail.html (participation:proposal_detail)",
    ),
    "ambito_page": Slot(
        ("request", "ambito"), "block", "ambito/ambito_detail.html (ambito:detail)"
    ),
    "ambito_card": Slot(
        ("request", "ambiti"),
        "{ambito.pk: block} for the ambiti it shows something of (render_each: one call for "
        "all the ambiti, constant queries)",
        "ambito/sections/region.html, the region's home (ambito.views.ambito_list)",
    ),
    "region_funds": Slot(
        ("request", "ambiti"),
        "block: the Mappafondo of every ambito together",
        "ambito/region_page.html (ambito.views.region_funds)",
    ),
    "region_directory": Slot(
        ("request", "ambiti"),
        "block: the Third Sector bodies of every ambito",
        "ambito/region_page.html (ambito.views.region_directory)",
    ),
    # --- hooks used by core's services (sorted by name) ----------------------------------------
    "search": Slot(
        None,
        "a core.search.SearchProvider (registered under its kind and order): the rows a user "
        "may open that match a term, and how one reads in the results",
        "core.views.search (the global search)",
        blocks=False,
    ),
    "personal_data": Slot(
        ("user",),
        "JSON-able data the app holds about the user (GDPR art. 15/20)",
        "core.views.personal_data (the JSON a user downloads)",
        blocks=False,
    ),
    "erase_personal_data": Slot(
        ("user",),
        "the rows whose description names the person, deleted or kept; the function removes or "
        "pseudonymises what the app holds, keeping what the law requires (it runs before the "
        "user row is anonymised, so it still reads the real address); their audit events are "
        "then described by kind and number (core.audit.pseudonymise)",
        "core.services account deletion (GDPR art. 17)",
        blocks=False,
    ),
    "retention": Slot(
        ("now",),
        "how many rows went: the function deletes (or anonymises) what is past one retention "
        "period the privacy page states",
        "core.retention.apply (nightly, core.tasks.apply_retention)",
        blocks=False,
    ),
    "confidential_audit": Slot(
        ("user",),
        "a Q of the audit events `user` may not read (records an app keeps confidential, such "
        "as applications before a ranking)",
        "ambito.staff_views (the ambito's audit log leaves them out)",
        blocks=False,
    ),
}


@dataclass(frozen=True)
class Registered:
    order: int
    name: str
    func: Any  # a function fitting the slot's arguments (search: a SearchProvider)


_slots: dict[str, dict[str, Registered]] = defaultdict(dict)


def add(slot: str, name: str, order: int, func: Any) -> None:
    """Fill `slot` with `func` under `name` (unique within the slot: adding it again replaces
    it), shown or run in `order` then `name`. Raises ImproperlyConfigured if the slot is not
    declared in SLOTS or if `func` cannot take the slot's arguments."""
    contract = SLOTS.get(slot)
    if contract is None:
        raise ImproperlyConfigured(
            f"core.registry: slot {slot!r} (filled by {name!r}) is not declared in SLOTS"
        )
    if contract.args is not None:
        try:
            inspect.signature(func).bind(*contract.args)
        except TypeError as error:
            raise ImproperlyConfigured(
                f"core.registry: {name!r} in slot {slot!r} must take {contract.args}: {error}"
            ) from error
    _slots[slot][name] = Registered(order, name, func)


def registered(slot: str) -> list[Registered]:
    """What fills `slot`, in order."""
    if slot not in SLOTS:
        raise ImproperlyConfigured(f"core.registry: slot {slot!r} is not declared in SLOTS")
    return sorted(_slots[slot].values(), key=lambda r: (r.order, r.name))


# --- blocks ---------------------------------------------------------------------------------------
def render(slot: str, request: HttpRequest, *args: Any) -> list[Block]:
    """The blocks of `slot` for this request (the registry_blocks template tag calls it)."""
    blocks = []
    for item in registered(slot):
        block = item.func(request, *args)
        if block is not None:
            blocks.append(block)
    return blocks


def render_each(slot: str, request: HttpRequest, objects: list[Any]) -> dict[Any, list[Block]]:
    """For slots whose functions take the request and a list of objects and return
    `{object.pk: block}` for those they show something of: each function is called once for all
    the objects (so a page of N objects costs the same queries as one)."""
    blocks: dict[Any, list[Block]] = {obj.pk: [] for obj in objects}
    for item in registered(slot):
        for pk, block in (item.func(request, objects) or {}).items():
            blocks[pk].append(block)
    return blocks


# --- hooks read by core ---------------------------------------------------------------------------
def personal_data(user) -> dict[str, Any]:
    return {r.name: r.func(user) for r in sorted(_slots["personal_data"].values(), key=_by_name)}


def erase_personal_data(user) -> list[Any]:
    rows: list[Any] = []
    for r in sorted(_slots["erase_personal_data"].values(), key=_by_name):
        rows.extend(r.func(user) or ())
    return rows


def retention_rules() -> list[tuple[str, Callable[[Any], int]]]:
    return [(r.name, r.func) for r in sorted(_slots["retention"].values(), key=_by_name)]


def hidden_audit_events(user) -> list[Any]:
    """The Q objects of audit events `user` may not read, one per app that registered some."""
    return [r.func(user) for r in sorted(_slots["confidential_audit"].values(), key=_by_name)]


def search_providers() -> list[Any]:
    return [r.func for r in registered("search")]


def _by_name(r: Registered) -> str:
    return r.name
