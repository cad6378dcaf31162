"""Where each page's time goes (issue 21): SQL, template rendering, Python, measured in-process
with the page cache off (bench/run.py sets PAGE_CACHE_SECONDS=0 for its own requests).

Cheap on purpose: a few requests per page after a warm-up, no profiler. SQL is timed around
every cursor execution (`connection.execute_wrapper`: the database round trip and the driver,
not the ORM compiling the query, which counts as Python); template rendering is timed around the
outermost `render()` of a Django template (a page's template with its includes and tags), minus
the SQL run while rendering (querysets evaluated by the template, which are also counted apart:
a template that queries is a place to look). Python is the rest of the request: middleware,
the view, the ORM building and compiling queries, the response.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from django.db import connection
from django.template.backends.django import Template

REPEATS = 3


class Probe:
    """Counters of one request."""

    def __init__(self):
        self.queries = 0
        self.sql = 0.0
        self.template = 0.0
        self.queries_in_template = 0
        self.sql_in_template = 0.0
        self.depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.queries += 1
            self.sql += elapsed
            if self.depth:
                self.queries_in_template += 1
                self.sql_in_template += elapsed


@contextmanager
def probing():
    """Yield a fresh Probe per request: `with probing() as new: probe = new(); client.get(...)`
    (the template renderer is patched for the duration of the block, in this process only)."""
    current: list[Probe] = []
    original = Template.render

    def render(self, *args, **kwargs):
        probe = current[-1] if current else None
        if probe is None or probe.depth:  # not probed, or inside the outermost render
            return original(self, *args, **kwargs)
        probe.depth = 1
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            probe.template += time.perf_counter() - started
            probe.depth = 0

    def new() -> Probe:
        current.append(Probe())
        return current[-1]

    Template.render = render
    try:
        with connection.execute_wrapper(lambda *a: current[-1].execute(*a)):
            yield new
    finally:
        Template.render = original


def profile(client, path: str, repeats: int = REPEATS) -> dict:
    """The median request (by total time) of `repeats`, after a warm-up, split into SQL,
    templates and Python (milliseconds)."""
    client.get(path)  # warm-up: per-process caches, prepared statements
    samples = []
    with probing() as new:
        for _ in range(repeats):
            probe = new()
            started = time.perf_counter()
            response = client.get(path)
            total = time.perf_counter() - started
            samples.append((total, probe, response.status_code))
    total, probe, status = sorted(samples, key=lambda s: s[0])[len(samples) // 2]
    template = probe.template - probe.sql_in_template
    return {
        "status": status,
        "total_ms": ms(total),
        "sql_ms": ms(probe.sql),
        "queries": probe.queries,
        "template_ms": ms(template),
        "python_ms": ms(total - probe.sql - template),
        "queries_in_template": probe.queries_in_template,
        "spread_ms": ms(statistics.pstdev(s[0] for s in samples)),
        "repeats": repeats,
    }


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def pages() -> list[dict]:
    """A profile of the bare view and of every available page, as the role it is loaded as."""
    from django.urls import reverse

    from bench.measure import clients, resolve
    from bench.pages import PAGES, Refs

    refs, by_role = Refs(), clients()
    bare = profile(by_role["anonymous"], reverse("bench_bare"))
    rows = [{"page": "bare view", "role": "anonymous", **bare}]
    for page in PAGES:
        role = page.role_for_load
        path, reason = resolve(page, refs)
        client = by_role.get(role)
        if path is None or client is None:
            rows.append({"page": page.label, "role": role, "status": reason or "no persona"})
            continue
        rows.append({"page": page.label, "role": role, "path": path, **profile(client, path)})
    return rows
