"""Throughput and latency: locust headless against gunicorn, per page alone (throughput, compared
with the bare view) and on the mix of pages (p50/p95/p99, errors)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench.stack import ROOT, bin_path


def session_cookies() -> dict[str, str]:
    """A session per role, stored in the shared cache (Redis), so gunicorn's workers accept it."""
    from django.conf import settings

    from bench.measure import clients

    return {
        role: client.cookies[settings.SESSION_COOKIE_NAME].value
        for role, client in clients().items()
        if settings.SESSION_COOKIE_NAME in client.cookies
    }


def bare_label(role: str) -> str:
    return "bare view" if role == "anonymous" else f"bare view ({role})"


def plan(cookies: dict[str, str]) -> list[dict]:
    """Every available page measured alone (`Page.measured_alone`) or part of the load mix
    (`"mix": True`), as the role it is meant for."""
    from bench.measure import resolve
    from bench.pages import PAGES, Refs

    refs, items = Refs(), []
    for page in PAGES:
        if not (page.load or page.measured_alone):
            continue
        path, _reason = resolve(page, refs)
        if path is None:
            continue
        role = page.role_for_load
        items.append(
            {
                "label": page.label,
                "path": path,
                "role": role,
                "cookie": cookies.get(role),
                "mix": page.load,
                "alone": page.measured_alone,
            }
        )
    return items


def run_locust(items, *, host, users, seconds, think, workdir: Path, tag: str, env) -> dict:
    plan_file = workdir / f"{tag}.plan.json"
    plan_file.write_text(json.dumps(items))
    prefix = workdir / tag
    subprocess.run(
        [
            bin_path("locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--json-file",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**env, "BENCH_PLAN": str(plan_file), "BENCH_THINK_TIME": str(think)},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / f"{tag}.log").open("w"),
    )

    return summarize(json.loads(Path(f"{prefix}.json").read_text(encoding="utf-8")))


def summarize(entries: list[dict]) -> dict:
    """locust's final stats (its --json-file: one entry per page, with the histogram of response
    times) as {label: {...}, "Aggregated": {...}}. Not its CSV: that is a snapshot written every
    second and flushed every ten, and a run of a few seconds on a busy machine read as a handful
    of requests, or none, where locust had counted dozens.

    Requests per second as locust computes them, over the time from the first request to the last
    response; the first requests were sent before their entry was created (at their response),
    so the run starts the mean response time before the first entry."""
    if not entries:
        return {}
    requests = sum(e["num_requests"] for e in entries)
    total_ms = sum(e["total_response_time"] for e in entries)
    mean_s = total_ms / requests / 1000 if requests else 0
    began = min(e["start_time"] for e in entries) - mean_s
    ended = max(e["last_request_timestamp"] or 0 for e in entries)
    seconds = ended - began

    def row(entries: list[dict]) -> dict:
        n = sum(e["num_requests"] for e in entries)
        times: Counter[float] = Counter()
        for e in entries:
            times.update({float(ms): count for ms, count in e["response_times"].items()})
        return {
            "requests": n,
            "failures": sum(e["num_failures"] for e in entries),
            "rps": round(n / seconds, 1) if seconds > 0 else 0.0,
            "p50_ms": percentile_ms(times, n, 0.50),
            "p95_ms": percentile_ms(times, n, 0.95),
            "p99_ms": percentile_ms(times, n, 0.99),
            "avg_ms": round(sum(e["total_response_time"] for e in entries) / n, 1) if n else 0.0,
        }

    stats = {e["name"]: row([e]) for e in entries}
    stats["Aggregated"] = row(entries)
    return stats


def percentile_ms(times: Counter[float], requests: int, percent: float) -> float:
    """The response time under which `percent` of the requests fell, from locust's histogram
    (rounded milliseconds -> count), as locust computes it for its reports."""
    above = requests - int(requests * percent)
    seen = 0
    for ms in sorted(times, reverse=True):
        seen += times[ms]
        if seen >= above:
            return ms
    return 0.0


NO_REQUESTS = {"requests": 0, "failures": 0, "rps": 0}
ROUNDS = 3


def alternate(item: dict, reference: dict, *, seconds: int, tag, **common) -> dict:
    """A page and the bare view for the same visitor, alternately, in ROUNDS short runs each: the ratio of
    each round compares the two under the same conditions of the machine, and the median round
    is reported. (Measured ten seconds apart, the two drifted by ±20% from run to run here: the
    machine's other work, PostgreSQL's background writes.)"""
    rounds, each = [], max(3, seconds // 2)
    for r in range(ROUNDS):
        ref = run_locust([reference], seconds=each, tag=f"solo-{tag}-bare-{r}", **common)
        page = run_locust([item], seconds=each, tag=f"solo-{tag}-{r}", **common)
        stats = page.get(item["label"], NO_REQUESTS)
        bare_rps = ref.get(reference["label"], NO_REQUESTS)["rps"]
        rounds.append(
            {**stats, "bare_rps": bare_rps, "ratio": stats["rps"] / bare_rps if bare_rps else 0}
        )
    median = sorted(rounds, key=lambda one: one["ratio"])[len(rounds) // 2]
    return {**median, "rounds": [round(one["ratio"], 3) for one in rounds]}


def measure(*, port, users, seconds, solo_seconds, think, env, public_only=False, mix=True) -> dict:
    """On the gunicorn at `port`: each page alone (`solo_seconds` > 0), alternating with the bare
    view for the same visitor (`alternate`), then the mix (`mix`) for `seconds`. With
    `public_only`, only the pages of the anonymous visitor are measured alone (the run with the
    page cache on: it never serves a visitor with a session)."""
    from django.urls import reverse

    host = f"http://127.0.0.1:{port}"
    cookies = session_cookies()
    items = plan(cookies)
    alone = [i for i in items if i["alone"] and (i["role"] == "anonymous" or not public_only)]
    in_mix = [i for i in items if i["mix"]]
    workdir = Path(tempfile.mkdtemp(prefix="bench-locust-"))
    # The reference: the bare view for each visitor the pages are loaded as. For an anonymous
    # visitor it is the base template alone; for a logged-in one the same base template as they
    # see it (their session and user, the notifications badge, the personal menu).
    bare = [
        {
            "label": bare_label(role),
            "path": reverse("bench_bare"),
            "role": role,
            "cookie": cookies.get(role),
        }
        for role in ["anonymous", *sorted({i["role"] for i in alone} - {"anonymous"})]
    ]
    common = {"host": host, "users": users, "think": 0, "workdir": workdir, "env": env}
    solo: dict = {}
    if solo_seconds > 0:  # (the CI smoke run measures nothing alone: --solo-seconds 0)
        # Warm-up, not measured: every gunicorn worker loads its code and opens its
        # connections (and, with the page cache on, every page is cached once).
        run_locust(alone + bare, seconds=max(3, solo_seconds), tag="warm-up", **common)
        for k, item in enumerate(bare):
            stats = run_locust([item], seconds=solo_seconds, tag=f"solo-bare-{k}", **common)
            solo[item["label"]] = stats.get(item["label"], NO_REQUESTS)
        for k, item in enumerate(alone):
            reference = next(b for b in bare if b["role"] == item["role"])
            solo[item["label"]] = alternate(item, reference, seconds=solo_seconds, tag=k, **common)
    mixed: dict = {}
    if mix:
        if solo:
            # Warm-up again, not measured: the runs alone made gunicorn recycle its workers
            # (--max-requests) every few seconds, and a new worker's first request for each
            # page costs 50-200 ms (its database connection's first queries, Python's first
            # calls). At a portal's real traffic a worker lives for hours; the mix measures
            # warm workers.
            run_locust(in_mix + bare[:1], seconds=3, tag="warm-up-mix", **common)
        common["think"] = think
        mixed = run_locust(in_mix + bare[:1], seconds=seconds, tag="mix", **common)
    return {"pages": items, "solo": solo, "mix": mixed, "workdir": str(workdir)}
