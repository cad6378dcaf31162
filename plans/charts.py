"""The plans' charts: amounts in euro, one colour a bar, drawn by the one chart of the portal
(core.charts: accessible, with the numbers beside the bars; pages also show them in a table).
Used by the web pages and by the PDF."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString

from core import charts
from core.formatting import format_euro


def bar_chart(
    rows: list[tuple[str, Decimal]], *, title: str, chart_id: str = "chart"
) -> SafeString:
    """Horizontal bars, one per (label, amount in euro). A page with several charts gives each
    its own `chart_id`."""
    return charts.bar_chart(rows, title=title, chart_id=chart_id, fmt=format_euro, multicolour=True)


def budget_by_area_chart(budget, *, title: str) -> SafeString:
    return bar_chart([(a.area.name, a.total) for a in budget.areas], title=title)
