# clusterfund: `make demo` to try it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: help demo serve test lint assets lock check-deploy clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock requirements-oracle.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-oracle.lock
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

demo: $(VENV)/.runtime ## create the environment, load both demo schemes into SQLite and serve on PORT (8000)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

chromium: ## install Debian's Chromium for the browser tests, and Pango for the PDFs, when they are missing
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@ldconfig -p | grep -q libpangoft2-1.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

test: $(VENV)/.dev node_modules/.package-lock.json chromium lint ## lint, then the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(MAKE) --no-print-directory check-deploy
	$(PY) -m pytest -q

lint: $(VENV)/.dev ## ruff and the import-linter layer contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check-deploy: $(VENV)/.runtime ## Django's deployment checks under production settings
	DEBUG=false HTTPS=true SECURE_HSTS_SECONDS=31536000 COLLECTED_STATIC=true ALLOWED_HOSTS=clusterfund.example \
	SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	$(PY) manage.py check --deploy --fail-level WARNING

assets: node_modules/.package-lock.json ## rebuild the GOV.UK Frontend CSS and JavaScript (committed)
	npm run build

lock: ## re-pin the Python dependencies from pyproject.toml
	rm -rf /tmp/clusterfund-lock && $(PYTHON) -m venv /tmp/clusterfund-lock
	/tmp/clusterfund-lock/bin/pip install --quiet . && (echo "# Runtime dependencies, pinned. Regenerate with: make lock"; /tmp/clusterfund-lock/bin/pip freeze --exclude clusterfund) > requirements.lock
	/tmp/clusterfund-lock/bin/pip install --quiet '.[dev]' && (echo "# Runtime and test dependencies, pinned. Regenerate with: make lock"; /tmp/clusterfund-lock/bin/pip freeze --exclude clusterfund) > requirements-dev.lock

clean: ## remove the environment and the demo database
	rm -rf $(VENV) node_modules clusterfund.sqlite3
