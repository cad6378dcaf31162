"""What /health/ checks: the database, Redis (cache, sessions and the Celery broker) and whether
a Celery worker ran the beat-scheduled heartbeat recently (so both beat and a worker are alive).

Each check returns {"status": "ok" | "error" | "skipped", ...}. Errors name the exception's
class only: the page is public, and messages can carry host names or credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        return {"status": "error", "error": type(exc).__name__}
    return {"status": "ok"}


def redis_urls() -> list[str]:
    """The Redis servers the portal depends on: the cache's and the Celery broker's."""
    urls: list[str] = []
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        location = cache["LOCATION"]
        urls += [location] if isinstance(location, str) else list(location)
    broker = settings.CELERY_BROKER_URL or ""
    if broker.startswith(REDIS_SCHEMES):
        urls.append(broker)
    return list(dict.fromkeys(urls))


def check_redis() -> dict:
    import redis

    urls = redis_urls()
    if not urls:
        return {"status": "skipped", "reason": "no Redis configured (embedded mode)"}
    for url in urls:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        except Exception as exc:  # noqa: BLE001
            return {"status": "error", "error": type(exc).__name__}
        finally:
            client.close()
    return {"status": "ok"}


def check_worker(now: datetime | None = None) -> dict:
    from core.models import WorkerHeartbeat

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "skipped", "reason": "tasks run in the web process (embedded mode)"}
    try:
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": type(exc).__name__}
    if last is None:
        return {"status": "error", "error": "no heartbeat yet"}
    age = int(((now or timezone.now()) - last).total_seconds())
    result = {"last_heartbeat": last.isoformat(), "age_seconds": age}
    if age > settings.HEALTH_WORKER_MAX_AGE:
        return {"status": "error", "error": "heartbeat too old", **result}
    return {"status": "ok", **result}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
}


def run(only: list[str] | None = None) -> tuple[bool, dict]:
    """(healthy, body). `only`: a subset of CHECKS (unknown names are ignored)."""
    names = [name for name in CHECKS if not only or name in only]
    checks = {name: CHECKS[name]() for name in names}
    failed = [name for name, result in checks.items() if result["status"] == "error"]
    body: dict[str, object] = {"status": "error" if failed else "ok", "checks": checks}
    if failed:
        body["failed"] = failed
    return not failed, body
