# Amministrazione Condivisa: the commands a newcomer and CI need.
#
#   make run           the portal with demo data at http://127.0.0.1:8000 (SQLite, no services)
#   make test          lint, migration check, deploy check and the whole test suite (CI runs this)
#   make lint          ruff check + ruff format --check
#   make format        ruff format + ruff check --fix
#   make deploy-check  `check --deploy` with production settings and dummy environment values
#   make bench ARGS=…  benchmarks (bench/run.py)
#   make audit         bandit on the code, pip-audit on the dependencies (tests/security/run_audit.py)
#   make load          5-minute load run, 50 users, gunicorn + PostgreSQL (bench/load/run.py)
#   make clean         remove build and test artefacts (keeps .venv, node_modules and var/db)
#   make distclean     clean, and also remove .venv, node_modules and var/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
RUFF := $(VENV)/bin/ruff
PYTEST := $(VENV)/bin/pytest
MANAGE := $(PY) manage.py

# Dependencies are (re)installed only when pyproject.toml is newer than these stamps.
STAMP_RUN := $(VENV)/.stamp-install
STAMP_DEV := $(VENV)/.stamp-install-dev
# npm ci runs only when package-lock.json is newer than this stamp.
STAMP_NODE := node_modules/.stamp-npm-ci

RUN_SETTINGS := config.settings.local
TEST_SETTINGS := config.settings.test
PYTEST_ARGS ?=
ARGS ?=

.PHONY: help run test lint format deploy-check migrations-check pytest bench clean distclean \
	audit load load-smoke \
	install install-dev node

help:
	@sed -n '1,12p' Makefile | sed 's/^# \{0,1\}//'

# --- environment --------------------------------------------------------------------------
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

# The dev extra includes every runtime dependency, so it satisfies STAMP_RUN as well.
$(STAMP_DEV): pyproject.toml | $(PY)
	$(PIP) install -e ".[dev]"
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

$(STAMP_NODE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Node.js is needed only by the browser tests (axe-core). Without npm they are skipped on a
# developer machine; with REQUIRE_SERVICES=1 (CI) a missing npm is an error.
node:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(STAMP_NODE); \
	elif [ "$${REQUIRE_SERVICES:-}" = "1" ]; then \
		echo "npm not found and REQUIRE_SERVICES=1: install Node.js and npm" >&2; exit 1; \
	else \
		echo "npm not found: skipping node_modules (the browser tests will be skipped)" >&2; \
	fi

# --- run ----------------------------------------------------------------------------------
run: $(STAMP_RUN)
	mkdir -p var
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) createcachetable
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) import_comuni
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) seed_demo
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) runserver 127.0.0.1:8000

# --- checks and tests ---------------------------------------------------------------------
test: $(STAMP_DEV) node
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory migrations-check
	$(MAKE) --no-print-directory deploy-check
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory audit
	$(MAKE) --no-print-directory load-smoke

lint: $(STAMP_DEV)
	$(RUFF) check .
	$(RUFF) format --check .

format: $(STAMP_DEV)
	$(RUFF) format .
	$(RUFF) check --fix .

migrations-check: $(STAMP_DEV)
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run

# Production settings with dummy but valid values (a random key: production refuses any key
# written in the repository), in a clean environment so that nothing from
# the caller's shell (DEBUG, a real DATABASE_URL, ...) changes the result. `check` does not
# connect to the database or to Redis.
deploy-check: $(STAMP_RUN)
	env -i PATH="$$PATH" HOME="$$HOME" LANG=C.UTF-8 \
		DJANGO_SETTINGS_MODULE=config.settings.production \
		SECRET_KEY="$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=portal.example.org \
		SITE_URL=https://portal.example.org \
		DATABASE_URL=postgres://u:p@127.0.0.1:5432/db \
		REDIS_URL=redis://127.0.0.1:6379/0 \
		EMAIL_URL=smtp+tls://u:p@smtp.example.org:587 \
		DEFAULT_FROM_EMAIL=portal@example.org \
		$(MANAGE) check --deploy --fail-level WARNING

# pytest exits 5 when it collected no tests: that is a failure, not a success.
pytest: $(STAMP_DEV)
	mkdir -p var
	rc=0; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PYTEST) -n 2 --dist loadfile $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	exit $$rc

# --- security and load (README, "Security and reliability") --------------------------------
audit: $(STAMP_DEV)
	$(PY) tests/security/run_audit.py

# The load run needs PostgreSQL: it uses a database named "load" next to DATABASE_URL's.
LOAD_DB = $(if $(LOAD_DATABASE_URL),$(LOAD_DATABASE_URL),$(patsubst %/,%,$(dir $(DATABASE_URL)))/load)

load: $(STAMP_DEV)
	LOAD_DATABASE_URL='$(LOAD_DB)' $(PY) bench/load/run.py $(ARGS)

# 20 seconds, 20 users: CI proves the load harness and the portal under concurrency still work.
load-smoke: $(STAMP_DEV)
	@if [[ "$${DATABASE_URL:-}" != postgres* && -z "$${LOAD_DATABASE_URL:-}" ]]; then \
		if [ "$${REQUIRE_SERVICES:-}" = "1" ]; then echo "load-smoke needs DATABASE_URL (PostgreSQL)" >&2; exit 1; fi; \
		echo "load-smoke: no PostgreSQL (DATABASE_URL): skipped"; exit 0; \
	fi; \
	LOAD_DATABASE_URL='$(LOAD_DB)' $(PY) bench/load/run.py --smoke

# --- other --------------------------------------------------------------------------------
bench: $(STAMP_DEV)
	$(PY) bench/run.py "$(ARGS)"

clean:
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build dist *.egg-info test-results \
		var/static var/test-media var/test-private

distclean: clean
	rm -rf $(VENV) node_modules var
