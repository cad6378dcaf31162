"""The reference lists that data migrations load (activities and target groups, the national
funding sources), loaded again when a test finds them gone.

A transactional test (browser, Celery worker, concurrency) ends by flushing every table, these
lists included, and with several test processes the order of tests is not guaranteed. Every test
that uses the database calls `ensure_reference_data` first (tests/conftest.py), and so do the
module-scoped fixtures that seed before it (tests/demo)."""

from __future__ import annotations

from importlib import import_module

REFERENCE_DATA_MIGRATIONS = (
    "entities.migrations.0002_reference_lists",
    "plans.migrations.0002_funding_sources",
    "plans.migrations.0005_fund_pnrr_m5c2",
)


def ensure_reference_data() -> None:
    """Load the lists (each load is an idempotent update_or_create) unless both kinds are there:
    a flush followed by a test that makes rows of one kind leaves the other missing."""
    from django.apps import apps

    from entities.models import Activity
    from plans.models import FundingSource

    if Activity.objects.exists() and FundingSource.objects.filter(ambito=None).exists():
        return
    for module in REFERENCE_DATA_MIGRATIONS:
        import_module(module).load(apps, None)
