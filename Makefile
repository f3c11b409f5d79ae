# The two commands that matter: `make run` (install, demo data, serve) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
TORCH_VERSION := $(shell sed -n 's/^torch==//p' requirements.in)
UV_VERSION := $(shell sed -n 's/.*"uv==\([^"]*\)".*/\1/p' pyproject.toml)
PIP_VERSION := 26.3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/workbench
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install lock typecheck run demo test test-fast test-integration test-browser services lint bench clean

install: $(STAMP)

# Installs exactly the lock file, and again only when it or pyproject.toml changes. torch comes
# first and on its own, as the CPU build (the wheel on the machine's disk, which pip's configured
# find-links serve for `torch==X`); the lock files leave it out. Every other package is pinned with
# its hashes, installed without resolving anything (--no-deps), and `pip check` proves the set whole.
$(STAMP): requirements-dev.lock requirements.in pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --no-deps torch==$(TORCH_VERSION)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $(STAMP)

# Regenerates requirements.lock (runtime, for the image) and requirements-dev.lock (make install, CI)
# from pyproject.toml and requirements.in. Existing pins are kept unless a range no longer admits
# them, so this alone changes nothing. To upgrade:
#   one package:  make lock UPGRADE="--upgrade-package django"   (repeat the flag for more)
#   everything:   make lock UPGRADE=--upgrade
#   torch:        change the pin in requirements.in (the CPU wheel of that version must be in /opt/wheels)
# then `make install`, re-run the figures the README quotes, and commit the lock files with the change.
LOCK_FLAGS := --quiet --python-version 3.11 --generate-hashes --find-links /opt/wheels --no-emit-package torch \
	--custom-compile-command "make lock"
lock:
	test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/pip install --quiet uv==$(UV_VERSION); }
	$(BIN)/uv pip compile pyproject.toml requirements.in $(LOCK_FLAGS) $(UPGRADE) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml requirements.in --extra dev $(LOCK_FLAGS) $(UPGRADE) -o requirements-dev.lock

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000/ (admin at /admin/, API docs at /api/docs/)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: test-fast test-integration

test-fast: install
	$(BIN)/pytest -m "not integration and not browser" -q

# PostgreSQL with pgvector, Redis, a real Celery worker, and Debian's chromium for the browser tier.
services:
	bash scripts/prepare_test_services.sh

test-integration: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "integration or browser" -q -p no:randomly

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# mypy with the django-stubs plugin; strict on the service layer and the computing packages (pyproject.toml).
typecheck: install
	$(BIN)/mypy

# Benchmarks print tables; they run on throwaway databases (PostgreSQL ones are created and dropped).
bench: install
	$(BIN)/python manage.py bench_extraction
	$(BIN)/python manage.py bench_similarity
	$(BIN)/python manage.py bench_suggestions
	$(BIN)/python manage.py bench_api
	$(BIN)/python manage.py bench_pages
	$(BIN)/python manage.py bench_pages --postgres
	API_RATE_PER_TOKEN=1000000/min bash scripts/bench_gunicorn.sh
	bash scripts/bench_load.sh 120 8

clean:
	rm -rf var/workbench.sqlite3* test-artifacts
