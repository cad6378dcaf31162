"""Settings shared by every mode.

With no environment at all the portal runs in its *embedded* mode: SQLite, Celery tasks executed
eagerly in the web process, e-mail printed on the console, files in ./var. Every value can be
overridden by an environment variable; production.py makes the production ones mandatory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# openpyxl writes spreadsheets with the standard library in every environment, as in production:
# lxml comes with the development tools only (through pyld), and with it openpyxl would write a
# carriage return in a cell as "&#13;" (read back as CR) where production writes it raw (read
# back as LF), so the same export would differ between CI and production. Read at import time.
os.environ.setdefault("OPENPYXL_LXML", "False")

DEBUG = env.bool("DEBUG", default=False)
# From the environment; the embedded mode (local.py) generates its own into var/ when unset and
# production refuses a missing or published one (config/secret_key.py).
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, used in e-mails, calendar files and feeds.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = env("PORTAL_NAME", default="Amministrazione Condivisa")
# Address shown to the public for accessibility and privacy requests.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="ufficiodipiano@example.org")
# The accessibility statement the administration publishes through AgID's form
# (https://form.agid.gov.it/view/...); the page /accessibilita/ links it, or says it is not
# published yet when empty.
ACCESSIBILITY_STATEMENT_URL = env("ACCESSIBILITY_STATEMENT_URL", default="").strip()
if ACCESSIBILITY_STATEMENT_URL and not ACCESSIBILITY_STATEMENT_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "Variabile d'ambiente non valida: ACCESSIBILITY_STATEMENT_URL (deve iniziare con https://)"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_filters",
    "import_export",
    "django_htmx",
    "csp",
    "bootstrap_italia_template",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Domain layers, bottom to top (see README, "Architecture").
    "core",
    "ambito",
    "entities",
    "tables",
    "processes",
    "participation",
    "plans",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ambito.routing.AmbitoPrefixMiddleware",  # /<ambito code>/...: see ambito/routing.py
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.UserSessionActivityMiddleware",
    "core.middleware.AnonymousPageCacheMiddleware",
    "ambito.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.portal",
                "ambito.context_processors.header",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")


def prepared_statements(database: dict) -> None:
    """PostgreSQL: bind parameters on the server, so that psycopg prepares a query once it has
    run DATABASE_PREPARE_THRESHOLD times on a connection (default 5) and PostgreSQL stops planning
    it again on every request (planning an 8-table detail query took 5-7 ms, executing it 0.6;
    README › Performance). "off" keeps client-side binding: needed behind PgBouncer in
    transaction mode, where a prepared statement may land on another server connection."""
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5").strip().lower()
    if threshold == "off":
        return
    try:
        value = int(threshold)
    except ValueError:
        value = -1
    if value < 0:
        raise ImproperlyConfigured(
            "Variabile d'ambiente non valida: DATABASE_PREPARE_THRESHOLD (un numero ≥ 0 oppure off)"
        )
    database.setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": value}
    )


if IS_POSTGRES:
    prepared_statements(DATABASES["default"])
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Embedded mode: one process, so a database cache is shared by everything that runs.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Authentication (django-allauth) ------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:my_area"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 10 a minute per address, 5 in 5 minutes per account *and* address (a
    # guessing address is locked, the owner is not), 100 an hour per account from all addresses
    # together (core.adapters.AccountAdapter).
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PORTAL_NAME
# Sessions show their last activity (the list of active sessions); core's middleware refreshes
# it at most every USERSESSIONS_ACTIVITY_INTERVAL seconds instead of on every request.
USERSESSIONS_TRACK_ACTIVITY = True
USERSESSIONS_ACTIVITY_INTERVAL = 300
# Public pages served to visitors without a session are kept this many seconds per process
# (core.middleware.AnonymousPageCacheMiddleware); 0 turns it off. Health checks never are.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0)
PAGE_CACHE_EXCLUDED_PATHS = {"/health/"}
# ...nor anything under these: the API answers conditional requests (ETag, 304) and counts its
# rate limits on every request, which a kept response would skip.
PAGE_CACHE_EXCLUDED_PREFIXES = ("/api/",)
# Staff of a public administration and superusers must use two-factor authentication.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)


# --- SPID and CIE (OpenID Connect, through the SPID/CIE proxy: README, "SPID e CIE") --------
def identity_provider_apps(environ: dict[str, str]) -> list[dict]:
    """The allauth openid_connect apps "spid" and "cie" from SPID_OIDC_* and CIE_OIDC_*: each
    is on when its server URL, client id and secret are all set (one set partly is an error).
    Both may name the same proxy and the same client (README explains the choices)."""
    from urllib.parse import parse_qsl, urlsplit

    apps = []
    for scheme, label in (("spid", "SPID"), ("cie", "CIE")):
        prefix = f"{label}_OIDC_"
        values = {
            key: environ.get(prefix + key, "").strip()
            for key in ("SERVER_URL", "CLIENT_ID", "CLIENT_SECRET", "AUTH_PARAMS", "SCOPE")
        }
        required = ("SERVER_URL", "CLIENT_ID", "CLIENT_SECRET")
        if not any(values[key] for key in required):
            continue
        for key in required:
            if not values[key]:
                raise ImproperlyConfigured(f"Variabile d'ambiente mancante: {prefix}{key}")
        url = urlsplit(values["SERVER_URL"])
        loopback = url.hostname in ("127.0.0.1", "localhost", "::1")
        if not url.hostname or not (url.scheme == "https" or (url.scheme == "http" and loopback)):
            raise ImproperlyConfigured(
                f"Variabile d'ambiente non valida: {prefix}SERVER_URL (deve iniziare con https://)"
            )
        app_settings = {
            "server_url": values["SERVER_URL"],
            "oauth_pkce_enabled": True,
            "auth_params": dict(parse_qsl(values["AUTH_PARAMS"])),
        }
        if values["SCOPE"]:
            app_settings["scope"] = values["SCOPE"].replace(",", " ").split()
        apps.append(
            {
                "provider_id": scheme,
                "name": label,
                "client_id": values["CLIENT_ID"],
                "secret": values["CLIENT_SECRET"],
                "settings": app_settings,
            }
        )
    return apps


def identity_provider_origins(apps: list[dict]) -> list[str]:
    """Where the logout form may lead (RP-initiated logout at the provider): the CSP's
    form-action must name the providers' origins, or the browser stops the redirect."""
    from urllib.parse import urlsplit

    origins = []
    for app in apps:
        url = urlsplit(app["settings"]["server_url"])
        origin = f"{url.scheme}://{url.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


SPID_CIE_APPS = identity_provider_apps(dict(env.ENVIRON))
SOCIALACCOUNT_ADAPTER = "core.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's OpenID Connect provider, with the SPID/CIE claims and the ID token kept for
        # the logout at the provider (core/oidc).
        "provider_class": "core.oidc.provider.SpidCieProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": SPID_CIE_APPS,
    }
}
# The buttons are links: a POST from the portal's page would make the browser check every
# redirect on the way to the identity provider against the CSP's form-action.
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_AUTO_SIGNUP = True
# Never an account found by e-mail: only by the fiscal code (core.adapters).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
# How staff must authenticate (ambito.middleware, when MFA_REQUIRED_FOR_STAFF): "spid" = SPID or
# CIE at level 2 or more, "totp" = password and a TOTP code. Any of those listed is enough.
STAFF_LOGIN_METHODS = [
    m.strip().lower() for m in env.list("STAFF_LOGIN_METHODS", default=["spid", "totp"])
]
if not STAFF_LOGIN_METHODS or set(STAFF_LOGIN_METHODS) - {"spid", "totp"}:
    raise ImproperlyConfigured(
        "Variabile d'ambiente non valida: STAFF_LOGIN_METHODS (spid, totp o spid,totp)"
    )
if set(STAFF_LOGIN_METHODS) == {"spid"} and not SPID_CIE_APPS:
    raise ImproperlyConfigured(
        "Variabile d'ambiente non valida: STAFF_LOGIN_METHODS=spid richiede SPID_OIDC_* o CIE_OIDC_*"
    )

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("Inglese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Django itself serves MEDIA_URL only in the embedded mode (local.py); in production the reverse
# proxy serves it from the shared volume (docker-compose.yml, deploy/Caddyfile).
SERVE_MEDIA = False
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Private files (applications, attachments, generated PDFs) live outside the web root and are
# served only through views that check permissions.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "file_overwrite": False,
    }
    _public_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "location": "public",
            "default_acl": "public-read",
            "querystring_auth": False,
        },
    }
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
else:
    _public_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private-not-served/"},
    }
STORAGES = {
    "default": _public_storage,
    "private": _private_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{PORTAL_NAME} <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
# How many messages travel on one SMTP connection when sending in bulk.
EMAIL_BATCH_SIZE = env.int("EMAIL_BATCH_SIZE", default=100)
# A message left "sending" longer than this by a worker that died is sent again by the
# requeue_stale_emails sweep (and may be claimed again by any worker).
EMAIL_STALE_CLAIM_SECONDS = env.int("EMAIL_STALE_CLAIM_SECONDS", default=10 * 60)

# --- PEC (posta elettronica certificata) --------------------------------------------------
# Formal communications (admission, exclusion, 10-bis notice, outcome, agreement) leave through
# this separate account (core.pec), to the recipient's PEC address; none configured = they go
# by ordinary e-mail, with a warning recorded on each. PEC_IMAP_URL (imaps://user:pass@host:993
# or imap:// for a plain or local server) is the mailbox where the provider's receipts arrive,
# read every PEC_IMAP_POLL_SECONDS by celery beat.
PEC_EMAIL_URL = env("PEC_EMAIL_URL", default="")
PEC_EMAIL_CONFIG = environ.Env.email_url_config(PEC_EMAIL_URL) if PEC_EMAIL_URL else {}
PEC_FROM_EMAIL = env("PEC_FROM_EMAIL", default="")
PEC_IMAP_URL = env("PEC_IMAP_URL", default="")
PEC_IMAP_POLL_SECONDS = env.int("PEC_IMAP_POLL_SECONDS", default=300)
if PEC_EMAIL_URL and not PEC_FROM_EMAIL:
    raise ImproperlyConfigured("Variabile d'ambiente mancante: PEC_FROM_EMAIL (PEC_EMAIL_URL)")

# --- Digital signatures (core.signatures) --------------------------------------------------
# A folder of PEM files with the certificates trusted as roots (e.g. AgID's list of qualified
# certification authorities, converted to PEM). Empty: signatures are checked for integrity
# only, and the page says they were not verified against a trust list.
SIGNATURE_TRUST_ROOTS = env("SIGNATURE_TRUST_ROOTS", default="")

# --- Retention of personal data ----------------------------------------------------------
# Each period is stated on the privacy page (read from here) and applied by code: the nightly
# core.tasks.apply_retention (celery beat) or, for published minutes, the minutes' visibility.
# Approved minutes with the names of those present leave public consultation on 1 January of
# the year after their publication plus this many years (Garante, web-transparency guidelines
# of 2014; d.lgs. 33/2013 art. 8: 5 years); the members of the table and staff still read them.
RETENTION_MINUTES_ONLINE_YEARS = env.int("RETENTION_MINUTES_ONLINE_YEARS", default=5)
# Registrations to public events (names, e-mails, attendance) are deleted this many months
# after the event ends.
RETENTION_EVENT_REGISTRATIONS_MONTHS = env.int("RETENTION_EVENT_REGISTRATIONS_MONTHS", default=12)
# The outbox keeps copies of the e-mails sent (recipient, text): deleted this many days after
# they left; those that could not be delivered stay longer, for staff to resend or check.
RETENTION_SENT_EMAILS_DAYS = env.int("RETENTION_SENT_EMAILS_DAYS", default=90)
RETENTION_FAILED_EMAILS_DAYS = env.int("RETENTION_FAILED_EMAILS_DAYS", default=365)
# Notifications shown in the portal are deleted this many days after they were created.
RETENTION_NOTIFICATIONS_DAYS = env.int("RETENTION_NOTIFICATIONS_DAYS", default=365)
# The audit trail (who changed what) is a record of the administrative procedures: kept for the
# ordinary limitation period (10 years, art. 2946 of the Civil Code), then deleted.
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=10)
# A file uploaded for a background import (core.jobs; personal data of the entities) is deleted
# once imported, and in any case this many days after it was uploaded (a dry run not confirmed).
RETENTION_IMPORT_UPLOADS_DAYS = env.int("RETENTION_IMPORT_UPLOADS_DAYS", default=7)

# --- Public event registration (participation) ---------------------------------------------
# A registration without an account holds its seats this many minutes, until the address is
# confirmed from the link in the e-mail; unconfirmed requests are then deleted.
EVENT_REGISTRATION_HOLD_MINUTES = env.int("EVENT_REGISTRATION_HOLD_MINUTES", default=30)


def _ip_rate(name: str, default: str) -> str:
    """A rate per client address from the environment, in allauth's syntax ("120/m/ip")."""
    value = env(name, default=default).strip()
    if value and not re.fullmatch(r"\d+/\d*[smhd]/ip(,\d+/\d*[smhd]/ip)*", value):
        raise ImproperlyConfigured(
            f"Variabile d'ambiente non valida: {name} (per esempio {default})"
        )
    return value


API_RATE_LIMIT = _ip_rate("API_RATE_LIMIT", "120/m/ip")
SEARCH_RATE_LIMIT = _ip_rate("SEARCH_RATE_LIMIT", "30/m/ip")
# Rate limits of the portal's own public forms (core.ratelimit; allauth's syntax, counted in the
# shared cache): requests to register for an event per client address, and e-mails per address.
PORTAL_RATE_LIMITS = {
    "event_registration": "20/h/ip",
    "event_registration_email": "3/h/key",
    # The read-only API (/api/v1/) and the open-data downloads, for clients without a session:
    # requests per client address (then 429 with Retry-After). Logged-in users are not limited.
    "api": API_RATE_LIMIT,
    # The global search (/cerca/) for visitors without a session (logged-in users: no limit).
    "search": SEARCH_RATE_LIMIT,
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 600_000  # KiB: WeasyPrint does not give memory back
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Security -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Flash messages live in the session: the portal sets no cookie but sessionid and csrftoken.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not from the cookie
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *identity_provider_origins(SPID_CIE_APPS)],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Third-party apps ---------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# Exports escape formulae through core.spreadsheets (the library's own escaping only drops a
# leading "=" and turns numbers into text).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# --- Logging and error reports ------------------------------------------------------------
# LOG_FORMAT=json: one JSON object a line (timestamp, level, logger, message, exception), for a
# log collector; the default is plain text. Errors of requests and of Celery tasks are mailed to
# ADMINS ("Name <address>, address2"; none by default) and, with SENTRY_DSN, sent to Sentry or a
# compatible server (GlitchTip).
LOG_FORMAT = env("LOG_FORMAT", default="plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("Variabile d'ambiente non valida: LOG_FORMAT (plain oppure json)")


def parse_admins(value: str) -> list[tuple[str, str]]:
    """ "Ufficio di Piano <udp@comune.it>, ops@example.org" -> [(name, address), ...]"""
    from email.utils import getaddresses

    from django.core.validators import validate_email

    admins = []
    if not value.strip():
        return admins
    for name, address in getaddresses([value]):
        if not (name or address):
            continue  # an empty item ("a@b.it, "): older Pythons (3.11.2) return ('', '')
        try:
            validate_email(address)
        except Exception as exc:
            raise ImproperlyConfigured(
                f"Variabile d'ambiente non valida: ADMINS ({address or name!r})"
            ) from exc
        admins.append((name or address, address))
    return admins


ADMINS = parse_admins(env("ADMINS", default=""))
EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "timestamp", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Errors of requests (500s) and of Celery tasks reach ADMINS; both also go to the root.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "celery.app.trace": {"handlers": ["mail_admins"], "level": "INFO"},
        # A request with a wrong Host header (bots, scanners) is logged, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "kombu": {"level": "WARNING"},
    },
}
# In JSON, the worker keeps these handlers instead of installing its own plain-text ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

SENTRY_DSN = env("SENTRY_DSN", default="")


def init_sentry(dsn: str) -> None:
    """Errors and their stack traces to a Sentry-compatible server; never the users' personal
    data (send_default_pii off: no cookies, IP addresses, user e-mails or request bodies)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )


if SENTRY_DSN:
    init_sentry(SENTRY_DSN)

# --- Health (core.health, /health/) -------------------------------------------------------
# The worker check fails when no worker ran the heartbeat (every minute) for this long.
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=300)
CELERY_BEAT_SCHEDULE["worker-heartbeat"] = {"task": "core.tasks.heartbeat", "schedule": 60.0}

FORM_RENDERER = "core.forms.PortalFormRenderer"
CELERY_BEAT_SCHEDULE.update(
    {
        "requeue-stale-emails": {"task": "core.tasks.requeue_stale_emails", "schedule": 300.0},
        "notification-digests": {
            "task": "core.tasks.send_notification_digests",
            "schedule": crontab(hour=7, minute=0),
        },
    }
)
CELERY_BEAT_SCHEDULE.update(
    {
        # tables: reminders the day before a meeting; hourly so that late convocations are covered.
        "tables-meeting-reminders": {
            "task": "tables.tasks.send_meeting_reminders",
            "schedule": crontab(minute=15),
        },
    }
)
CELERY_BEAT_SCHEDULE.update(
    {
        # Retention of personal data: every period the privacy page states (core.retention).
        "apply-retention": {
            "task": "core.tasks.apply_retention",
            "schedule": crontab(hour=3, minute=30),
        },
        # PEC receipts (accettazione, consegna) read from the PEC mailbox, when configured.
        "pec-fetch-receipts": {
            "task": "core.tasks.fetch_pec_receipts",
            "schedule": float(PEC_IMAP_POLL_SECONDS),
        },
        # participation: unconfirmed event registrations give their held seats back.
        "participation-expire-registration-holds": {
            "task": "participation.tasks.expire_registration_holds",
            "schedule": 120.0,
        },
    }
)

# --- Read-only API and open data (opendata/) ----------------------------------------------
# Django REST framework: JSON only, read-only, the session of the pages (what a logged-in
# user reads is what the pages show them), cursor pagination, the pages' own filters.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["opendata.api.throttling.AnonymousRateLimit"],
    "DEFAULT_PAGINATION_CLASS": "opendata.api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": ["opendata.api.filters.PageFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opendata.api.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "opendata.api.errors.JsonOnly",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PORTAL_NAME} — API",
    "DESCRIPTION": (
        "API in sola lettura dei dati pubblici del portale: ambiti e comuni, enti del Terzo "
        "settore verificati, tavoli e sedute, procedimenti con gli atti pubblici, piani di zona "
        "con interventi e mappa dei fondi, eventi e notizie. Dati rilasciati con licenza "
        "Creative Commons Attribuzione 4.0 (CC BY 4.0)."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opendata.api.schema.add_error_responses",
    ],
}
# The publisher of each ambito's open-data catalogue (DCAT-AP_IT) is identified by its code in
# the Indice delle Pubbliche Amministrazioni (IPA): the ambito's own (Ambito.ipa_code, set in
# the admin), else this one. Until one is set the catalogue names the publisher with the
# placeholder below, which the open-data page shows the ambito's staff as missing.
OPENDATA_IPA_CODE = env("OPENDATA_IPA_CODE", default="").strip()

# --- Protocol register (processes.protocol) -----------------------------------------------
# Which register numbers incoming applications, integration answers and reports: the portal's
# own counter (default) or the ente capofila's protocol system over HTTP (README, "Protocollo").
PROTOCOL_BACKEND = env("PROTOCOL_BACKEND", default="processes.protocol.InternalCounter")
PROTOCOL_URL = env("PROTOCOL_URL", default="")
PROTOCOL_TOKEN = env("PROTOCOL_TOKEN", default="")
PROTOCOL_TIMEOUT = env.float("PROTOCOL_TIMEOUT", default=10.0)
if PROTOCOL_BACKEND == "processes.protocol.HttpProtocol" and not (PROTOCOL_URL and PROTOCOL_TOKEN):
    raise ImproperlyConfigured(
        "Variabili d'ambiente mancanti: PROTOCOL_URL e PROTOCOL_TOKEN (PROTOCOL_BACKEND=HttpProtocol)"
    )
