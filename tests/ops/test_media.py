"""Public uploads (entity logos) are served: by Django in the embedded mode of `make run`, by the
reverse proxy of docker-compose.yml in production; private files never are."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse
from PIL import Image

from entities.models import Activity, Entity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded_urls(settings):
    """The URLconf as config.settings.local builds it (SERVE_MEDIA on)."""
    import config.urls

    settings.SERVE_MEDIA = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.SERVE_MEDIA = False
    importlib.reload(config.urls)
    clear_url_caches()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_a_logo_uploaded_through_the_form_is_served_at_its_url(
    embedded_urls,
    client_for,
    no_role_user,
    registration_data,
    png_bytes,
):
    data = {**registration_data, "logo": SimpleUploadedFile("logo.png", png_bytes, "image/png")}
    # The reference lists are loaded again (new ids) after a transactional test: no fixed id.
    data["activities"] = [str(Activity.objects.order_by("pk").first().pk)]
    client = client_for(no_role_user)
    assert client.post(reverse("entities:register"), data).status_code == 302
    entity = Entity.objects.get(name=registration_data["name"])
    url = entity.logo.url
    assert url.startswith("/media/entities/logos/")
    # The entity's page shows the logo at that address ...
    assert url in client.get(entity.get_absolute_url()).content.decode()
    # ... and a visitor gets the same bytes back.
    response = client_for(None).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    body = _body(response)
    with entity.logo.open("rb") as stored:
        assert body == stored.read()
    # The upload pipeline re-encodes images (no metadata kept): the same picture comes back.
    served = Image.open(io.BytesIO(body))
    assert served.size == (40, 40) and served.convert("RGB").getpixel((5, 5)) == (200, 30, 30)


@pytest.mark.django_db
def test_private_files_are_not_reachable_under_media(embedded_urls, client, settings):
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    (private / "applications").mkdir(parents=True)
    (private / "applications" / "domanda.pdf").write_bytes(b"%PDF-1.7 private")
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    for path in (
        "/media/applications/domanda.pdf",
        "/media/../private/applications/domanda.pdf",
        "/media/%2e%2e/private/applications/domanda.pdf",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"private" not in _body(response)


@pytest.mark.django_db
def test_without_serve_media_django_does_not_serve_uploads(client, settings):
    Path(settings.MEDIA_ROOT, "entities").mkdir(parents=True)
    Path(settings.MEDIA_ROOT, "entities", "x.png").write_bytes(b"png")
    assert client.get("/media/entities/x.png").status_code == 404


@pytest.mark.parametrize(
    ("module", "expected"),
    [("config.settings.local", "True"), ("config.settings.production", "False")],
)
def test_only_the_embedded_settings_serve_media(module, expected):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))},
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "portal.example.org",
        "SITE_URL": "https://portal.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DEFAULT_FROM_EMAIL": "portale@example.org",
    }
    if module.endswith("local"):
        env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    probe = "import django; django.setup(); from django.conf import settings; print(settings.SERVE_MEDIA)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
