"""bench/profile.py: where a page's time goes (SQL, templates, Python), page cache off."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.backends.django import Template
from django.test.utils import CaptureQueriesContext

from bench.profile import profile

pytestmark = pytest.mark.django_db


def test_a_page_profile_splits_the_request_and_counts_its_queries(client, settings, ambito):
    settings.PAGE_CACHE_SECONDS = 0
    render = Template.render
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    expected = len(ctx.captured_queries)  # (the next request empties connection.queries)

    row = profile(client, "/", repeats=3)

    assert row["status"] == 200 and row["repeats"] == 3
    assert row["queries"] == expected > 0
    assert row["sql_ms"] > 0 and row["template_ms"] > 0 and row["python_ms"] > 0
    parts = row["sql_ms"] + row["template_ms"] + row["python_ms"]
    assert abs(parts - row["total_ms"]) <= 0.2  # rounding of three parts
    assert 0 <= row["queries_in_template"] <= row["queries"]
    assert Template.render is render  # the renderer is restored


def test_queries_run_by_a_template_are_counted_apart(rf, ambito):
    from django.template import engines

    from bench.profile import probing

    template = engines["django"].from_string("{% for a in ambiti %}{{ a.name }}{% endfor %}")
    from ambito.models import Ambito

    with probing() as new:
        probe = new()
        list(Ambito.objects.all())  # in the view: not from the template
        template.render({"ambiti": Ambito.objects.all()})
    assert probe.queries == 2
    assert probe.queries_in_template == 1
    assert probe.template >= probe.sql_in_template > 0
