"""Production: every setting that matters comes from the environment, and start-up stops with a
message naming the variable when one is missing or malformed."""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import check_production_key

from .base import *  # noqa: F403
from .base import env, prepared_statements


def _required(name: str, cast=str):
    try:
        value = env(name) if cast is str else cast(name)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"Variabile d'ambiente mancante: {name}") from exc
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Variabile d'ambiente non valida: {name} ({exc})") from exc
    if value in ("", None, []):
        raise ImproperlyConfigured(f"Variabile d'ambiente vuota: {name}")
    return value


PRODUCTION = True
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _required("SECRET_KEY")
# Too short, a placeholder, or any key ever written in the repository: refused.
check_production_key(SECRET_KEY)
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list)
SITE_URL = _required("SITE_URL").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "Variabile d'ambiente non valida: SITE_URL (deve iniziare con https://)"
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

try:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured("Variabile d'ambiente mancante: DATABASE_URL") from exc
except Exception as exc:
    raise ImproperlyConfigured(f"Variabile d'ambiente non valida: DATABASE_URL ({exc})") from exc
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Variabile d'ambiente non valida: DATABASE_URL (serve PostgreSQL)")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = True
prepared_statements(DATABASES["default"])

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("Variabile d'ambiente non valida: REDIS_URL (redis://...)")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("Variabile d'ambiente mancante: REDIS_URL (o CELERY_BROKER_URL)")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("Variabile d'ambiente non valida: CELERY_BROKER_URL (redis://...)")
CACHE_URL = REDIS_URL or CELERY_BROKER_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = False

try:
    EMAIL_CONFIG = environ.Env.email_url_config(_required("EMAIL_URL"))
except Exception as exc:
    raise ImproperlyConfigured(f"Variabile d'ambiente non valida: EMAIL_URL ({exc})") from exc
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = _required("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS everywhere; the proxy in front terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Public pages for visitors without a session are kept 30 s per process (base.py explains).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=30)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
