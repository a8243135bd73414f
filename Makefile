# Finsam Ansökan. `make run` serves the demo on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app finsam_ansokan
PORT   ?= 5000
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

BENCHSTAMP := $(VENV)/.installed-bench

.PHONY: run test lint install install-dev migrate demo serve clean e2e-browser bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

$(BENCHSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEVSTAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

## run: install, migrate, load the demo if the database is empty, serve on 127.0.0.1:$(PORT)
run: migrate
	$(FLASK) demo
	@echo ""
	@echo "  Finsam Ansökan körs på http://127.0.0.1:$(PORT)"
	@echo "  Logga in som någon av demoanvändarna, lösenord: demo-finsam-ansokan"
	@echo "    sokande@varend.example    (sökande, Växjö kommun)"
	@echo "    beredning@varend.example  (beredningsgrupp)"
	@echo "    kansli@varend.example     (kansli)"
	@echo "    styrelse@varend.example   (styrelse)"
	@echo "    revisor@varend.example    (revisor)"
	@echo "    admin@varend.example      (administratör)"
	@echo "  Kansli och admin loggar in med tvåstegsverifiering: lägg in nyckeln"
	@echo "    FINSAMDEMOFINSAMDEMOFINSAMDEMO22 i en autentiseringsapp, eller kör"
	@echo "    .venv/bin/flask --app finsam_ansokan demo-code  för aktuell kod."
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## serve: production-style serving with gunicorn (set SECRET_KEY, DATABASE_URL, FINSAM_ENV=production)
serve: migrate
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) wsgi:app

## test: the whole suite (unit, integration, end-to-end in headless Chromium)
test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, `flask db check` on a scratch database, bandit (high severity fails) and
## pip-audit (a known vulnerability fails; an unreachable vulnerability service only warns)
lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check finsam_ansokan tests
	@scratch=$$(mktemp -d) && \
	  DATABASE_URL=sqlite:///$$scratch/check.sqlite3 $(FLASK) db upgrade >/dev/null && \
	  DATABASE_URL=sqlite:///$$scratch/check.sqlite3 $(FLASK) db check; \
	  status=$$?; rm -rf $$scratch; exit $$status
	$(BIN)/bandit -r finsam_ansokan -lll -q
	$(BIN)/python .ci/audit-dependencies

## bench: seed BENCH_N (10000) applications in a fresh database, serve with gunicorn, load with
## locust, count SQL per page; prints the table, writes benchmarks/results/latest.json.
## SQLite by default; PostgreSQL with BENCH_DATABASE_URL=postgresql+psycopg://…/bench
bench: $(BENCHSTAMP)
	timeout 900 $(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) instance .pytest_cache
