"""The benchmark's report: every measurement with its goal and PASS/FAIL, as JSON
(bench/results/<timestamp>.json) and as a short Markdown table (bench/results/latest.md)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

from bench.throughput import bare_label

P95_MS = 150
BARE_RATIO = 0.35
SEARCH_P95_MS = 100
MAIL_SECONDS = 20
IMPORT_SECONDS = 60


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def throughput(solo: dict | None, role: str, solo_all: dict, anonymous: float):
    """(value, pass) of a page measured alone against the bare view for the same visitor."""
    if solo is None:
        return "n/a", None
    bare = solo_all.get(bare_label(role), {}).get("rps") or 0
    ratio = solo.get("ratio", (solo["rps"] / bare) if bare else 0)
    bare = solo.get("bare_rps", bare)
    value = f"{solo['rps']} req/s alone = {ratio:.0%} of {bare_label(role)} ({bare} req/s)"
    if "rounds" in solo:
        rounds = ", ".join(f"{one:.0%}" for one in solo["rounds"])
        value += f" (median of {len(solo['rounds'])} alternating rounds: {rounds})"
    if role != "anonymous" and anonymous:
        value += f" ({solo['rps'] / anonymous:.0%} of the anonymous one)"
    return value, ratio >= BARE_RATIO


def checks(result: dict) -> list[dict]:
    """Flatten the result into rows: section, subject, goal, value, pass (None: not measured)."""
    rows: list[dict] = []

    def add(section, subject, goal, value, ok):
        rows.append(
            {"section": section, "subject": subject, "goal": goal, "value": value, "pass": ok}
        )

    for r in result.get("queries", []):
        subject = f"{r['page']} ({r['role']})"
        goal = "HTTP 200 and the same count at both scales"
        if r.get("queries") is None:
            add("queries", subject, goal, str(r["status"]), None)
            continue
        status, status_large = r["status"], r.get("status_large")
        value = f"{r['queries']} → {r['queries_large']} (HTTP {status}"
        value += ")" if status_large in (None, status) else f" → {status_large})"
        # A redirect to the login or a 404 costs a few queries at any scale: only the page itself
        # proves that its count does not grow.
        ok = status == 200 and status_large == 200 and not r["grows"]
        add("queries", subject, goal, value, ok)

    load = result.get("load")
    if load:
        solo_all, cached = load.get("solo", {}), load.get("solo_cached", {})
        cache_seconds = load.get("page_cache_seconds", 0)
        anonymous = solo_all.get("bare view", {}).get("rps") or 0
        users, think = result["args"]["users"], result["args"]["think_time"]
        for label in sorted(k for k in solo_all if k.startswith("bare view")):
            add("load", label, "reference", f"{solo_all[label]['rps']} req/s alone", None)
        if not solo_all:
            add("load", "bare view", "reference", "alone: not measured", None)
        goal = f"≥ {BARE_RATIO:.0%} of the bare view for the same visitor"
        for item in load.get("pages", []):
            label, role = item["label"], item["role"]
            if item.get("alone", True):
                add(
                    "load",
                    f"{label}: throughput, page cache off",
                    goal,
                    *throughput(solo_all.get(label), role, solo_all, anonymous),
                )
                if role == "anonymous" and cache_seconds:
                    add(
                        "load",
                        f"{label}: throughput, page cache {cache_seconds} s",
                        goal,
                        *throughput(cached.get(label), role, cached, 0),
                    )
            if not item.get("mix", True):
                continue
            mix = load["mix"].get(label, {})
            add(
                "load",
                f"{label}: latency in the mix ({users} users, {think:g} s think time)",
                f"p95 < {P95_MS} ms, 0 errors",
                f"p50 {mix.get('p50_ms')} / p95 {mix.get('p95_ms')} / p99 {mix.get('p99_ms')} ms, "
                f"{mix.get('rps')} req/s, {mix.get('failures')} errors / {mix.get('requests')}",
                bool(mix) and mix["p95_ms"] < P95_MS and mix["failures"] == 0,
            )
        total = load["mix"].get("Aggregated", {})
        add(
            "load",
            "mix, all pages" + (f" (page cache {cache_seconds} s)" if cache_seconds else ""),
            "0 errors",
            f"{total.get('rps')} req/s, p95 {total.get('p95_ms')} ms, "
            f"{total.get('failures')} errors / {total.get('requests')}",
            total.get("failures") == 0,
        )

    mail = result.get("mail")
    if mail:
        max_conn = mail["batches"] + 2
        add(
            "mail",
            f"{mail['messages']} messages via Celery + SMTP",
            f"all delivered once, < {MAIL_SECONDS} s, ≤ {max_conn} SMTP connections",
            f"{mail['unique_message_ids']} delivered, {mail['duplicates']} twice, "
            f"{mail['sent_in_outbox']} SENT in outbox, {mail['seconds']} s, "
            f"{mail['smtp_connections']} connections",
            mail["unique_message_ids"] == mail["messages"]
            and mail["sent_in_outbox"] == mail["messages"]
            and mail["duplicates"] == 0
            and mail["seconds"] < MAIL_SECONDS
            and mail["smtp_connections"] <= max_conn,
        )

    from bench.pdfs import GOALS

    for name, r in (result.get("pdf") or {}).items():
        goal = GOALS[name]
        text = f"< {goal['seconds']} s" + (f", < {goal['mb']} MB" if goal["mb"] else "")
        if "error" in r:
            add("pdf", name, text, "error: " + r["error"].splitlines()[-1], False)
            continue
        ok = r["pdf_ok"] and r["seconds"] < goal["seconds"]
        if goal["mb"]:
            ok = ok and r["peak_mb"] < goal["mb"]
        add("pdf", f"{name} ({r['template']})", text, f"{r['seconds']} s, {r['peak_mb']} MB", ok)

    imp = result.get("import")
    if imp:
        if imp.get("status") != "ok":
            failed = str(imp.get("status", "")).startswith("error")
            add(
                "import",
                "entities from XLSX",
                f"< {IMPORT_SECONDS} s",
                imp.get("status"),
                False if failed else None,
            )
        else:
            total = imp["dry_run_s"] + imp["commit_s"]
            add(
                "import",
                f"{imp['rows']} entities from XLSX",
                f"dry run + commit < {IMPORT_SECONDS} s, all rows valid",
                f"{imp['dry_run_s']} + {imp['commit_s']} s, {imp['valid_rows']} valid, "
                f"{imp['errors']} errors",
                total < IMPORT_SECONDS and imp["errors"] == 0 and imp["valid_rows"] == imp["rows"],
            )

    for key, what, formats in (
        ("export", "entities, open-data CSV and JSON streamed", ("csv", "json")),
        ("survey_export", "survey responses, CSV and XLSX streamed", ("csv", "xlsx")),
    ):
        _export_row(add, key, what, formats, result.get(key))

    for r in result.get("search", []):
        if "p95_ms" not in r:
            add("search", r["label"], f"p95 < {SEARCH_P95_MS} ms", r["status"], None)
            continue
        add(
            "search",
            r["label"],
            f"p95 < {SEARCH_P95_MS} ms",
            f"p50 {r['p50_ms']} / p95 {r['p95_ms']} ms, {r['queries']} queries",
            r["status"] == 200 and r["p95_ms"] < SEARCH_P95_MS,
        )
    return rows


def markdown(result: dict, rows: list[dict]) -> str:
    args, machine = result["args"], result["machine"]
    lines = [
        f"# Benchmark {result['started_at']}",
        "",
        f"Scale {args['scale']} (queries also at {args['large_scale']}; search at "
        f"{args['large_scale']}), {machine['cpus']} CPUs, Python {machine['python']}, "
        f"gunicorn {args['workers']} workers, locust {args['users']} users "
        f"({args['load_seconds']} s mix, {args['solo_seconds']} s per page alone). "
        f"Seeding: {result.get('seed_seconds')} s. Load average of the machine at start / end: "
        f"{machine.get('load_average_at_start')} / {machine.get('load_average_at_end')} "
        "(other work on the machine skews the load test).",
        "",
        "| Section | Measure | Goal | Value | Result |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['section']} | {r['subject']} | {r['goal']} | {r['value']} | "
            f"{verdict(r['pass'])} |"
        )
    failed = sum(1 for r in rows if r["pass"] is False)
    passed = sum(1 for r in rows if r["pass"] is True)
    missing = sum(1 for r in rows if r["pass"] is None)
    lines += ["", f"**{passed} PASS, {failed} FAIL, {missing} not measured.**", ""]
    lines += profile_table(result.get("profile", []))
    plans = [r for r in result.get("search", []) if r.get("plans")]
    if plans:
        lines += ["## Query plans (directory and global search, EXPLAIN ANALYZE)", ""]
        for r in plans:
            lines += [f"### {r['label']}", ""]
            for p in r["plans"]:
                lines += ["```", p["plan"], "```", ""]
    return "\n".join(lines)


def profile_table(rows: list[dict]) -> list[str]:
    """Markdown: where each page's time goes (bench/profile.py), page cache off."""
    if not rows:
        return []
    lines = [
        "## Where the time goes (page cache off, in-process, the median of "
        f"{max(r.get('repeats', 0) for r in rows)} requests, ms)",
        "",
        "SQL: cursor executions (round trip and driver); templates: the page's render minus the "
        "SQL run inside it; Python: the rest (middleware, view, the ORM compiling queries).",
        "",
        "| Page (role) | HTTP | Total | SQL (queries) | Templates | Python | Queries from templates |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        subject = f"{r['page']} ({r['role']})"
        if "total_ms" not in r:
            lines.append(f"| {subject} | {r['status']} | | | | | |")
            continue
        lines.append(
            f"| {subject} | {r['status']} | {r['total_ms']} | {r['sql_ms']} ({r['queries']}) | "
            f"{r['template_ms']} | {r['python_ms']} | {r['queries_in_template']} |"
        )
    return [*lines, ""]


def write_report(result: dict, outdir: Path, started: datetime) -> tuple[Path, Path, bool]:
    rows = checks(result)
    result["checks"] = rows
    outdir.mkdir(parents=True, exist_ok=True)
    json_path = outdir / f"{started:%Y%m%dT%H%M%SZ}.json"
    json_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    md_path = outdir / "latest.md"
    md_path.write_text(markdown(result, rows), encoding="utf-8")
    failed = any(r["pass"] is False for r in rows)
    return json_path, md_path, failed


__all__ = ["checks", "markdown", "write_report", "math"]


def _export_row(add, key: str, what: str, formats: tuple[str, str], exported: dict | None) -> None:
    """A streamed download's row: the peak memory grows less than the goal whatever the rows,
    every row is there, and the queries are those of the small warm-up download."""
    if not exported:
        return
    from bench.export import GOAL_MB

    goal = f"peak memory grows < {GOAL_MB:.0f} MB, every row, constant queries"
    if "error" in exported:
        add(key, what, goal, "error: " + exported["error"][-300:], False)
        return
    count = exported["rows"]
    first, second = (exported[fmt] for fmt in formats)
    same_queries = all(
        exported[fmt]["queries"] == exported["warm_up"][fmt]["queries"] for fmt in formats
    )
    add(
        key,
        f"{count} {what}",
        goal,
        f"+{exported['growth_mb']} MB over {exported['baseline_mb']} MB; "
        f"{formats[0].upper()} {first['seconds']} s, {first['bytes'] // 1024} KiB; "
        f"{formats[1].upper()} {second['seconds']} s; queries {first['queries']}/{second['queries']}",
        exported["growth_mb"] < GOAL_MB
        and first["lines"] == count + 1
        and first["status"] == second["status"] == 200
        and same_queries,
    )
