"""/health/: the database, Redis and a recent heartbeat of a Celery worker, as JSON; 503 naming
the part that failed. Embedded mode (SQLite, eager tasks, no Redis) and the production shape
(PostgreSQL, Redis, a real worker)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from config.celery import app
from core.models import WorkerHeartbeat
from core.tasks import heartbeat
from tests.conftest import free_port


@pytest.fixture
def embedded(settings):
    """What config.settings.local runs with: tasks in the web process, no Redis."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return settings


@pytest.fixture
def production_shape(settings):
    """Cache, sessions and broker on Redis, tasks sent to a worker (config.settings.production)."""
    redis_url = app.conf.broker_url
    if not redis_url.startswith("redis://"):
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    return settings


def _health(query: str = ""):
    response = Client(raise_request_exception=False).get(f"/health/{query}")
    return response.status_code, response.json()


# --- embedded mode ------------------------------------------------------------------------
@pytest.mark.django_db
def test_embedded_mode_checks_the_database_and_says_why_the_rest_is_skipped(embedded):
    status, body = _health()
    assert status == 200
    assert body["status"] == "ok" and "failed" not in body
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"]["status"] == "skipped"
    assert body["checks"]["worker"] == {
        "status": "skipped",
        "reason": "tasks run in the web process (embedded mode)",
    }


@pytest.mark.django_db
def test_only_runs_the_named_checks(embedded):
    status, body = _health("?only=database")
    assert status == 200 and list(body["checks"]) == ["database"]


@pytest.mark.django_db
def test_health_is_never_stored_by_caches(client, embedded):
    assert client.get("/health/")["Cache-Control"] == "no-store"


def test_database_unreachable_is_a_503_naming_the_database(transactional_db, embedded):
    saved = dict(connection.settings_dict)
    try:
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict["PORT"] = str(free_port())
        else:
            connection.settings_dict["NAME"] = "/nonexistent-folder/portal.sqlite3"
        status, body = _health()
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert status == 503
    assert body["status"] == "error" and body["failed"] == ["database"]
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert _health()[0] == 200


# --- production shape ---------------------------------------------------------------------
@pytest.mark.django_db
def test_no_heartbeat_yet_is_a_503_naming_the_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    status, body = _health()
    assert status == 503 and body["failed"] == ["worker"]
    assert body["checks"]["worker"] == {"status": "error", "error": "no heartbeat yet"}


@pytest.mark.django_db
def test_a_heartbeat_older_than_the_limit_is_a_503(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    settings.HEALTH_WORKER_MAX_AGE = 300
    WorkerHeartbeat.objects.create(worker="w1@h", seen_at=timezone.now() - timedelta(seconds=301))
    status, body = _health()
    assert status == 503 and body["failed"] == ["worker"]
    assert body["checks"]["worker"]["error"] == "heartbeat too old"
    assert body["checks"]["worker"]["age_seconds"] >= 301
    # The newest heartbeat of any worker counts.
    WorkerHeartbeat.objects.create(worker="w2@h", seen_at=timezone.now() - timedelta(seconds=30))
    status, body = _health()
    assert status == 200 and body["checks"]["worker"]["status"] == "ok"


@pytest.mark.django_db
def test_redis_unreachable_is_a_503_naming_redis(settings):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_URL = dead
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    status, body = _health("?only=database,redis")
    assert status == 503 and body["failed"] == ["redis"]
    assert body["checks"]["redis"] == {"status": "error", "error": "ConnectionError"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert "127.0.0.1" not in str(body)  # no address or credential on a public page


def test_the_heartbeat_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry == {"task": "core.tasks.heartbeat", "schedule": 60.0}
    assert entry["task"] == heartbeat.name and entry["task"] in app.tasks


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
def test_production_shape_with_a_live_worker(production_shape, celery_worker_process):
    # The worker recorded itself when it started ...
    status, body = _health()
    assert status == 200, body
    assert body["checks"] == {
        "database": {"status": "ok"},
        "redis": {"status": "ok"},
        "worker": body["checks"]["worker"] | {"status": "ok"},
    }
    assert body["checks"]["worker"]["age_seconds"] < 60
    # ... and the heartbeat task, sent through Redis as beat sends it, moves the time on.
    started = WorkerHeartbeat.objects.get()
    assert started.worker.startswith(f"test-{os.getpid()}@")
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    assert _health()[0] == 503
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.get().seen_at > timezone.now() - timedelta(minutes=1):
            break
        time.sleep(0.2)
    status, body = _health()
    assert status == 200, body
    assert body["checks"]["worker"]["age_seconds"] < 60
