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
CELERY_BROKER_URL = os.environ.get("REDIS_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("REDIS_URL") or None
# Tests of MFA enforcement switch it on (tests/ambito/test_mfa.py).
MFA_REQUIRED_FOR_STAFF = False
# Rate limits would make the tests depend on each other.
ACCOUNT_RATE_LIMITS = False
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
