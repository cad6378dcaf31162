# Amministrazione Condivisa: the commands a newcomer and CI need.
#
#   make run           the portal with demo data at http://127.0.0.1:8000 (SQLite, no services)
#   make test          lint, migration check, deploy check and the whole test suite (CI runs this)
#   make lint          ruff, the layers contract (lint-imports), mypy (typecheck), djLint
#   make typecheck     mypy with django-stubs on every app
#   make format        ruff format + ruff check --fix
#   make deploy-check  `check --deploy` with production settings and dummy environment values
#   make bench ARGS=…  benchmarks (bench/run.py)
#   make audit         bandit on the code, pip-audit on the dependencies (tests/security/run_audit.py)
#   make lock          regenerate requirements.lock and requirements-dev.lock (hashes) from pyproject.toml
#   make system-check  what the system must provide (python3-venv, make, Pango, fonts); run by run/test
#   make hypothesis-random  the property tests again with a fresh, printed seed (HYPOTHESIS_SEED=n)
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

# Dependencies are installed from the lock files, with their hashes checked; again only when a
# lock file (or pyproject.toml) is newer than these stamps. pyproject.toml holds the ranges,
# `make lock` turns them into the exact versions of the lock files.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
LOCK_ARGS ?=
STAMP_RUN := $(VENV)/.stamp-install
STAMP_DEV := $(VENV)/.stamp-install-dev
# npm ci runs only when package-lock.json is newer than this stamp.
STAMP_NODE := node_modules/.stamp-npm-ci

RUN_SETTINGS := config.settings.local
# Where `make run` listens (e.g. make run RUN_ADDR=127.0.0.1:8080 when 8000 is taken).
RUN_ADDR ?= 127.0.0.1:8000
TEST_SETTINGS := config.settings.test
PYTEST_ARGS ?=
ARGS ?=

.PHONY: help run test lint typecheck format deploy-check migrations-check pytest bench clean distclean \
	audit load load-smoke lock deps-check system-check hypothesis-random \
	install install-dev node

help:
	@sed -n '1,15p' Makefile | sed 's/^# \{0,1\}//'

# --- environment --------------------------------------------------------------------------
# One line naming what is missing (and how to install it) instead of a failure halfway through.
system-check:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Missing: python3 (3.11+). Install with: sudo apt-get install -y python3 python3-venv make libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2; exit 1; }
	@$(PYTHON) scripts/check_system.py

$(PY): | system-check
	$(PYTHON) -m venv $(VENV)

# --require-hashes: every package must match a hash of the lock file; --no-deps: nothing comes in
# that the lock does not name. The portal itself is installed (editable) without dependencies.
$(STAMP_RUN): $(LOCK) pyproject.toml | $(PY)
	$(PIP) install --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --no-deps -e .
	touch $@

# The dev lock includes every runtime dependency (same versions), so it satisfies STAMP_RUN too.
$(STAMP_DEV): $(DEV_LOCK) $(LOCK) pyproject.toml | $(PY)
	$(PIP) install --require-hashes --no-deps -r $(DEV_LOCK)
	$(PIP) install --no-deps -e .
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

# Regenerate the lock files from pyproject.toml's ranges, keeping the versions already locked;
# `make lock LOCK_ARGS=--upgrade` (everything) or `LOCK_ARGS="--upgrade-package django"`.
lock: $(STAMP_DEV)
	$(PIP_COMPILE) $(LOCK_ARGS) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -c $(LOCK) -o $(DEV_LOCK) pyproject.toml

# Every import declared in pyproject.toml, every declared package used ([tool.deptry]).
deps-check: $(STAMP_DEV)
	$(VENV)/bin/deptry .

# --- run ----------------------------------------------------------------------------------
run: system-check $(STAMP_RUN)
	mkdir -p var
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) import_comuni
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) seed_demo
	DJANGO_SETTINGS_MODULE=$(RUN_SETTINGS) $(MANAGE) runserver $(RUN_ADDR)

# --- checks and tests ---------------------------------------------------------------------
test: system-check $(STAMP_DEV) node
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory deps-check
	$(MAKE) --no-print-directory migrations-check
	$(MAKE) --no-print-directory deploy-check
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory hypothesis-random
	$(MAKE) --no-print-directory audit
	$(MAKE) --no-print-directory load-smoke

lint: $(STAMP_DEV)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory typecheck
	$(VENV)/bin/djlint templates --lint

typecheck: $(STAMP_DEV)
	$(VENV)/bin/mypy

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
# Property tests run derandomized here (the same examples on every run: no luck involved);
# hypothesis-random then runs them once more with a fresh seed, printed for reproduction.
pytest: $(STAMP_DEV)
	mkdir -p var
	rc=0; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PYTEST) -n 2 --dist loadfile \
		--hypothesis-profile=derandomized $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	exit $$rc

# The test files that use Hypothesis (its @given may sit inside a parametrized test).
HYPOTHESIS_TESTS = $(shell grep -rlE --include='test_*.py' '^(from|import) hypothesis' tests)
HYPOTHESIS_SEED ?=
hypothesis-random: $(STAMP_DEV)
	mkdir -p var
	seed="$(HYPOTHESIS_SEED)"; [ -n "$$seed" ] || seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	echo "Hypothesis with a fresh random seed: $$seed (again: make hypothesis-random HYPOTHESIS_SEED=$$seed)"; \
	rc=0; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PYTEST) -n 2 --dist loadfile \
		--hypothesis-profile=random-seed --hypothesis-seed=$$seed $(HYPOTHESIS_TESTS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no Hypothesis test collected: failing" >&2; exit 1; fi; \
	if [ $$rc -ne 0 ]; then echo "Hypothesis failed with seed $$seed: make hypothesis-random HYPOTHESIS_SEED=$$seed" >&2; fi; \
	exit $$rc

# --- security and load (README, "Security and reliability") --------------------------------
audit: $(STAMP_DEV)
	$(PY) tests/security/run_audit.py

# The load run needs PostgreSQL: it uses a database named "load" next to DATABASE_URL's.
LOAD_DB = $(if $(LOAD_DATABASE_URL),$(LOAD_DATABASE_URL),$(patsubst %/,%,$(dir $(DATABASE_URL)))/load)

load: $(STAMP_DEV)
	LOAD_DATABASE_URL='$(LOAD_DB)' $(PY) bench/load/run.py $(ARGS)

# 40 seconds, 20 users arriving over 5 s: CI proves the load harness and the portal under concurrency still work.
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
