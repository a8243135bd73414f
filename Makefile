# Finsam Ansökan. `make run` serves the demo on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app finsam_ansokan
PORT   ?= 5000
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

BENCHSTAMP := $(VENV)/.installed-bench

.PHONY: run test lint install install-dev migrate demo serve clean e2e-browser bench bench-growth bench-capacity

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

## bench: each key page alone at saturation (wrk, no think time) against /healthz in the same
## run, on BENCH_DATABASE_URL (PostgreSQL; the name must contain "bench") at BENCH_N (10000)
## applications: req/s, p50, p99, share of /healthz. bench-growth: in-process ms and SQL
## statements per page at 1 000, 10 000 and 50 000. bench-capacity: think-time users (locust).
bench: $(BENCHSTAMP)
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || \
	  { echo "wrk is missing: apt-get install wrk"; exit 1; }
	timeout 1800 $(BIN)/python -m benchmarks.run saturation

bench-growth: $(BENCHSTAMP)
	timeout 3600 $(BIN)/python -m benchmarks.run growth

bench-capacity: $(BENCHSTAMP)
	timeout 900 $(BIN)/python -m benchmarks.run capacity

clean:
	rm -rf $(VENV) instance .pytest_cache
