"""Settings for the load run (bench/load/run.py): the embedded base settings on PostgreSQL, with
production-like behaviour (DEBUG off, manifest static files) and the per-IP rate limits raised,
because every simulated user comes from 127.0.0.1 (behind a proxy they would not)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import ACCOUNT_RATE_LIMITS, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ACCOUNT_RATE_LIMITS = {
    **ACCOUNT_RATE_LIMITS,
    "login": "100000/m/ip",
    "signup": "100000/m/ip",
    "login_failed": "100000/m/ip",
}
MFA_REQUIRED_FOR_STAFF = False
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
