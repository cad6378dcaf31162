"""Settings for pytest. DATABASE_URL and REDIS_URL, when set (CI), point at real services."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, VAR_DIR, env

# Playwright's sync API runs an event loop in the test thread (see FIELD-NOTES).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEBUG = False
SECRET_KEY = "test-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"
STORAGES["private"]["OPTIONS"] = {
    "location": str(PRIVATE_MEDIA_ROOT),
    "base_url": "/private-not-served/",
}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Each pytest-xdist process gets a Redis database of its own, so that a worker started by one
# process never takes the tasks of another (the worker inherits PYTEST_XDIST_WORKER).
_redis = os.environ.get("REDIS_URL", "")
if _redis:
    _base, _, _db = _redis.rstrip("/").rpartition("/")
    if not _db.isdigit():
        _base, _db = _redis.rstrip("/"), "0"
    _worker = int(
        "0" + "".join(c for c in os.environ.get("PYTEST_XDIST_WORKER", "") if c.isdigit())
    )
    _redis = f"{_base}/{(int(_db) + 1 + _worker) % 16}"
CELERY_BROKER_URL = _redis or "memory://"
CELERY_RESULT_BACKEND = _redis or None
# Tests of MFA enforcement switch it on (tests/ambito/test_mfa.py).
MFA_REQUIRED_FOR_STAFF = False
# Rate limits would make the tests depend on each other.
ACCOUNT_RATE_LIMITS = False
PORTAL_RATE_LIMITS: dict[str, str] = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
DATABASES["default"]["TEST"] = (
    {"NAME": os.environ.get("TEST_DATABASE_NAME")} if os.environ.get("TEST_DATABASE_NAME") else {}
)

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405

# A Celery worker started by a fault test sends to the test's SMTP server (tests/security).
if os.environ.get("TEST_EMAIL_URL"):
    vars().update(env.email_url("TEST_EMAIL_URL"))  # noqa: F405
