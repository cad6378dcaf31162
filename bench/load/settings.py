"""Settings for the load run (bench/load/run.py): the embedded base settings on PostgreSQL, with
production-like behaviour (DEBUG off, manifest static files) and without the per-IP rate limits
of login and sign-up, because every simulated user comes from 127.0.0.1 (behind a proxy they
would not): one IP for everybody would not only trip the limits but also queue every login on
allauth's one per-IP cache lock, which gives up after a second with a 429 when 20 users log in at
once. The per-address limit of failed logins stays."""

from config.secret_key import embedded_secret_key
from config.settings.base import *  # noqa: F403
from config.settings.base import ACCOUNT_RATE_LIMITS, PORTAL_RATE_LIMITS, SECRET_KEY, env

SECRET_KEY = SECRET_KEY or embedded_secret_key()

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ACCOUNT_RATE_LIMITS = {
    **ACCOUNT_RATE_LIMITS,
    "login": "",
    "signup": "",
    "login_failed": "5/5m/key",
}
# Every simulated visitor registers for the event from 127.0.0.1, each with an address of
# its own: only the per-address limit applies.
PORTAL_RATE_LIMITS = {**PORTAL_RATE_LIMITS, "event_registration": ""}
MFA_REQUIRED_FOR_STAFF = False
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
