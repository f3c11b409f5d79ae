# The two commands that matter: `make run` (install, demo data, serve) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/workbench
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run demo test test-fast test-integration test-browser services lint bench clean

install: $(STAMP)

# Reinstalls only when pyproject.toml changes. torch comes first, from the CPU wheel, so that
# sentence-transformers does not pull a CUDA build of several GB.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
	$(BIN)/python manage.py makemigrations --check --dry-run

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
