# The two commands: `make run` (set up and serve the embedded default) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the app needs: a CJK font and HarfBuzz subsetting for PDFs (WeasyPrint),
# gettext for translations, poppler to read PDFs back in tests, chromium for browser tests.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 gettext poppler-utils chromium libpango-1.0-0 libpangoft2-1.0-0

.PHONY: run test test-e2e bench lint venv sysdeps messages migrate seed serve serve-prod load worker vendor-static diagrams clean

run: venv sysdeps messages migrate seed serve

venv: $(STAMP)

$(STAMP): requirements/base.txt requirements/dev.txt requirements/prod.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	touch $(STAMP)

# Installs what is missing when it can (root or passwordless sudo with apt-get); otherwise
# prints the exact command and goes on (PDFs then lack CJK glyphs, browser tests cannot run).
sysdeps:
	@missing=""; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	(ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset) || missing="$$missing libharfbuzz-subset0"; \
	(ldconfig -p 2>/dev/null | grep -q libpangoft2) || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then echo "System packages: all present."; exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "Missing system packages:$$missing"; echo "Install them with: sudo apt-get update && sudo apt-get install -y$$missing"; exit 0; fi; \
	echo "Installing system packages:$$missing"; \
	$$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	  || echo "Could not install:$$missing. Run: sudo apt-get update && sudo apt-get install -y$$missing"

messages: venv
	@if [ ! -d locale ]; then echo "No translation catalogue yet."; \
	elif command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "gettext is missing: the interface shows English until 'sudo apt-get install -y gettext' and 'make messages'."; fi

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

# Demo data once: seed_demo is idempotent, the stamp only saves time on later runs.
seed: venv
	@if [ ! -f .seeded ] || [ ! -f db.sqlite3 ]; then $(PY) manage.py seed_demo && touch .seeded; else echo "Demo data already loaded (delete .seeded to load again)."; fi

serve: venv
	@echo "Serving http://$(HOST):$(PORT)/  (users: see README; password demo-pass-2026)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# On every core (pytest-xdist); PYTEST_WORKERS=0 runs in one process. Browser tests run
# in a second run of their own: their seeded server's data never meets another test.
PYTEST_WORKERS ?= auto
test: venv sysdeps messages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder --ignore=tests/e2e $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# Just the browser tests (headless Debian Chromium against a seeded live server); `make test` runs them too.
test-e2e: venv sysdeps messages
	$(PY) -m pytest tests/e2e -m browser $(PYTEST_ARGS)

bench: venv
	$(PY) -m bench.run $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Production settings locally: gunicorn, a Celery worker and beat against PostgreSQL and Redis
# (scripts/serve_prod.sh says which URLs it uses and how to change them).
serve-prod: venv sysdeps
	bash scripts/serve_prod.sh

# Load test (locust) against a running `make serve-prod`; figures in bench/results/load.json.
load: venv
	$(PY) bench/load/run.py

worker: venv
	$(VENV)/bin/celery -A config worker -B -l info

diagrams: venv
	$(PY) manage.py workflow_diagrams

vendor-static:
	bash scripts/vendor_static.sh

clean:
	rm -rf staticfiles .seeded db.sqlite3
