#!/usr/bin/env python
"""Performance benchmark of the portal (issue 7). One command:

    make bench ARGS="--scale 1"            # or: .venv/bin/python bench/run.py --scale 1

On the production stack (config/settings/bench.py = production settings on loopback): PostgreSQL
and Redis from DATABASE_URL / REDIS_URL (default: the dev services, database "bench", Redis db 7;
the database is EMPTIED), gunicorn (5 workers) and a Celery worker started here. It measures:

1. SQL queries per page and role, at --scale and at --large-scale (default 10 x scale): the
   count must not grow with the data;
2. throughput and latency with locust (--users, --load-seconds): each page alone against the bare
   view (>= 35% of its throughput), then the mix (p95 < 150 ms, no errors);
3. mass e-mail: --emails messages via core.mail.enqueue_many -> Celery -> a real SMTP server on
   loopback (all delivered, none twice, < 20 s, connections reused);
4. PDF: minutes (40 attendees, 15 items; < 2 s) and plan (150 interventions; < 15 s, < 500 MB);
5. import: --import-rows entities from XLSX, dry run + commit (< 60 s, every row valid);
6. directory search and filters at the large scale (p95 < 100 ms, EXPLAIN ANALYZE plans);
7. open-data export: --export-rows entities streamed as CSV and JSON in a subprocess (peak
   memory grows < 50 MB, every row written, constant queries).

It writes bench/results/<timestamp>.json and bench/results/latest.md (goal and PASS/FAIL per row)
and exits 0 when the run completed (goals missed are reported, not an error; --strict: exit 1).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402
from bench.report import write_report  # noqa: E402

SECTIONS = ("queries", "load", "mail", "pdf", "import", "export", "search")


def parse_args(argv: list[str]) -> argparse.Namespace:
    # `make bench ARGS="..."` passes ARGS as one quoted word: split it.
    words = [w for arg in argv for w in arg.split()]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--large-scale", type=float, help="default: 10 x --scale")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--load-seconds", type=int, default=60)
    p.add_argument(
        "--solo-seconds", type=int, help="each page alone (default: load / 6, >= 2; 0: skip)"
    )
    p.add_argument(
        "--think-time",
        type=float,
        default=1.0,
        help="seconds each user waits between pages in the mix (README: why not 0)",
    )
    p.add_argument(
        "--page-cache-seconds",
        type=int,
        default=30,
        help="gunicorn's anonymous page cache (production default 30; 0: every page rendered)",
    )
    p.add_argument("--workers", type=int, default=5, help="gunicorn workers (README: 5 on 2 cores)")
    p.add_argument("--emails", type=int, default=1000)
    p.add_argument("--import-rows", type=int, default=10_000)
    p.add_argument("--export-rows", type=int, default=100_000)
    p.add_argument("--search-repeats", type=int, default=30, help="timed requests per search")
    p.add_argument("--skip", default="", help=f"comma-separated sections among {SECTIONS}")
    p.add_argument("--output", default=str(ROOT / "bench" / "results"))
    p.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = p.parse_args(words)
    args.large_scale = args.large_scale or args.scale * 10
    if args.solo_seconds is None:
        args.solo_seconds = max(2, args.load_seconds // 6)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare(scale: float, env: dict[str, str]) -> float:
    """Empty the database, migrate, seed at `scale`; returns the seconds spent seeding."""
    from django.db import connections

    connections.close_all()
    stack.reset_database(env["DATABASE_URL"])
    stack.clear_redis(env["REDIS_URL"])
    stack.manage("migrate", "--noinput", "-v0", env=env)
    started = time.perf_counter()
    stack.manage("bench_seed", "--scale", str(scale), env=env)
    return round(time.perf_counter() - started, 1)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    env = stack.environment(PAGE_CACHE_SECONDS=str(args.page_cache_seconds))
    # The runner's own requests (queries per page, searches) always render the page.
    os.environ.update({**env, "PAGE_CACHE_SECONDS": "0"})
    import django

    django.setup()
    from django.conf import settings

    from bench import export, measure, pdfs, throughput

    logdir = ROOT / "var" / "bench-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    result: dict = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        },
        "args": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()},
        "database": settings.DATABASES["default"]["NAME"],
    }
    log("collectstatic")
    stack.manage("collectstatic", "--noinput", "-v0", env=env)

    log(f"seed scale {args.scale}")
    result["seed_seconds"] = {str(args.scale): prepare(args.scale, env)}
    if "queries" not in args.skip:
        log("queries per page")
        small = measure.queries_per_page()
    if "load" not in args.skip:
        port = stack.free_port()
        log(f"gunicorn ({args.workers} workers) + locust ({args.users} users)")
        with stack.gunicorn(port, args.workers, env, logdir / "gunicorn.log"):
            result["load"] = throughput.measure(
                port=port,
                users=args.users,
                seconds=args.load_seconds,
                solo_seconds=args.solo_seconds,
                think=args.think_time,
                env=env,
            )
    if "mail" not in args.skip:
        log(f"mass e-mail ({args.emails})")
        with measure.SmtpSink() as sink:
            worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
            with stack.celery_worker(worker_env, logdir / "celery.log"):
                result["mail"] = measure.mass_email(args.emails, sink)
    if "pdf" not in args.skip:
        log("PDF")
        result["pdf"] = pdfs.measure(env)
    if "import" not in args.skip:
        log(f"import ({args.import_rows} rows)")
        result["import"] = measure.import_entities(args.import_rows)
    if "export" not in args.skip:
        log(f"open-data export ({args.export_rows} rows)")
        result["export"] = export.measure(env, args.export_rows)

    if {"queries", "search"} - args.skip:
        log(f"seed scale {args.large_scale}")
        result["seed_seconds"][str(args.large_scale)] = prepare(args.large_scale, env)
        if "queries" not in args.skip:
            log("queries per page (large scale)")
            result["queries"] = measure.compare_queries(small, measure.queries_per_page())
        if "search" not in args.skip:
            log("directory search")
            result["search"] = measure.search(args.search_repeats)

    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    json_path, md_path, failed = write_report(result, Path(args.output), started)
    log(f"written {json_path} and {md_path}")
    print(md_path.read_text(encoding="utf-8"))
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
