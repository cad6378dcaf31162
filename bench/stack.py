"""The services a benchmark run uses: the database and Redis (from DATABASE_URL / REDIS_URL,
default: the dev services), gunicorn and a Celery worker started here on loopback ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "config.settings.bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:55433/bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:56380/7"
CELERY_QUEUE = "bench"  # its own queue: never steals the tasks of tests sharing the Redis db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bin_path(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "CELERY_TASK_DEFAULT_QUEUE": CELERY_QUEUE,
        **extra,
    }
    # This checkout first: an editable install of another checkout in the same venv must not
    # provide modules to the worker or to gunicorn (celery does not put the cwd on sys.path).
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def reset_database(database_url: str) -> None:
    """Create the benchmark database if missing, and empty it (drop and re-create its schema)."""
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def clear_redis(redis_url: str) -> None:
    """Delete the benchmark's cache and session keys (prefix "bench"), and its queue."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="bench:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    client.delete(CELERY_QUEUE)


class Process:
    """A child process, stopped (terminate, then kill) when the `with` block ends."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log.open("w")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> Process:
    """The production command of the Dockerfile, on loopback."""
    process = Process(
        [
            bin_path("gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--preload",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
            "--timeout",
            "60",
        ],
        env,
        log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start-up: see {log}")
        try:
            # ready when its database and Redis answer (the worker starts after gunicorn)
            ready = f"http://127.0.0.1:{port}/health/?only=database,redis"
            with urllib.request.urlopen(ready, timeout=2) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within 60 s: see {log}")


def celery_worker(env: dict[str, str], log: Path, concurrency: int = 2) -> Process:
    """The production worker (docker-compose.yml: concurrency 2), on the benchmark's queue."""
    from config.celery import app

    name = f"bench-{os.getpid()}@%h"
    process = Process(
        [
            bin_path("celery"),
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            str(concurrency),
            "-Q",
            CELERY_QUEUE,
            "-n",
            name,
        ],
        env,
        log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited at start-up: see {log}")
        replies = app.control.inspect(timeout=1).ping() or {}
        if any(k.startswith(f"bench-{os.getpid()}@") for k in replies):
            return process
    raise RuntimeError(f"the Celery worker did not answer within 60 s: see {log}")
