# ticketdesk — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE ?= $(CURDIR)/instance
export TICKETDESK_INSTANCE ?= $(INSTANCE)
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-python lint format bench bench-http bench-analytics bench-instructions openapi clean \
	frontend test-frontend lint-frontend test-e2e screenshots

# The web front end (frontend/): npm dependencies, API types generated from the OpenAPI
# document, and the Vite build into the Flask app's static folder. Each step is a file
# target, so an unchanged tree skips them all.
FE := frontend
FE_DEPS := $(FE)/node_modules/.installed
FE_SCHEMA := $(FE)/src/api/schema.d.ts
FE_BUILD := src/ticketdesk/static/app/index.html
FE_SOURCES := $(shell find $(FE)/src $(FE)/public -type f ! -name schema.d.ts ! -name '*.test.*' \
	2>/dev/null) $(FE)/index.html $(FE)/vite.config.ts $(FE)/tsconfig.json
PY_SOURCES := $(shell find src/ticketdesk -name '*.py' 2>/dev/null)
# Browsers come from the machine (apt-get install chromium), never from a download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv with the package and dev tools (idempotent)

run: install frontend ## migrate, add demo data on first run, serve on http://127.0.0.1:8000
	$(BIN)/ticketdesk db upgrade
	$(BIN)/ticketdesk demo-data
	$(BIN)/ticketdesk serve --host 127.0.0.1 --port 8000

test: test-python test-frontend test-e2e ## run every test: Python, front end, end-to-end

test-python: install
	$(BIN)/pytest

bench: bench-http bench-analytics ## both benchmarks below (tens of minutes; results in bench/)

bench-http: install ## HTTP load: 10k and 1M tickets, SQLite and PostgreSQL (BENCH_ARGS="--tickets 10000")
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-instructions: install ## CPU instructions per request in process (callgrind, 10k SQLite desk)
	$(BIN)/python -m bench.instructions --desk $(or $(BENCH_DESK),/tmp/ticketdesk-instructions-10k) $(BENCH_ARGS)

lint: install ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench-analytics: install ## analytics benchmark at 10k and 1M tickets, SQLite and PostgreSQL
	$(BIN)/python bench/analytics_bench.py --sizes 10000,1000000

openapi: openapi.json ## write the OpenAPI document to openapi.json

openapi.json: $(STAMP) $(PY_SOURCES)
	$(BIN)/python -c "import json; from ticketdesk.app import create_app; \
	print(json.dumps(create_app().api_doc, indent=2))" > $@.tmp
	mv $@.tmp $@

$(FE_DEPS): $(FE)/package.json $(FE)/package-lock.json
	cd $(FE) && npm ci --no-audit --no-fund
	touch $@

$(FE_SCHEMA): openapi.json $(FE_DEPS)
	cd $(FE) && npm run --silent gen:api

$(FE_BUILD): $(FE_DEPS) $(FE_SCHEMA) $(FE_SOURCES)
	cd $(FE) && npm run --silent build

frontend: $(FE_BUILD) ## build the web front end into src/ticketdesk/static/app (if changed)

lint-frontend: $(FE_SCHEMA) ## eslint and tsc --noEmit on the front end
	cd $(FE) && npm run --silent lint && npm run --silent typecheck

test-frontend: lint-frontend ## front-end lint, type-check and Vitest component tests
	cd $(FE) && npm run --silent test

test-e2e: install frontend ## end-to-end tests: real back end, headless /usr/bin/chromium
	cd $(FE) && npm run --silent e2e

screenshots: install frontend ## retake the README screenshots in docs/ (an e2e run)
	cd $(FE) && DOCS_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts

clean: ## remove the virtualenv, caches, front-end build and the local instance folder
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(INSTANCE) openapi.json \
		$(FE)/node_modules $(FE_SCHEMA) $(FE)/test-results $(FE)/playwright-report \
		src/ticketdesk/static/app
