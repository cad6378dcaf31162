"""Build a synthetic region for the performance benchmark (bench/run.py).

Like seed_demo, every app contributes in layer order: `bench_seed --scale N` imports
`<app>.bench` when it exists and calls `seed(ctx, scale)`. Each module bulk-inserts its rows in
batches (no per-row queries) and adds what the layers above need to `ctx` (see the docstring at
the top of each <app>/bench.py). ctx["shape"] (core.bench.Shape) says how many ambiti, comuni,
entities, tables and procedures to make. Scale 1: 23 ambiti, 230 comuni, 5,000 entities, 200
tables with 20 members each, 5,000 meetings, 100 procedures with 30 applications each; scale 10
multiplies the rows, never the size of one page's object (a table always has 20 members).
`--scale regional` is a whole region's portal: 10 ambiti, 300 comuni, 20,000 entities, 2,000
tables, 50,000 meetings, 1,000 procedures (the seeders get scale 10 for anything else).

The data is synthetic and loud about it (names start with "Bench", e-mails end in
@bench.invalid). `--flush` empties the database first: use it only on a benchmark database."""

from __future__ import annotations

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.bench import shape_for


def bench_modules():
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.bench":
                raise
            continue
        yield config, module


class Command(BaseCommand):
    help = "Genera dati sintetici per il benchmark delle prestazioni (bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", default="1", help='un numero (1: 23 ambiti, 5.000 enti) o "regional"'
        )
        parser.add_argument(
            "--flush", action="store_true", help="Svuota il database prima (solo database di test)"
        )

    def handle(self, *args, scale: str, flush: bool, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "BENCH_BARE_VIEW", 0):
            raise CommandError("bench_seed si esegue solo con le impostazioni di benchmark o test.")
        try:
            shape = shape_for(scale)
        except ValueError:
            raise CommandError('--scale: un numero positivo o "regional".') from None
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        ctx: dict = {"scale": shape.factor, "shape": shape}
        timings: dict[str, float] = {}
        with transaction.atomic():
            for config, module in bench_modules():
                started = time.perf_counter()
                module.seed(ctx, shape.factor)
                timings[config.label] = time.perf_counter() - started
                self.stdout.write(f"  {config.label}: {timings[config.label]:.1f} s")
        if connection.vendor == "postgresql":
            # Planner statistics and visibility maps for the rows just bulk-loaded, as
            # autovacuum keeps them in production: without them the first plans guess (a
            # full-text match of 250 rows for 50,000), and autovacuum, catching up during the
            # measurements, slowed them by half. (VACUUM cannot run in a transaction: a test
            # seeds inside one, and gets ANALYZE alone.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        # Whatever was cached from the rows before (filter options, a proposal's parts) is gone.
        cache.clear()
        self.stdout.write(
            self.style.SUCCESS(
                f"Dati di benchmark generati in {sum(timings.values()):.0f} s (scala "
                f"{shape.name}; ambiti: {shape.ambiti}, comuni: {shape.comuni}, enti: "
                f"{shape.entities}, tavoli: {shape.tables}, procedimenti: {shape.procedures})."
            )
        )
