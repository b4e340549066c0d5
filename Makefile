# ticketdesk — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE ?= $(CURDIR)/instance
export TICKETDESK_INSTANCE ?= $(INSTANCE)
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-python lint format bench openapi clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv with the package and dev tools (idempotent)

run: install ## migrate, add demo data on first run, serve on http://127.0.0.1:8000
	$(BIN)/ticketdesk db upgrade
	$(BIN)/ticketdesk demo-data
	$(BIN)/ticketdesk serve --host 127.0.0.1 --port 8000

test: test-python ## run every test (SQLite, and PostgreSQL when reachable)

test-python: install
	$(BIN)/pytest

bench: install ## HTTP load: 10k and 1M tickets, SQLite and PostgreSQL (BENCH_ARGS="--tickets 10000")
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

openapi: install ## write the OpenAPI document to openapi.json
	$(BIN)/python -c "import json; from ticketdesk.app import create_app; \
	print(json.dumps(create_app().api_doc, indent=2))" > openapi.json

clean: ## remove the virtualenv, caches and the local instance folder
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(INSTANCE)
