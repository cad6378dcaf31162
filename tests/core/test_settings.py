"""Production settings come from the environment and refuse to start when one is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 20 + "a-very-long-random-secret-key-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "portale@example.org",
}


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return _manage(env, "check", *args)


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """manage.py with `env` alone for the settings (none inherited from this process)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and not k.startswith(("DJANGO", "REDIS", "DATABASE"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check(GOOD, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL", "SITE_URL", "DEFAULT_FROM_EMAIL"],
)
def test_missing_variable_stops_startup_naming_it(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _check(env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "sqlite:///x.db"),
        ("REDIS_URL", "memcache://x"),
        ("SECRET_KEY", "short"),
        ("SITE_URL", "portal.example.org"),
        ("DATABASE_PREPARE_THRESHOLD", "sometimes"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(name, value):
    result = _check({**GOOD, name: value})
    assert result.returncode != 0
    assert name in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "{'server_side_binding': True, 'prepare_threshold': 5}"),
        ("0", "{'server_side_binding': True, 'prepare_threshold': 0}"),
        ("off", "{}"),  # PgBouncer in transaction mode
    ],
)
def test_prepared_statements_from_the_environment(value, expected):
    env = {**GOOD} if value is None else {**GOOD, "DATABASE_PREPARE_THRESHOLD": value}
    probe = (
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    result = _manage(env, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
