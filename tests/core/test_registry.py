"""core.registry: every slot declared once, filled by some app and rendered by some page; the
registry_blocks template tag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template

from core import registry

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "ambito", "entities", "tables", "processes", "participation", "plans", "opendata"]
TAG = re.compile(r"""\{%\s*registry_blocks\s+["'](\w+)["']""")
# registry.render("slot", ...), registry.render_each("slot", ...), ambito's _region_page(request, "slot", ...)
CALL = re.compile(r"""(?:\brender|\brender_each|_region_page)\(\s*(?:request,\s*)?["'](\w+)["']""")


@pytest.fixture
def test_slot(monkeypatch):
    """A slot declared for the test only ("test_slot": request, x), emptied afterwards."""
    monkeypatch.setitem(registry.SLOTS, "test_slot", registry.Slot(("request", "x"), "block", "-"))
    yield "test_slot"
    registry._slots.pop("test_slot", None)


def _sources() -> list[Path]:
    files = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    files += list((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        files += list((ROOT / app / "templates").rglob("*.html"))
    return [p for p in files if p != ROOT / "core" / "registry.py"]


def _rendered_slots() -> dict[str, list[str]]:
    """Slot name -> the files that render it (a registry_blocks tag or a render call)."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        pattern = TAG if path.suffix == ".html" else CALL
        for slot in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(slot, []).append(str(path.relative_to(ROOT)))
    return found


def test_slots_render_in_order_and_skip_none(rf, test_slot):
    registry.add(test_slot, "b", 2, lambda request, x: ("b.html", {"x": x}))
    registry.add(test_slot, "a", 1, lambda request, x: ("a.html", {"x": x}))
    registry.add(test_slot, "c", 3, lambda request, x: None)
    assert registry.render(test_slot, rf.get("/"), 7) == [
        ("a.html", {"x": 7}),
        ("b.html", {"x": 7}),
    ]


def test_an_undeclared_slot_raises():
    with pytest.raises(ImproperlyConfigured, match="'meeting_page'.*not declared in SLOTS"):
        registry.add("meeting_page", "tables", 0, lambda request, meeting: None)
    with pytest.raises(ImproperlyConfigured, match="not declared"):
        registry.render("no_such_slot", None)


def test_a_function_that_does_not_fit_the_contract_raises():
    with pytest.raises(ImproperlyConfigured, match=r"must take \('request', 'entity'\)"):
        registry.add("entity_profile", "bad", 0, lambda request: None)
    with pytest.raises(ImproperlyConfigured, match=r"must take \('user',\)"):
        registry.add("personal_data", "bad", 0, lambda user, extra: None)
    assert "bad" not in registry._slots["entity_profile"]


def test_every_declared_slot_is_filled_by_an_app():
    empty = [slot for slot in registry.SLOTS if not registry._slots[slot]]
    assert empty == [], f"declared in core.registry.SLOTS but filled by no app: {empty}"


def test_every_block_slot_is_rendered_by_a_page_and_every_page_names_a_declared_slot():
    rendered = _rendered_slots()
    blocks = {slot for slot, contract in registry.SLOTS.items() if contract.blocks}
    assert sorted(blocks - rendered.keys()) == [], "declared block slots that no page renders"
    undeclared = {slot: files for slot, files in rendered.items() if slot not in registry.SLOTS}
    assert undeclared == {}


def test_the_scan_sees_the_pages():
    rendered = _rendered_slots()
    assert rendered["entity_profile"] == ["templates/entities/detail.html"]
    assert [path.split("/")[0] for path in rendered["ambito_card"]] == ["ambito"]
    assert rendered["region_funds"] == ["ambito/views.py"]


CARD = "plans/sections/ambito_card.html"  # reads section.plan and the extra `ambito`


def _plan(title):
    return {"title": title, "period": "2025-2027", "get_absolute_url": "/piani/1/"}


def test_registry_blocks_tag_includes_each_block_with_section(rf, test_slot):
    registry.add(test_slot, "card", 1, lambda request, x: (CARD, {"plan": _plan(x)}))
    registry.add(test_slot, "none", 2, lambda request, x: None)
    html = Template('{% load registry %}{% registry_blocks "test_slot" "Piano T7" %}').render(
        Context({"request": rf.get("/"), "ambito": {"code": "ats-1"}})
    )
    assert "Piano T7 2025-2027" in html and 'href="/ats-1/piani/1/"' in html


def test_registry_blocks_tag_renders_blocks_computed_by_the_view():
    template = Template(
        "{% load registry %}{% registry_blocks blocks ambito=other %}|{{ section|default:'-' }}"
    )
    html = template.render(
        Context({"blocks": [(CARD, {"plan": _plan("Piano Uno")})], "other": {"code": "ats-2"}})
    )
    assert "Piano Uno" in html and 'href="/ats-2/piani/1/"' in html
    assert html.endswith("|-")  # the block's context does not leak into the page
    assert template.render(Context({"blocks": []})) == "|-"
