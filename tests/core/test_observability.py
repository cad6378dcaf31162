"""Error reports: Sentry-compatible DSN (GlitchTip speaks the same protocol), ADMINS by e-mail,
JSON logs. Each is read back: the envelope a server received, the e-mail, the log line."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.settings.base import parse_admins

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY", "LOG_", "ADMINS"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def sentry_server():
    """A server that accepts Sentry envelopes (POST /api/<project>/envelope/) on loopback."""
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":  # sentry-sdk compresses with brotli when it is installed
                body = brotli.decompress(body)
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    yield server
    server.shutdown()


# Through the real WSGI application (as gunicorn calls it), so that Sentry sees the request as
# it would in production.
RAISE_IN_A_VIEW = """
import django, sentry_sdk
django.setup()
from unittest import mock
from wsgiref.util import setup_testing_defaults
from django.test import override_settings
import core.views
environ = {}
setup_testing_defaults(environ)
environ.update(
    PATH_INFO="/", QUERY_STRING="q=1", HTTP_HOST="testserver", REMOTE_ADDR="203.0.113.9",
    HTTP_COOKIE="sessionid=secret-session-4b1d", HTTP_X_FORWARDED_FOR="203.0.113.9",
)
status = []
with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"), \\
        mock.patch.object(core.views, "render", side_effect=RuntimeError("boom-7f3a")):
    from django.core.wsgi import get_wsgi_application  # its middleware reads the settings above
    application = get_wsgi_application()
    b"".join(application(environ, lambda code, headers, exc_info=None: status.append(code)))
print("status", status[0])
print("integrations", sorted(sentry_sdk.get_client().integrations))
sentry_sdk.flush(timeout=10)
"""


def _events(received: list[tuple[str, bytes]]) -> list[dict]:
    """The error events of the envelopes (one JSON object a line: header, item header, item)."""
    events = []
    for _, body in received:
        for line in body.split(b"\n"):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                events.append(item)
    return events


def test_an_error_in_a_view_reaches_the_sentry_server_without_personal_data(sentry_server):
    port = sentry_server.server_address[1]
    result = _run(RAISE_IN_A_VIEW, SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42")
    assert result.returncode == 0, result.stderr
    assert "status 500" in result.stdout
    integrations = result.stdout.split("integrations", 1)[1]
    assert "'django'" in integrations and "'celery'" in integrations
    assert {path for path, _ in sentry_server.received} == {"/api/42/envelope/"}
    [event] = _events(sentry_server.received)
    exception = event["exception"]["values"][-1]  # the one raised last (older ones chained)
    assert (exception["type"], exception["value"]) == ("RuntimeError", "boom-7f3a")
    assert exception["mechanism"]["type"] == "django"
    request = event["request"]
    assert request["url"] == "http://testserver/" and request["query_string"] == "q=1"
    # send_default_pii is off: no cookie, no client address, no user.
    raw = json.dumps(event)
    assert "secret-session-4b1d" not in raw and "203.0.113.9" not in raw
    assert "cookies" not in request and "user" not in event


def test_without_a_dsn_nothing_is_sent(sentry_server):
    result = _run(RAISE_IN_A_VIEW)
    assert result.returncode == 0, result.stderr
    assert "status 500" in result.stdout
    assert sentry_server.received == []


def test_admins_from_the_environment():
    assert parse_admins("") == [] and parse_admins("  ") == []
    assert parse_admins("ops@example.org, ") == [("ops@example.org", "ops@example.org")]
    assert parse_admins("Ufficio di Piano <udp@comune.example.it>, ops@example.org") == [
        ("Ufficio di Piano", "udp@comune.example.it"),
        ("ops@example.org", "ops@example.org"),
    ]
    with pytest.raises(ImproperlyConfigured, match="ADMINS"):
        parse_admins("not an address")


@pytest.mark.django_db
def test_a_server_error_is_mailed_to_admins(settings, mailoutbox, monkeypatch):
    settings.ADMINS = [("Ufficio di Piano", "udp@comune.example.it")]
    import core.registry

    def boom(slot, request, *args):
        raise RuntimeError("boom-in-home")

    monkeypatch.setattr(core.registry, "render", boom)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    [message] = [m for m in mailoutbox if m.to == ["udp@comune.example.it"]]
    assert message.subject.startswith(f"[{settings.PORTAL_NAME}] ERROR")
    assert "Internal Server Error: /" in message.subject
    assert "boom-in-home" in message.body


@pytest.mark.django_db
def test_a_failed_celery_task_is_mailed_to_admins(settings, mailoutbox):
    """celery.app.trace logs a task's failure at ERROR; the worker runs it for real here."""
    from celery import shared_task

    from config.celery import app

    settings.ADMINS = [("Ops", "ops@example.org")]

    @shared_task(name="tests.failing_task")
    def failing_task():
        raise ValueError("task-went-wrong")

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        failing_task.apply()  # the worker's code path: trace, log, no propagation
    finally:
        app.conf.task_eager_propagates = previous
    assert any(m.to == ["ops@example.org"] and "task-went-wrong" in m.body for m in mailoutbox), [
        m.subject for m in mailoutbox
    ]


def test_json_logs_are_one_object_a_line():
    code = (
        "import django, logging; django.setup()\n"
        "log = logging.getLogger('core.example')\n"
        "log.warning('hello %s', 'mondo')\n"
        "try:\n    1/0\nexcept ZeroDivisionError:\n    log.exception('failed')\n"
    )
    result = _run(code, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines[0]["message"] == "hello mondo"
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "core.example"
    assert "timestamp" in lines[0]
    assert lines[1]["message"] == "failed" and "ZeroDivisionError" in lines[1]["exc_info"]


def test_plain_logs_by_default_and_a_wrong_format_stops_startup():
    result = _run("import django, logging; django.setup(); logging.getLogger('x').warning('hi')")
    assert result.returncode == 0 and " WARNING x: hi" in result.stderr
    result = _run("import django; django.setup()", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr
