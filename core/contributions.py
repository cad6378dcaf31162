"""What core itself puts in the registry's slots (core.registry.SLOTS): its retention rules."""

from __future__ import annotations

from core import registry, retention


def register() -> None:
    registry.add("retention", "core.outbox", 0, retention.outbox_purge)
    registry.add("retention", "core.notifications", 0, retention.notifications_purge)
    registry.add("retention", "core.sessions", 0, retention.sessions_purge)
    registry.add("retention", "core.audit_trail", 0, retention.audit_trail_purge)
    registry.add("retention", "core.job_uploads", 0, retention.job_uploads_purge)
