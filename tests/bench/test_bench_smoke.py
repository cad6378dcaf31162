"""CI smoke run of the performance benchmark (bench/run.py) at a tiny scale: it must complete on
the real stack (PostgreSQL, Redis, gunicorn, a Celery worker, SMTP on loopback) and the SQL
queries of every page must not grow between two scales, every page must answer 200, and the
report must hold each page's profile. Nothing here is timed (--report-only: the timing goals are
checked by the full benchmark, `make bench`, which exits 1 when one is missed), not by CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker]


@pytest.fixture
def database_url():
    """A database of its own (the runner empties the one it is given), dropped afterwards."""
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = f"{url.path.strip('/')}_bench_smoke"
    yield url._replace(path=f"/{name}").geturl()
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_benchmark_runs_and_query_counts_do_not_grow(tmp_path, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--scale 0.01 --large-scale 0.02 --load-seconds 5 --solo-seconds 0 --users 5",
            "--emails 50 --import-rows 200 --export-rows 300 --survey-rows 300 --search-repeats 3",
            "--report-only",
            f"--output {tmp_path}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [report] = tmp_path.glob("*.json")
    result = json.loads(report.read_text())
    assert (tmp_path / "latest.md").exists()

    measured = [r for r in result["queries"] if r["queries"] is not None]
    assert {r["page"] for r in measured} >= {"home", "ambiti", "ambito"}
    grown = [r for r in measured if r["grows"]]
    assert not grown, f"query count grows with the data: {grown}"
    not_ok = [r for r in measured if r["status"] != 200 or r["status_large"] != 200]
    assert not not_ok, f"pages that did not answer 200: {not_ok}"
    failed_queries = [
        c for c in result["checks"] if c["section"] == "queries" and c["pass"] is False
    ]
    assert not failed_queries, failed_queries

    profiled = {r["page"]: r for r in result["profile"] if "total_ms" in r}
    assert {"bare view", "home", "directory", "tables"} <= set(profiled)
    assert all(r["status"] == 200 and r["sql_ms"] >= 0 for r in profiled.values())
    assert profiled["home"]["queries"] > 0
    assert "## Where the time goes" in (tmp_path / "latest.md").read_text()

    assert result["load"]["mix"]["Aggregated"]["requests"] > 0
    assert result["load"]["mix"]["Aggregated"]["failures"] == 0
    mail = result["mail"]
    assert mail["unique_message_ids"] == mail["sent_in_outbox"] == 50
    assert mail["duplicates"] == 0
    assert all(doc.get("pdf_ok") for doc in result["pdf"].values()), result["pdf"]
    assert result["import"]["status"] in ("ok", "not available (entities.resources missing)")
    if result["import"]["status"] == "ok":
        assert result["import"]["errors"] == 0, result["import"]
    assert all(r.get("status") in (200, "not available") for r in result["search"])
    exported = result["export"]
    assert "error" not in exported, exported
    assert exported["csv"]["lines"] == 301  # the header and every row
    assert exported["csv"]["queries"] == exported["warm_up"]["csv"]["queries"]
