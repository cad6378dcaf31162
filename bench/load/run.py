"""Load run: gunicorn on loopback against PostgreSQL, locust in headless mode, then checks.

    DATABASE_URL=postgres://postgres@127.0.0.1:55433/load .venv/bin/python bench/load/run.py            # 5 min, 50 users
    DATABASE_URL=... .venv/bin/python bench/load/run.py --smoke                                          # 40 s, 20 users (CI)

The database named in DATABASE_URL is created if missing and migrated (never dropped). The stack
is the production one (Dockerfile): gunicorn with --preload, and, when REDIS_URL is set, a Celery
worker on that Redis renders receipts and sends e-mail outside the requests (without REDIS_URL the
tasks run eagerly in the web process). Every gunicorn worker serves a warm-up round before the
measured run, as a running server's workers have. Passes
when: zero 5xx responses, every seeded user logged in, every write that the server accepted
(sign-ups, join requests, applications, RSVP answers, event registrations) is in the database
exactly once and every receipt was sent within RECEIPTS_WAIT_S of the end (bench/load/checks.py), the request failure ratio is under 1%, and p95 and p99 of
all requests stay under the bounds of the CI machine (LATENCY_BOUNDS_MS in bench/load/checks.py,
cited by README)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.checks import LATENCY_BOUNDS_MS, latency_problems  # noqa: E402

BIN = Path(sys.executable).parent
SETTINGS = "bench.load.settings"
RECEIPTS_WAIT_S = 90
# what each gunicorn worker serves before the measured run (pages every simulated user opens)
WARM_UP_PATHS = ("/", "/account/login/", "/account/signup/", "/privacy/", "/ambiti/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')  # name from our own DATABASE_URL


def manage(env: dict, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, input=stdin, text=True
    )


def check_writes(env: dict, results: Path, seed: Path) -> dict:
    """bench/load/checks.py in the load settings: every accepted write stored exactly once."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.load.checks", str(results), str(seed)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def warm_up(host: str, workers: int, threads: int) -> None:
    """Each path requested by enough concurrent clients that every worker process serves it."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> None:
        with urllib.request.urlopen(f"{host}{path}", timeout=30) as r:  # noqa: S310 - loopback
            r.read()

    with ThreadPoolExecutor(max_workers=workers * threads) as pool:
        list(pool.map(get, [p for p in WARM_UP_PATHS for _ in range(2 * workers * threads)]))


def checked_writes(env: dict, results: Path, seed: Path) -> dict:
    """check_writes, again while a receipt is still in the Celery queue (up to RECEIPTS_WAIT_S)."""
    deadline = time.monotonic() + RECEIPTS_WAIT_S
    while True:
        writes = check_writes(env, results, seed)
        pending = [p for p in writes["problems"] if "receipt was never sent" in p]
        if not pending or time.monotonic() > deadline:
            return writes
        time.sleep(2)


def judge(*, locust_exit: int, results: dict, total: dict, writes: dict) -> list[str]:
    """What failed in a load run: locust's exit code, what the locustfile recorded (5xx,
    logins), the writes checked in the database, locust's "Aggregated" row of its stats CSV
    (failure ratio; latency against LATENCY_BOUNDS_MS in checks.py)."""
    problems = []
    if locust_exit not in (0, 1):
        problems.append(f"locust exited {locust_exit}")
    if results["server_errors"]:
        problems.append(
            f"{len(results['server_errors'])} responses 5xx: {results['server_errors'][:10]}"
        )
    if results["logins_failed"]:
        problems.append(f"{results['logins_failed']} logins failed")
    problems += writes["problems"]
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    if requests == 0 or failures / requests > 0.01:
        problems.append(f"{failures} failed requests out of {requests}")
    problems += latency_problems(total)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", default="5m")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--smoke", action="store_true", help="40 s, 20 users arriving over 5 s (CI)"
    )
    args = parser.parse_args()
    if args.smoke:
        # 20 users arriving over 5 s, for 40 s. Each logs in first: PBKDF2 costs ~0.25 s of CPU
        # per login, so 20 arriving in the same second queued ~5 s of hashing on 2 cores, and
        # those 20 logins alone decided p99 (and, in a 20 s run, p95) whatever the pages cost.
        args.users, args.spawn_rate, args.duration = 20, 4, "40s"

    url = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print(
            "bench/load/run.py needs DATABASE_URL (or LOAD_DATABASE_URL) pointing at PostgreSQL",
            file=sys.stderr,
        )
        return 2
    out_dir = ROOT / "var" / "load"
    out_dir.mkdir(parents=True, exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="load-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": url,
        "STATIC_ROOT": static_root,
        "LOAD_RESULTS": str(out_dir / "results.json"),
        "LOAD_SEED_FILE": str(out_dir / "seed.json"),
        "PYTHONPATH": str(ROOT),
    }
    if not env.get("REDIS_URL"):
        env.pop("REDIS_URL", None)  # tasks run eagerly in the web process; no broker needed
    ensure_database(url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", stdin=(ROOT / "bench" / "load" / "seed.py").read_text())

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--preload",
            "--timeout",
            "60",
            # Longer than locust's longest think time (3 s): with gunicorn's default of 2 s, the
            # server closed idle connections just as a user reused them ("connection reset").
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    celery = None
    if env.get("REDIS_URL"):
        celery = subprocess.Popen(
            [str(BIN / "celery"), "-A", "config", "worker", "-c", "1", "-l", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # ready when its database and Redis answer (a worker's heartbeat comes later)
                ready = f"{host}/health/?only=database,redis"
                with urllib.request.urlopen(ready, timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or gunicorn.poll() is not None:
                print("gunicorn did not start", file=sys.stderr)
                return 1
            time.sleep(0.5)
        warm_up(host, args.workers, args.threads)
        prefix = out_dir / "locust"
        result = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.duration,
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        results = json.loads((out_dir / "results.json").read_text())
        with open(f"{prefix}_stats.csv") as fh:
            total = next(row for row in csv.DictReader(fh) if row["Name"] == "Aggregated")
        writes = checked_writes(env, out_dir / "results.json", out_dir / "seed.json")
    finally:
        for process in filter(None, (gunicorn, celery)):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(static_root, ignore_errors=True)

    problems = judge(locust_exit=result.returncode, results=results, total=total, writes=writes)
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    print(
        f"load: {requests} requests, {failures} failures, p50 {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms (bounds: p95 ≤ {LATENCY_BOUNDS_MS['p95']}, "
        f"p99 ≤ {LATENCY_BOUNDS_MS['p99']} ms), {float(total['Requests/s']):.1f} req/s; {results['logins_ok']} logins; "
        f"writes stored: {writes['counts']}"
    )
    for p in problems:
        print("LOAD FAILURE:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
