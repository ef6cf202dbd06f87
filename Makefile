# The two commands: `make run` (the product, with a demo tenant) and `make test` (the suite).
# Both do all set-up on a fresh machine: virtualenv, dependencies, Postgres and Redis (the
# machine's, or embedded ones under .data/ when none answer), migrations, translations.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON_FOR_VENV := $(shell scripts/find-python.sh)

.PHONY: run test setup lint format bench screenshots clean

setup: $(VENV)/.installed locale/zh_Hans/LC_MESSAGES/django.mo

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=.data -v0

run: setup
	scripts/run.sh

test: setup
	scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

screenshots: setup
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	$(BIN)/python scripts/screenshots.py --tenant demo --email admin@demo.leadcrm.test --password demo-Leads-2026

clean:
	-$(BIN)/python scripts/services.py down
	rm -rf $(VENV) .data
