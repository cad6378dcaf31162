"""Server-rendered SVG charts (accessible: role="img", <title>, and the numbers beside the bars;
pages also show them in a table). Used by the web pages and by the PDF."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formatting import format_euro

PALETTE = ["#0066cc", "#008055", "#a66300", "#5c2d91", "#cc334d", "#00738a", "#4d5966"]


def bar_chart(
    rows: list[tuple[str, Decimal]], *, title: str, width: int = 640, chart_id: str = "chart"
) -> SafeString:
    """Horizontal bars, one per (label, amount), value written at the end of each bar. A page
    with several charts gives each its own `chart_id` (the id of its <title>)."""
    bar_h, gap, label_w, value_w, top = 22, 10, 230, 130, 8
    height = top + len(rows) * (bar_h + gap) + 4
    peak = max((a for _, a in rows), default=Decimal(0)) or Decimal(1)
    span = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" class="plans-chart">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
    ]
    for i, (label, amount) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1, int(span * float(amount / peak))) if amount else 0
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" font-size="12" fill="#1a1a1a">{escape(text)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: '
            f"{escape(format_euro(amount))}</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + bar_h * 0.7:.0f}" font-size="12" fill="#1a1a1a">{escape(format_euro(amount))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def budget_by_area_chart(budget, *, title: str) -> SafeString:
    return bar_chart([(a.area.name, a.total) for a in budget.areas], title=title)
