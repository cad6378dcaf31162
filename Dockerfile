# syntax=docker/dockerfile:1
# One image for every process of the production stack (see docker-compose.yml): gunicorn by
# default; the same image runs `manage.py migrate`, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF) needs pango and fonts installed locally: it must never fetch a font. The
# PostgreSQL client (the server's version, 15) runs scripts/backup.sh and scripts/restore.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# A home of its own: gunicorn puts its control socket in ~/.gunicorn (`gunicornc` talks to it).
RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --home-dir /home/portal --create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, in a layer of their own that is rebuilt only when the lock file changes:
# the exact versions of requirements.lock, each checked against its hashes (make lock).
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
RUN pip install --no-deps .

# The code runs from /app (templates, static sources and manage.py live here), so /app comes
# first on the path for every process: gunicorn, celery and manage.py alike.
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/var/static \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private

# Static files are collected at build time and served by WhiteNoise. Production stores them with
# CompressedManifestStaticFilesStorage, which needs the manifest (staticfiles.json) that only
# that storage writes: config.settings.local uses the plain StaticFilesStorage and its output
# would make every page fail in production ("Missing staticfiles manifest entry"). So this step
# loads the production settings with dummy, build-only values (the key random, as production
# refuses any key written in the repository); nothing connects to a database, Redis or a mail
# server, and none of these values stays in the image's environment.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=smtp://localhost:25 \
    DEFAULT_FROM_EMAIL=build@localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/private /data/beat \
    && chown -R portal:portal /data

# Named volumes mounted here start with the image's (portal-owned) folders.
VOLUME ["/data/media", "/data/private"]

USER portal
EXPOSE 8000

# workers = 2 * cores + 1 (5 on 2 cores); WEB_CONCURRENCY overrides. The application is loaded
# once before the workers fork (--preload: a recycled worker starts at once, sharing the loaded
# code) and workers are recycled after 5000 (+ up to 500) requests to bound memory growth. With
# 1000, at a few hundred requests a second a worker restarted every few seconds, each time with
# a new database connection and its prepared statements lost (README › Performance).
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))} --preload --max-requests 5000 --max-requests-jitter 500 --timeout 60 --access-logfile - --error-logfile -"]
