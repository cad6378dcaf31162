"""Extension points ("slots") that let a page of a lower layer show blocks provided by higher
layers without importing them.

A higher app registers, in its AppConfig.ready():

    registry.add("entity_profile", "tables", 20, func)

where `func(request, *args)` returns `(template_name, context_dict)` or None to show nothing; the
page's view calls `registry.render("entity_profile", request, entity)` and its template includes
each block with `section` = the dict. Slots in use:

- "home" (request): blocks of the home page;
- "my_area" (request): what concerns the logged-in user;
- "entity_profile" (request, entity): an entity's public profile (its tables, procedures...);
- "table_page" (request, table): a table's page (proposals...);
- "meeting_page" (request, meeting): a meeting's page;
- "procedure_page" (request, procedure): a procedure's page (proposals, plan links...);
- "privacy_page" (request): the privacy page's data controllers (ambito);
- "ambito_card" (request, ambiti): per ambito, what the region's home shows of it (its open
  procedures, events, plan), read for all the ambiti at once (render_each);
- "region_funds", "region_directory" (request, ambiti): the regional views' blocks across the
  ambiti (the Mappafondo of every ambito together, the Third Sector bodies of every ambito).

`search_provider(provider)` adds a kind of row to the global search (core.search.SearchProvider:
the rows a user may open that match a term, and how one reads in the results);
`personal_data_exporter(name, func(user))` adds to the JSON a user downloads (GDPR art. 15/20);
`personal_data_eraser(name, func(user))` runs when a user deletes the account (art. 17);
`retention_rule(name, func(now))` deletes what is past a stated retention period (core.retention);
`confidential_audit_events(name, func(user))`: `func` returns a Q of the audit events `user` may
not read (records an app keeps confidential, such as applications before a ranking), which the
ambito's audit log leaves out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

Block = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Registered:
    order: int
    name: str
    func: Callable[..., Any]


_slots: dict[str, dict[str, Registered]] = defaultdict(dict)
_personal_data: dict[str, Callable[[Any], Any]] = {}
_erasers: dict[str, Callable[[Any], Iterable[Any] | None]] = {}
_retention_rules: dict[str, Callable[[Any], int]] = {}
_confidential_audit: dict[str, Callable[[Any], Any]] = {}
_search_providers: dict[str, Any] = {}


def add(slot: str, name: str, order: int, func: Callable[..., Block | None]) -> None:
    _slots[slot][name] = Registered(order, name, func)


def render(slot: str, request: HttpRequest, *args: Any) -> list[Block]:
    blocks = []
    for item in sorted(_slots[slot].values(), key=lambda r: (r.order, r.name)):
        block = item.func(request, *args)
        if block is not None:
            blocks.append(block)
    return blocks


def render_each(slot: str, request: HttpRequest, objects: list[Any]) -> dict[Any, list[Block]]:
    """For slots whose functions take the request and a list of objects and return
    `{object.pk: block}` for those they show something of: each function is called once for all
    the objects (so a page of N objects costs the same queries as one)."""
    blocks: dict[Any, list[Block]] = {obj.pk: [] for obj in objects}
    for item in sorted(_slots[slot].values(), key=lambda r: (r.order, r.name)):
        for pk, block in (item.func(request, objects) or {}).items():
            blocks[pk].append(block)
    return blocks


def home_section(name: str, order: int, func: Callable[[HttpRequest], Block | None]) -> None:
    add("home", name, order, func)


def my_area_section(name: str, order: int, func: Callable[[HttpRequest], Block | None]) -> None:
    add("my_area", name, order, func)


def home_sections(request: HttpRequest) -> list[Block]:
    return render("home", request)


def my_area_sections(request: HttpRequest) -> list[Block]:
    return render("my_area", request)


def personal_data_exporter(name: str, func: Callable[[Any], Any]) -> None:
    _personal_data[name] = func


def personal_data(user) -> dict[str, Any]:
    return {name: func(user) for name, func in sorted(_personal_data.items())}


def personal_data_eraser(name: str, func: Callable[[Any], Iterable[Any] | None]) -> None:
    """`func(user)` removes or pseudonymises what an app holds about `user` when the account is
    deleted, keeping what the law requires to keep (it runs before the user row is anonymised,
    so it still reads the real address). It returns the rows whose description names the person
    (a seat, a registration, a role), deleted or kept: their events in the audit trail are then
    described by kind and number instead (core.audit.pseudonymise)."""
    _erasers[name] = func


def erase_personal_data(user) -> list[Any]:
    rows: list[Any] = []
    for _name, func in sorted(_erasers.items()):
        rows.extend(func(user) or ())
    return rows


def retention_rule(name: str, func: Callable[[Any], int]) -> None:
    """`func(now)` deletes (or anonymises) what is past one retention period the privacy page
    states and returns how many rows went; run nightly by core.tasks.apply_retention."""
    _retention_rules[name] = func


def retention_rules() -> list[tuple[str, Callable[[Any], int]]]:
    return sorted(_retention_rules.items())


def confidential_audit_events(name: str, func: Callable[[Any], Any]) -> None:
    _confidential_audit[name] = func


def hidden_audit_events(user) -> list[Any]:
    """The Q objects of audit events `user` may not read, one per app that registered some."""
    return [func(user) for _name, func in sorted(_confidential_audit.items())]


def search_provider(provider) -> None:
    """Register a core.search.SearchProvider (one per kind: "enti", "tavoli"...)."""
    _search_providers[provider.kind] = provider


def search_providers() -> list[Any]:
    return sorted(_search_providers.values(), key=lambda p: (p.order, p.kind))
