"""Extension points that let lower layers show what higher layers provide without importing them.

Apps register in their AppConfig.ready():
- home sections: blocks of the home page (the ambito's tables, open procedures, upcoming meetings);
- my-area sections: what concerns the logged-in user (their entities, tables, applications);
- personal-data exporters: what a user gets when they download their data (GDPR art. 15/20).
A section is a function (request) -> (template name, context) or None to show nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

Section = Callable[[HttpRequest], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class Registered:
    order: int
    name: str
    func: Callable


_home: dict[str, Registered] = {}
_my_area: dict[str, Registered] = {}
_personal_data: dict[str, Registered] = {}


def home_section(name: str, order: int, func: Section) -> None:
    _home[name] = Registered(order, name, func)


def my_area_section(name: str, order: int, func: Section) -> None:
    _my_area[name] = Registered(order, name, func)


def personal_data_exporter(name: str, func: Callable[[Any], Any]) -> None:
    _personal_data[name] = Registered(0, name, func)


def _render(registry: dict[str, Registered], request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for item in sorted(registry.values(), key=lambda r: (r.order, r.name)):
        section = item.func(request)
        if section is not None:
            out.append(section)
    return out


def home_sections(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    return _render(_home, request)


def my_area_sections(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    return _render(_my_area, request)


def personal_data(user) -> dict[str, Any]:
    return {name: item.func(user) for name, item in sorted(_personal_data.items())}
