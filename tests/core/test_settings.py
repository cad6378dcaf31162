"""Production settings come from the environment and refuse to start when one is wrong."""

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    # Generated per run: a key written in the repository is refused (see below).
    "SECRET_KEY": secrets.token_urlsafe(50),
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


# --- the secret key -----------------------------------------------------------------------
# Every key ever committed to this repository (Dockerfile, Makefile, bench, tests, the old
# embedded default): anyone can read them, so anyone could sign sessions, password-reset, RSVP
# and calendar-feed links with them.
PUBLISHED_KEYS = [
    "embedded-insecure-key-change-me",
    "build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "k7Qv2Lp9Xw4Rz8Tn3Hy6Bd1Fm5Gs0Jc7Vu2Ne9Ka4Wq8Pt3Zr6Lx1Yh5Dm0S",
    "bench-x9Qm2Lr7Tz4Wk8Np3Hs6Dv1Fb5Gc0Jy7Ue2Na9Ka4Wq8Pt3Zr6L",
    "x" * 20 + "a-very-long-random-secret-key-for-tests-only-0123456789",
    "test-secret-key",
]


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_production_refuses_a_key_published_in_the_repository(key):
    result = _check({**GOOD, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


_ASSIGNED_KEY = re.compile(r"""SECRET_KEY["']?[ \t]*[:=][ \t]*["']?([^\s"'\\]{8,})""")
_SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "__pycache__", ".ruff_cache"}


def _repository_files():
    for path in ROOT.rglob("*"):
        if path.is_file() and not _SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            try:
                yield path, path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue


def test_every_key_written_in_the_repository_is_refused_by_production():
    """A key committed anywhere (a Makefile target, a Dockerfile step, an example) must never
    start production: the check reads the refusal list, this test keeps the list complete."""
    from config.secret_key import KeyRefused, check_production_key

    found = {
        (str(path.relative_to(ROOT)), m.group(1))
        for path, text in _repository_files()
        for m in _ASSIGNED_KEY.finditer(text)
    }
    assert found, "the pattern finds the assignments (it must not silently match nothing)"
    accepted = []
    for where, key in sorted(found):
        try:
            check_production_key(key)
        except KeyRefused:
            continue
        accepted.append((where, key))
    assert accepted == [], (
        f"keys written in the repository that production would accept: {accepted}"
    )


def _embedded_key(key_file: Path) -> subprocess.CompletedProcess:
    return _manage(
        {"DJANGO_SETTINGS_MODULE": "config.settings.local", "SECRET_KEY_FILE": str(key_file)},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )


def test_embedded_mode_generates_a_private_random_key_once_and_reuses_it(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    first = _embedded_key(key_file)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert key not in PUBLISHED_KEYS and len(key) >= 50
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "readable by its owner only"
    second = _embedded_key(key_file)
    assert second.stdout.strip().splitlines()[-1] == key, "the next start reuses the same key"
    assert _embedded_key(tmp_path / "other" / "secret_key").stdout.strip() != key


def test_the_generated_key_file_is_never_in_the_repository():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "var/" in ignored
    assert "var" in (ROOT / ".dockerignore").read_text().splitlines()


def test_a_key_file_left_readable_by_others_is_made_private(tmp_path):
    from config.secret_key import embedded_secret_key

    key_file = tmp_path / "secret_key"
    key = embedded_secret_key(key_file)
    key_file.chmod(0o644)
    assert embedded_secret_key(key_file) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
