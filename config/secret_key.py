"""The SECRET_KEY signs sessions, password-reset links, the RSVP links of invitations, the links
of event registrations and the calendar feeds: whoever knows it can forge any of them.

- The embedded mode (`make run`, the load run) generates a random key on its first start into
  `var/secret_key` (readable by its owner only; `var/` is never in git nor in an image) and reads
  it on every later start, so sessions and links survive a restart. `SECRET_KEY_FILE` moves it.
- Production takes the key from the environment and refuses one that anybody can read: too short,
  Django's "django-insecure" placeholder, or any key ever written in this repository (the list
  below; tests/core/test_settings.py fails when a key is committed that is not in it)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
MIN_LENGTH = 50

# Every key ever committed here (settings defaults, Makefile, Dockerfile, bench, tests).
PUBLISHED_KEYS = frozenset(
    {
        "embedded-insecure-key-change-me",
        "build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "k7Qv2Lp9Xw4Rz8Tn3Hy6Bd1Fm5Gs0Jc7Vu2Ne9Ka4Wq8Pt3Zr6Lx1Yh5Dm0S",
        "bench-x9Qm2Lr7Tz4Wk8Np3Hs6Dv1Fb5Gc0Jy7Ue2Na9Ka4Wq8Pt3Zr6L",
        "xxxxxxxxxxxxxxxxxxxxa-very-long-random-secret-key-for-tests-only-0123456789",
        "test-secret-key",
    }
)


class KeyRefused(ImproperlyConfigured):
    pass


def check_production_key(key: str) -> None:
    """Raise KeyRefused (naming the variable, never the value) for a key others may know."""
    if len(key) < MIN_LENGTH or key.startswith("django-insecure"):
        raise KeyRefused(
            f"Variabile d'ambiente non valida: SECRET_KEY (almeno {MIN_LENGTH} caratteri casuali)"
        )
    if key in PUBLISHED_KEYS:
        raise KeyRefused(
            "Variabile d'ambiente non valida: SECRET_KEY (è una chiave pubblicata nel codice del "
            "portale: generane una nuova)"
        )


def key_file() -> Path:
    return Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / "var" / "secret_key")


def embedded_secret_key(path: Path | None = None) -> str:
    """The embedded mode's key: read from `path`, generated there (mode 0600) on the first start.
    Two processes starting together agree on one key: the file appears whole, by a hard link
    that fails if the other process made it first."""
    path = path or key_file()
    key = path.read_text().strip() if path.exists() else ""
    if not key:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # created 0600
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            if not path.read_text().strip():  # an empty file left by a crash
                os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        key = path.read_text().strip()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return key
