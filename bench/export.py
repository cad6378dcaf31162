"""Open-data export benchmark: an ambito with --export-rows verified entities (100,000 by
default, each with two activities, two target groups and three comuni) is streamed as the
entities CSV and JSON through the download view (opendata/views.py), in a fresh subprocess that
reports its memory: the peak RSS (ru_maxrss) after a warm-up download, and again after each big
one. The goal: the big downloads grow the peak by less than GOAL_MB (a file built in memory
would take hundreds of MB), every row is written, and the rows are read in a constant number of
queries (the same as for the warm-up's few rows).

The runner seeds the rows first, in its own process (`seed`), so that seeding never counts in
the subprocess's peak."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

GOAL_MB = 50.0
AMBITO_CODE = "bench-export"
OFFSET = 700_000_000  # tax codes of these rows never collide with seeded or imported ones
BATCH = 5000


def seed(rows: int) -> str:
    """An ambito of its own with `rows` verified entities (bulk inserts, in batches)."""
    from ambito.models import Ambito, Comune
    from entities.bench import LEGAL_FORMS, entity_name, tax_code
    from entities.models import Activity, Entity, TargetGroup

    comuni = list(Comune.objects.order_by("pk")[:3])
    ambito, _ = Ambito.objects.get_or_create(
        code=AMBITO_CODE,
        defaults={"name": "Bench ATS export", "region": "Bench", "lead_comune": comuni[0]},
    )
    ambito.comuni.set(comuni)
    Entity.objects.filter(ambito=ambito).delete()
    activities = list(Activity.objects.values_list("pk", flat=True)[:2])
    groups = list(TargetGroup.objects.values_list("pk", flat=True)[:2])
    for start in range(0, rows, BATCH):
        batch = Entity.objects.bulk_create(
            Entity(
                ambito=ambito,
                name=f"Esportazione {entity_name(i)} Società «Città»",
                tax_code=tax_code(OFFSET + i),
                legal_form=LEGAL_FORMS[i % len(LEGAL_FORMS)],
                runts_section="abcdefg"[i % 7],
                runts_status="iscritto",
                runts_number=f"EXP-{i:07d}",
                address=f"Via dell'Esportazione {i % 300 + 1}",
                postal_code="61032",
                seat_comune=comuni[i % len(comuni)],
                email=f"export-{i}@bench.invalid",
                legal_representative=f"Rappresentante {i:06d}",
                volunteers=i % 80,
                employees=i % 25,
                description="Ente sintetico del benchmark delle esportazioni.",
                status="verified",
            )
            for i in range(start, min(start + BATCH, rows))
        )
        Entity.activities.through.objects.bulk_create(
            Entity.activities.through(entity_id=e.pk, activity_id=a)
            for e in batch
            for a in activities
        )
        Entity.target_groups.through.objects.bulk_create(
            Entity.target_groups.through(entity_id=e.pk, targetgroup_id=g)
            for e in batch
            for g in groups
        )
        Entity.operating_comuni.through.objects.bulk_create(
            Entity.operating_comuni.through(entity_id=e.pk, comune_id=c.pk)
            for e in batch
            for c in comuni
        )
    return ambito.code


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def stream_one(code: str) -> dict:
    """Runs in the subprocess: a warm-up download of a small ambito, then the big one."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from ambito.models import Ambito

    client = Client()

    def download(ambito_code: str, fmt: str) -> dict:
        url = reverse(
            "opendata:download", kwargs={"code": ambito_code, "dataset": "enti", "fmt": fmt}
        )
        started = time.perf_counter()
        size = lines = 0
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            for piece in response.streaming_content:
                size += len(piece)
                lines += piece.count(b"\n")
        return {
            "status": response.status_code,
            "seconds": round(time.perf_counter() - started, 2),
            "bytes": size,
            "lines": lines,
            "queries": len(ctx.captured_queries),
        }

    small = Ambito.objects.exclude(code=code).order_by("code").values_list("code", flat=True)[0]
    warm = {fmt: download(small, fmt) for fmt in ("csv", "json")}
    baseline = _peak_mb()
    result = {"baseline_mb": baseline, "warm_up": warm}
    for fmt in ("csv", "json"):
        result[fmt] = {**download(code, fmt), "peak_mb": _peak_mb()}
    result["growth_mb"] = round(result["json"]["peak_mb"] - baseline, 1)
    return result


def measure(env: dict[str, str], rows: int) -> dict:
    """Seed (in this process), then stream in a subprocess (python -m bench.export CODE)."""
    from bench.stack import ROOT

    started = time.perf_counter()
    code = seed(rows)
    seed_s = round(time.perf_counter() - started, 1)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.export", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"rows": rows, "error": proc.stderr[-2000:]}
    return {"rows": rows, "seed_s": seed_s, **json.loads(proc.stdout.strip().splitlines()[-1])}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    print(json.dumps(stream_one(sys.argv[1])))
