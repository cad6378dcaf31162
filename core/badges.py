"""Status badges: one markup (a Bootstrap Italia `badge bg-<tone>`) and one table of the tone of
the common status codes. Templates use `{% status_badge obj %}` or
`{% status_badge label=... tone=... %}` (core/templatetags/portal.py)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.html import format_html
from django.utils.safestring import SafeString

TONES = ("primary", "secondary", "success", "warning", "danger")

# The tone of status codes shared by several apps; a model with its own meaning of a code gives
# a `status_tone` property (or passes `tones=` to tone_for).
DEFAULT_TONES: dict[str, str] = {
    "draft": "secondary",
    "published": "success",
    "submitted": "primary",
    "under_study": "warning",
    "pending": "warning",
    "waiting": "warning",
    "held": "secondary",
    "accepted": "success",
    "approved": "success",
    "confirmed": "success",
    "verified": "success",
    "not_accepted": "danger",
    "rejected": "danger",
    "cancelled": "secondary",
    "withdrawn": "secondary",
    "suspended": "secondary",
    "closed": "secondary",
}


def tone_for(
    status: str, tones: Mapping[str, str] | None = None, default: str = "secondary"
) -> str:
    """The tone of `status`: from `tones` when given (else DEFAULT_TONES), `default` otherwise."""
    table = DEFAULT_TONES if tones is None else tones
    return table.get(str(status), default)


def badge(label, tone: str | None = None) -> SafeString:
    """`<span class="badge bg-<tone>">label</span>`; an unknown tone is shown as secondary."""
    return format_html(
        '<span class="badge bg-{}">{}</span>', tone if tone in TONES else "secondary", label
    )


def status_badge(obj=None, *, label=None, tone: str | None = None) -> SafeString:
    """The badge of `obj`'s status: the label from `status_label` or `get_status_display()`, the
    tone from `status_tone` or DEFAULT_TONES; `label` and `tone` given explicitly win."""
    if label is None and obj is not None:
        label = getattr(obj, "status_label", None)
        if label is None and hasattr(obj, "get_status_display"):
            label = obj.get_status_display()
    if tone is None and obj is not None:
        tone = getattr(obj, "status_tone", None) or tone_for(getattr(obj, "status", ""))
    return badge("" if label is None else label, tone)
