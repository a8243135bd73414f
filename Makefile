# Finsam Ansökan. `make run` serves the demo on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app finsam_ansokan
PORT   ?= 5000
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

BENCHSTAMP := $(VENV)/.installed-bench
# the Nu Html Checker (npm package vnu-jar, pinned in package-lock.json) for the test suite;
# --ignore-scripts: it runs with the machine's Java, nothing is downloaded besides the jar
NODESTAMP := node_modules/.installed

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

$(NODESTAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

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

## test: the whole suite (unit, integration, end-to-end in headless Chromium, and the
## Nu Html Checker over every page shape, which needs Java and npm)
test: $(DEVSTAMP) $(NODESTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, the import contracts (the floors, no circle: pyproject [tool.importlinter]),
## dead code (vulture, allow-list in .ci/vulture_allowlist.py), `flask db check` on a scratch
## database, bandit (high severity fails) and pip-audit (a known vulnerability fails; an
## unreachable vulnerability service only warns)
VULTURE_DECORATORS := @*.route,@*.get,@*.post,@require,@public,@*.command,@*.group,@*.listens_for,@*.context_processor,@*.app_context_processor,@*.app_template_global,@*.errorhandler,@*.user_loader,@*.before_request,@*.after_request,@*.teardown_request,@given,@pytest.fixture
lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check finsam_ansokan tests
	$(BIN)/lint-imports
	@# tests, benchmarks and templates count as users; only the package's findings fail
	@names=$$(mktemp --suffix=.py) && $(BIN)/python .ci/template_names.py > $$names && \
	  ! $(BIN)/vulture finsam_ansokan tests benchmarks .ci/vulture_allowlist.py $$names \
	    --min-confidence 60 --exclude "scale.py,models.py" \
	    --ignore-names "validate_*,_value,widget,option_widget,Meta" \
	    --ignore-decorators "$(VULTURE_DECORATORS)" | grep "^finsam_ansokan/"; \
	  status=$$?; rm -f $$names; exit $$status
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
	rm -rf $(VENV) instance .pytest_cache node_modules
