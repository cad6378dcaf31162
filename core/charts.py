"""One accessible horizontal bar chart (inline SVG: role="img", a <title> with every number), for
pages and PDFs. Pages also show the numbers in a table. Templates use
`{% bar_chart rows title=... chart_id=... %}`; Python code (a PDF, a section) calls bar_chart()."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PALETTE = ["#0066cc", "#008055", "#a66300", "#5c2d91", "#cc334d", "#00738a", "#4d5966"]
HIGHLIGHT = "#a66300"  # a row that needs attention (a score under the threshold)
WIDTH, LABEL_WIDTH, BAR_SPAN, ROW_HEIGHT, BAR_HEIGHT = 760, 230, 380, 28, 20


def _as_dict(row) -> dict[str, Any]:
    if isinstance(row, Mapping):
        return dict(row)
    label, value, *rest = row
    return {"label": label, "value": value, "display": rest[0] if rest else None}


def bar_rows(
    rows: Iterable, *, fmt: Callable[[Any], str] = str, multicolour: bool = False
) -> list[dict[str, Any]]:
    """Rows ready to draw. A row is (label, value), (label, value, display) or a dict with
    `label`, `value`, optional `display` (the text beside the bar, default fmt(value)) and
    optional `total` (the bar is then value/total of a grey track: seats taken of the capacity)
    and optional `highlight` (true: the bar in the HIGHLIGHT colour).
    Without totals, the longest bar is the largest value."""
    items = [_as_dict(r) for r in rows]
    peak = max((Decimal(str(r["value"] or 0)) for r in items), default=Decimal(0))
    for i, r in enumerate(items):
        value = Decimal(str(r["value"] or 0))
        scale = Decimal(str(r["total"])) if r.get("total") else peak
        share = min(value / scale, Decimal(1)) if scale else Decimal(0)
        r["display"] = fmt(r["value"]) if r.get("display") is None else r["display"]
        r["percent"] = round(float(share) * 100, 1)
        r["y"] = i * ROW_HEIGHT
        r["text_y"] = i * ROW_HEIGHT + 15
        r["width"] = round(BAR_SPAN * float(share)) if value else 0
        r["track"] = bool(r.get("total"))
        r["value_x"] = LABEL_WIDTH + (BAR_SPAN if r["track"] else r["width"]) + 6
        r["colour"] = (
            HIGHLIGHT
            if r.get("highlight")
            else PALETTE[i % len(PALETTE)]
            if multicolour
            else PALETTE[0]
        )
    return items


def bar_chart(
    rows: Iterable,
    *,
    title: str,
    chart_id: str = "chart",
    fmt: Callable[[Any], str] = str,
    multicolour: bool = False,
) -> SafeString:
    """The chart's <figure> (caption `title`). A page with several charts gives each its own
    `chart_id` (the id of the SVG's <title>)."""
    items = bar_rows(rows, fmt=fmt, multicolour=multicolour)
    return render_to_string(
        "components/bar_chart.html",
        {
            "rows": items,
            "title": title,
            "chart_id": chart_id,
            "width": WIDTH,
            "height": max(len(items) * ROW_HEIGHT, ROW_HEIGHT),
            "label_width": LABEL_WIDTH,
            "label_x": LABEL_WIDTH - 8,
            "bar_span": BAR_SPAN,
            "bar_height": BAR_HEIGHT,
        },
    )
