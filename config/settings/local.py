"""Embedded mode for a newcomer's machine: `make run`."""

from pathlib import Path

from config.secret_key import embedded_secret_key

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

# A random key generated on the first start into var/secret_key (0600), the same ever after.
SECRET_KEY = SECRET_KEY or embedded_secret_key()

DEBUG = env.bool("DEBUG", default=True)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Public uploads (entity logos) served by Django: one process, no proxy in front. Private files
# live in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and stay behind their permission-checked views.
SERVE_MEDIA = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405
# Demo accounts log in with a password only; production requires MFA for staff.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)
