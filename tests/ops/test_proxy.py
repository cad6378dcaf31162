"""The reverse proxy of docker-compose.yml, run for real: Debian's caddy with deploy/Caddyfile
(the stack uses the official caddy:2 image with the same file). It serves public uploads from
the media folder, never anything outside it, and passes the rest to the upstream with the
forwarding headers it sets itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES, free_port

ROOT = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy")


@pytest.fixture
def upstream():
    """Stands for gunicorn: answers every request with the headers it received, as JSON."""

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def proxy(tmp_path, upstream):
    if not CADDY:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but caddy is not installed (apt-get install caddy)")
        pytest.skip("caddy not installed")
    media = tmp_path / "media"
    (media / "entities" / "logos").mkdir(parents=True)
    (tmp_path / "private" / "applications").mkdir(parents=True)
    (tmp_path / "private" / "applications" / "domanda.pdf").write_bytes(b"%PDF private")
    port, admin = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "MEDIA_DIR": str(media),
        "UPSTREAM": f"127.0.0.1:{upstream}",
        "CADDY_ADMIN": f"127.0.0.1:{admin}",
    }
    process = subprocess.Popen(
        [CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/", timeout=1)  # noqa: S310 - loopback
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"caddy did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield base, media
    process.terminate()
    process.wait(timeout=10)


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_public_uploads_are_served_from_the_media_folder_with_safe_headers(proxy):
    base, media = proxy
    logo = bytes(range(256)) * 10
    (media / "entities" / "logos" / "il-ponte.png").write_bytes(logo)
    status, headers, body = _get(f"{base}/media/entities/logos/il-ponte.png")
    assert status == 200 and body == logo
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "Server" not in headers


@pytest.mark.parametrize(
    "path",
    [
        "/media/../private/applications/domanda.pdf",
        "/media/%2e%2e/private/applications/domanda.pdf",
        "/media/..%2fprivate/applications/domanda.pdf",
        "/media/entities/",
        "/media/",
    ],
)
def test_nothing_outside_the_media_folder_and_no_listing(proxy, path):
    base, _ = proxy
    status, _, body = _get(f"{base}{path}")
    assert b"%PDF private" not in body
    if path in ("/media/entities/", "/media/"):
        assert status == 404  # no directory listing
    elif status == 200:  # a path that cleans to /private/... is the portal's (a 404 there)
        assert json.loads(body)["path"] == path


def test_everything_else_goes_to_the_portal_with_the_proxy_s_own_forwarding_headers(proxy):
    base, _ = proxy
    status, _, body = _get(
        f"{base}/enti/?q=1",
        headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"},
    )
    assert status == 200
    seen = json.loads(body)
    assert seen["path"] == "/enti/?q=1"
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    # A client's own X-Forwarded-For is replaced: one proxy, ALLAUTH_TRUSTED_PROXY_COUNT=1.
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"  # the scheme the client used (https in prod)
    assert headers["host"].startswith("127.0.0.1:")
