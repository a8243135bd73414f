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

.PHONY: run test lint install install-dev lock migrate demo serve clean e2e-browser bench bench-growth bench-capacity

# Installs are reproducible: every package at the version and hash in requirements/*.lock
# (compiled from pyproject.toml by `make lock`), the project itself editable without its
# dependencies, built by the venv's own pinned setuptools (no build isolation, no download).
LOCKS := requirements
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes --no-deps
PIP_PROJECT := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

BUILDSTAMP := $(VENV)/.installed-build

# the venv with its own pip and setuptools at the pinned versions (venv brings old ones)
$(BUILDSTAMP): $(LOCKS)/build.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) -r $(LOCKS)/build.lock
	touch $@

$(STAMP): pyproject.toml $(LOCKS)/base.lock $(BUILDSTAMP)
	$(PIP_LOCKED) -r $(LOCKS)/base.lock
	$(PIP_PROJECT)
	touch $@

$(DEVSTAMP): pyproject.toml $(LOCKS)/dev.lock $(BUILDSTAMP)
	$(PIP_LOCKED) -r $(LOCKS)/dev.lock
	$(PIP_PROJECT)
	touch $(STAMP) $@

$(BENCHSTAMP): pyproject.toml $(LOCKS)/bench.lock $(BUILDSTAMP)
	$(PIP_LOCKED) -r $(LOCKS)/bench.lock
	$(PIP_PROJECT)
	touch $(STAMP) $@

## lock: compile requirements/*.lock from pyproject.toml (after changing a dependency), with
## uv from the dev extras; `make lock UPGRADE=--upgrade` moves every pin to the newest release
UV_COMPILE = $(BIN)/uv pip compile --quiet --native-tls --universal --python-version 3.11 --generate-hashes $(UPGRADE)
lock: $(DEVSTAMP)
	$(UV_COMPILE) pyproject.toml -o $(LOCKS)/base.lock
	$(UV_COMPILE) pyproject.toml --extra dev -c $(LOCKS)/base.lock -o $(LOCKS)/dev.lock
	$(UV_COMPILE) pyproject.toml --extra bench -c $(LOCKS)/base.lock -o $(LOCKS)/bench.lock
	$(UV_COMPILE) $(LOCKS)/build.in -o $(LOCKS)/build.lock

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
	@echo "  Kansli och admin loggar in med tvåstegsverifiering: lägg in nyckeln"
	@echo "    FINSAMDEMOFINSAMDEMOFINSAMDEMO22 i en autentiseringsapp, eller kör"
	@echo "    .venv/bin/flask --app finsam_ansokan demo-code  för aktuell kod."
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
VULTURE_DECORATORS := @*.route,@*.get,@*.post,@require,@public,@*.command,@*.group,@*.listens_for,@*.context_processor,@*.app_context_processor,@*.app_template_global,@*.errorhandler,@*.user_loader,@*.before_request,@*.after_request,@*.teardown_request,@given,@pytest.fixture,@compiles
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
	rm -rf $(VENV) instance .pytest_cache node_modules
