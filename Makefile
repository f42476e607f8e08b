# Quick start: `make demo` runs the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed in the demo banner and used in e-mails, PDFs and QR codes (README: EGOV_SITE_URL).
export EGOV_SITE_URL ?= http://$(HOST):$(PORT)
SITE_URL_2025 ?= http://$(HOST):8001

# The demo's text messages go to var/sms/ (README: SMS); its e-mails to var/mail/ (the non-production default).
demo demo-2025 worker: export EGOV_SMS_BACKEND ?= file

.PHONY: demo test install lint typecheck check demo-2025 worker clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up everything, load the demo province (Bình Phước, 2018) and serve it with a task worker.
demo: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) generate_dossiers --count 3000 --year 2018 --unless-present --no-progress
	mkdir -p var; $(MANAGE) db_worker --interval 1 >var/worker.log 2>&1 & worker=$$!; \
	  $(MANAGE) sweep --every 300 >var/sweep.log 2>&1 & sweep=$$!; \
	  trap 'kill $$worker $$sweep 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) runserver --noreload $(HOST):$(PORT)

## The demo database with the 2025 reorganisation applied (Bình Phước merged into Đồng Nai), on port 8001.
demo-2025: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --quiet
	$(MANAGE) copy_database var/egov-2025.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/egov-2025.sqlite3 $(MANAGE) apply_reorganisation \
	  src/egov/units/data/reorganisations/2025-binh-phuoc-dong-nai.json
	DATABASE_URL=sqlite:///$(CURDIR)/var/egov-2025.sqlite3 $(MANAGE) create_demo_pki
	DATABASE_URL=sqlite:///$(CURDIR)/var/egov-2025.sqlite3 EGOV_SITE_URL=$(SITE_URL_2025) \
	  $(MANAGE) runserver --noreload $(HOST):8001

## Set up and run the whole test suite (DATABASE_URL selects PostgreSQL; SQLite otherwise).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	cd src && ../$(BIN)/lint-imports --config ../pyproject.toml

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

worker: $(STAMP)
	$(MANAGE) db_worker

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/egov.sqlite3* var/egov-2025.sqlite3* artifacts
