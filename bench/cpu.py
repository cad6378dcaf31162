"""CPU per page against the bare view, in one process (issue 21): for working on a page on a busy
machine, where throughput runs drift by ±20%. Not part of bench/run.py. Run it as a module
(`-m bench.cpu`: bench/profile.py would shadow the standard library's profile module).

    DJANGO_SETTINGS_MODULE=config.settings.bench PAGE_CACHE_SECONDS=0 \
      .venv/bin/python -m bench.cpu home,tables --rounds 20 [--cold] [--split] [--profile tables]

Each page is loaded as its benchmark role (bench/pages.py) through django.test.Client, after a
warm-up, alternating with the same visitor's bare view; the figure is the CPU time of this
process per request (`time.process_time`: not PostgreSQL's), the minimum over the rounds, and
the ratio bare / page, as the benchmark's throughput ratio. `--cold` forgets the memoised
fragments ({% memo %}) before every request of the page: the first visitor after a change of
every row. `--split` adds the profile of bench/profile.py in CPU time (SQL driver, templates,
Python). `--profile LABEL` prints cProfile's heaviest calls for one page. The database is the
one of DATABASE_URL, seeded with `manage.py bench_seed`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import types

import django


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", help="labels of bench/pages.py, comma-separated")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--split", action="store_true")
    parser.add_argument("--profile", default="")
    args = parser.parse_args(argv)
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import bench.profile as probe
    from bench.measure import clients, resolve
    from bench.pages import PAGES, Refs

    try:
        from core.templatetags import memo
    except ImportError:  # a build before {% memo %} (measuring "before")
        memo = None

    probe.time = types.SimpleNamespace(perf_counter=time.process_time)  # CPU, not wall time
    refs, by_role, bare = Refs(), clients(), reverse("bench_bare")
    pages = {page.label: page for page in PAGES}

    def cpu_ms(client, path: str, cold: bool = False) -> float:
        if cold and memo is not None:
            memo.clear()
        started = time.process_time()
        client.get(path)
        return (time.process_time() - started) * 1000

    for label in args.pages.split(","):
        page = pages[label]
        client = by_role[page.role_for_load]
        path, reason = resolve(page, refs)
        if path is None:
            print(f"{label}: {reason}")
            continue
        for _ in range(3):
            client.get(path)
            client.get(bare)
        page_ms, bare_ms = [], []
        for _ in range(args.rounds):
            page_ms.append(cpu_ms(client, path, args.cold))
            bare_ms.append(cpu_ms(client, bare))
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        line = (
            f"{label:20} {page.role_for_load:12} {status} page {min(page_ms):5.1f} ms, "
            f"bare {min(bare_ms):4.1f} ms, ratio {min(bare_ms) / min(page_ms):4.0%}, "
            f"{len(queries.captured_queries)} queries"
        )
        if args.split:
            split = probe.profile(client, path, repeats=9)
            line += (
                f" (SQL {split['sql_ms']}, templates {split['template_ms']}, "
                f"Python {split['python_ms']} ms)"
            )
        print(line, flush=True)

    if args.profile:
        page = pages[args.profile]
        client = by_role[page.role_for_load]
        path, _reason = resolve(page, refs)
        client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
