"""Benchmark settings: production settings on loopback, with dummy secrets.

Used only by bench/run.py (and the processes it starts: gunicorn, the Celery worker, the PDF
subprocess). It differs from production only where a loopback benchmark must:
- the embedded mode's key from var/secret_key (config/secret_key.py: the runner and every
  process it starts read the same file), dummy SITE_URL / EMAIL_URL, when the environment does
  not set them;
- plain HTTP on 127.0.0.1 (no TLS proxy in front): no SSL redirect, cookies not marked Secure;
- staff MFA off, so that the role sessions the runner opens reach the pages they measure;
- ROOT_URLCONF = bench.urls, which adds the bare reference view when BENCH_BARE_VIEW is on;
- bench/templates on the template path (the benchmark's own PDF templates);
- the bare reference view is never served from the anonymous page cache.
"""

from __future__ import annotations

import os

from config.secret_key import embedded_secret_key

_DEFAULTS = {
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SITE_URL": "http://127.0.0.1:8000",
    "EMAIL_URL": "consolemail://",
    "DEFAULT_FROM_EMAIL": "bench@example.org",
    "SECURE_SSL_REDIRECT": "False",
    "MFA_REQUIRED_FOR_STAFF": "False",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:55433/bench",
    "REDIS_URL": "redis://127.0.0.1:56380/7",
}
for _name, _value in _DEFAULTS.items():
    os.environ.setdefault(_name, _value)
if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = embedded_secret_key()

from .production import *  # noqa: E402, F403
from .production import BASE_DIR, TEMPLATES  # noqa: E402

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
BENCH_BARE_VIEW = True
# The reference view is rendered every time (it is what a page costs with no queries).
PAGE_CACHE_EXCLUDED_PATHS = {*PAGE_CACHE_EXCLUDED_PATHS, "/__bench__/bare/"}  # noqa: F405
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# Its own cache keys and Celery queue: a benchmark never touches what tests or the dev portal
# keep in the same Redis database.
CACHES["default"]["KEY_PREFIX"] = "bench"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = "bench"
# Hashed static file names as in production, without whitenoise's gzip/brotli pass (minutes on
# Bootstrap Italia's assets): the benchmark measures pages, not static files.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
# Every request of the benchmark comes from 127.0.0.1: the global search's limit for visitors
# without a session would refuse the timed searches (bench/measure.py repeats each one).
PORTAL_RATE_LIMITS = {**PORTAL_RATE_LIMITS, "search": ""}  # noqa: F405
