"""In-process measurements (Django set up with config.settings.bench by bench/run.py):
SQL queries per page, directory search with EXPLAIN ANALYZE, mass e-mail, import."""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import Counter
from importlib import import_module

from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.pages import PAGES, SEARCHES, Refs


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[k]


def clients() -> dict[str, Client]:
    """One test Client per role, logged in as the role's persona (anonymous: no login)."""
    refs = Refs()
    result = {"anonymous": Client()}
    for role in ("citizen", "coordinator", "operator", "comune", "entity_admin", "entity_delegate"):
        user = refs.persona(role)
        if user is not None:
            client = Client()
            client.force_login(user)
            result[role] = client
    return result


def resolve(page, refs: Refs) -> tuple[str | None, str]:
    """(path, "") or (None, reason)."""
    try:
        kwargs = page.kwargs(refs)
    except Exception as exc:  # noqa: BLE001 - a page whose data is missing is reported, not fatal
        return None, f"no data ({type(exc).__name__})"
    if kwargs is None:
        return None, "no data"
    try:
        path = reverse(page.url_name, kwargs=kwargs)
    except NoReverseMatch:
        return None, "not available"
    return (f"{path}?{page.query}" if page.query else path), ""


def queries_per_page() -> list[dict]:
    refs, by_role = Refs(), clients()
    rows = []
    for page in PAGES:
        path, reason = resolve(page, refs)
        for role in page.roles:
            row = {"page": page.label, "url_name": page.url_name, "role": role, "path": path}
            if path is None:
                rows.append({**row, "status": reason})
                continue
            client = by_role.get(role)
            if client is None:
                rows.append({**row, "status": "no persona"})
                continue
            client.get(path)  # warm-up: per-process caches (content types, default ambito)
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
            rows.append(
                {
                    **row,
                    "status": response.status_code,
                    "queries": len(ctx.captured_queries),
                    "ms": round(elapsed * 1000, 1),
                }
            )
    return rows


def compare_queries(small: list[dict], large: list[dict]) -> list[dict]:
    """Rows of both scales side by side; `grows` when the count differs."""
    index = {(r["page"], r["role"]): r for r in large}
    out = []
    for r in small:
        other = index.get((r["page"], r["role"]), {})
        q1, q2 = r.get("queries"), other.get("queries")
        out.append(
            {
                "page": r["page"],
                "role": r["role"],
                "url_name": r["url_name"],
                "status": r["status"],
                "status_large": other.get("status"),
                "queries": q1,
                "queries_large": q2,
                "grows": q1 is not None and q2 is not None and q1 != q2,
            }
        )
    return out


def search(repeats: int = 30) -> list[dict]:
    """Time each directory and global search (anonymous, in-process, after a warm-up) and
    EXPLAIN ANALYZE its three slowest queries."""
    client, results = Client(), []
    for label, url_name, query in SEARCHES:
        try:
            path = reverse(url_name) + (f"?{query}" if query else "")
        except NoReverseMatch:
            results.append({"label": label, "status": "not available"})
            continue
        client.get(path)
        times = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
        plans = []
        if connection.vendor == "postgresql":
            slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            with connection.cursor() as cursor:
                for q in slowest:
                    if not q["sql"].lstrip().upper().startswith("SELECT"):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    plans.append(
                        {"sql": q["sql"], "plan": "\n".join(r[0] for r in cursor.fetchall())}
                    )
        results.append(
            {
                "label": label,
                "path": path,
                "status": response.status_code,
                "queries": len(ctx.captured_queries),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "plans": plans,
            }
        )
    return results


# --- mass e-mail ---------------------------------------------------------------------------
def bench_hook(name: str):
    """The function `name` from the highest layer's <app>.bench that defines it, or None."""
    found = None
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.bench")
        except ModuleNotFoundError:
            continue
        found = getattr(module, name, found)
    return found


def default_mass_emails(n: int) -> list:
    """Built messages for the mass e-mail test: the "notification" template, until a feature
    offers its own (HOOK: tables.bench.mass_emails(n) -> invitations with their ICS)."""
    from core import mail

    class Note:
        title = "Convocazione del tavolo tematico"
        body = "Seduta di prova del benchmark: nessuna azione richiesta."
        url = "/"

    class Person:
        display_name = "Ente del benchmark"

    return [
        mail.build(
            "notification",
            {"notification": Note, "user": Person},
            to=f"bench-{i}@bench.invalid",
        )
        for i in range(n)
    ]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that counts connections and Message-IDs."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP

        sink = self
        self.connections = 0
        self.message_ids: Counter[str] = Counter()
        self.lock = threading.Lock()

        class CountingSMTP(SMTP):
            def connection_made(self, transport):
                with sink.lock:
                    sink.connections += 1
                super().connection_made(transport)

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes

                mid = message_from_bytes(envelope.content).get("Message-ID", "")
                with sink.lock:
                    sink.message_ids[mid] += 1
                return "250 Message accepted"

        class CountingController(Controller):
            def factory(self):
                return CountingSMTP(self.handler, **self.SMTP_kwargs)

        import logging

        from bench.stack import free_port

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
        self.port = free_port()
        self.controller = CountingController(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self) -> int:
        return sum(self.message_ids.values())


def mass_email(n: int, sink: SmtpSink, timeout: float = 120) -> dict:
    from django.conf import settings

    from core import mail
    from core.models import OutgoingEmail

    build = bench_hook("mass_emails") or default_mass_emails
    messages = build(n)
    started = time.perf_counter()
    with transaction.atomic():
        created = mail.enqueue_many(messages)
    ids = [e.pk for e in created]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and sink.received < n:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # a duplicate would arrive now
    statuses = Counter(OutgoingEmail.objects.filter(pk__in=ids).values_list("status", flat=True))
    duplicates = sum(c - 1 for c in sink.message_ids.values() if c > 1)
    batches = math.ceil(n / settings.EMAIL_BATCH_SIZE)
    return {
        "messages": n,
        "received": sink.received,
        "unique_message_ids": len(sink.message_ids),
        "duplicates": duplicates,
        "sent_in_outbox": statuses.get(OutgoingEmail.Status.SENT, 0),
        "outbox_statuses": dict(statuses),
        "seconds": round(elapsed, 2),
        "smtp_connections": sink.connections,
        "batches": batches,
        "template": getattr(build, "__module__", ""),
    }


# --- import --------------------------------------------------------------------------------
def import_entities(rows: int) -> dict:
    """HOOK: entities.bench.import_benchmark(rows) -> dict with "dry_run_s", "commit_s",
    "rows", "valid_rows", "errors" (after the merge of feat/entities, whose import pipeline is
    entities/resources.py)."""
    hook = bench_hook("import_benchmark")
    if hook is None:
        return {"status": "not available"}
    try:
        with transaction.atomic():
            return {"status": "ok", **hook(rows)}
    except ModuleNotFoundError as exc:  # the import pipeline has not landed yet
        return {"status": f"not available ({exc.name} missing)"}
    except Exception as exc:  # noqa: BLE001 - reported as a failed measurement, the run goes on
        import traceback

        return {"status": f"error: {type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
