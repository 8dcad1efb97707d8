# salesopt — everyday commands. Works from a fresh clone with only Python 3.11 installed.
#
#   make run      SQLite + in-process Celery unless DATABASE_URL / REDIS_URL are set
#   make test     the whole suite; tests needing PostgreSQL, Redis or Chromium skip with a reason
#   make lint     formatting, lint rules, types, import contracts, missing migrations, Django checks
#
# Variables: PORT (8000), HOST (127.0.0.1), PYTHON (python3), PYTEST_ARGS, SEED_ARGS.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
SEED_ARGS ?=

VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install: re-installing only when pyproject.toml changed keeps a
# second `make run` fast.
INSTALLED := $(VENV)/.installed
MANAGE := $(VENV_PYTHON) manage.py

DEMO_PASSWORD := salesopt-demo

# Prints "seeded" when the demo company exists, so a second `make run` skips the slow seeding.
define DEMO_STATUS_PY
from salesopt.core.models import Profile
print("seeded" if Profile.objects.filter(source="demo").exists() else "empty")
endef
export DEMO_STATUS_PY

# Lists the demo accounts that exist, in the layout seed_demo prints them.
define DEMO_LOGINS_PY
from salesopt.core.models import Profile, Role
logins = Profile.objects.filter(source="demo").order_by("pk").values_list("user__username", "role")
reps = [username for username, role in logins if role == Role.SALES_REP]
for username, role in logins:
    if role != Role.SALES_REP:
        print(f"  {username:<26} {role}")
if reps:
    print(f"  {reps[0] + ' … ' + reps[-1]:<26} {Role.SALES_REP} ({len(reps)} accounts)")
endef
export DEMO_LOGINS_PY

.PHONY: help venv run test lint messages clean

help: ## List the targets
	@echo "Usage: make <target> [PORT=8000] [PYTEST_ARGS=...] [SEED_ARGS='--scale N --seed S']"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "salesopt needs Python 3.11; '$(PYTHON)' is $$($(PYTHON) --version)." \
		     "Run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(INSTALLED) ## Create .venv and install the project with its dev tools

run: export DEBUG := true
# Imports and KPI recomputes run in a worker beside the web server, through a local folder
# queue when no REDIS_URL is set (see salesopt/settings/base.py).
run: export SALESOPT_LOCAL_WORKER := true
run: $(INSTALLED) ## Migrate, seed the demo company once, serve on 127.0.0.1:PORT (8000) with a worker
	$(MANAGE) migrate --noinput
	@if [ "$$($(MANAGE) shell --no-imports -c "$$DEMO_STATUS_PY")" = "seeded" ]; then \
		echo "Demo company already seeded: skipping seed_demo (make clean to start over)."; \
		echo "Demo logins (password: $(DEMO_PASSWORD)):"; \
		$(MANAGE) shell --no-imports -c "$$DEMO_LOGINS_PY"; \
	else \
		echo "Seeding the demo company (under a minute)…"; \
		$(MANAGE) seed_demo $(SEED_ARGS); \
	fi
	@echo "Computing the KPI snapshots the pages read…"
	$(MANAGE) compute_kpis
	$(MANAGE) seed_demo_plan
	$(MANAGE) seed_demo_execution
	@echo
	@echo "Serving on http://$(HOST):$(PORT)/ with a background worker and its scheduler  (Ctrl-C to stop)"
	@$(VENV)/bin/celery -A salesopt worker --beat --pool=solo --loglevel=WARNING \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
		$(MANAGE) runserver $(HOST):$(PORT)

test: $(INSTALLED) ## Run the whole test suite (PYTEST_ARGS passed through)
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED) ## ruff format and check, mypy, import-linter, missing migrations, Django checks
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

# --no-wrap: the catalog keeps one line per message (smaller diffs); compilemessages walks every
# folder named locale, --ignore keeps it out of the venv's packages.
messages: $(INSTALLED) ## Extract and compile the Simplified Chinese translations (needs gettext)
	@command -v msgfmt >/dev/null \
		|| { echo "gettext is missing: apt-get install gettext (or brew install gettext)" >&2; exit 1; }
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --no-location --no-wrap
	$(MANAGE) compilemessages -l zh_Hans --ignore=$(VENV)

clean: ## Remove the SQLite database, collected static files and caches (keeps .venv)
	rm -rf db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm .local-state staticfiles \
		.test-media test-artifacts \
		.pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
