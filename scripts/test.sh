#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: lint, migrations check, deploy check,
# then pytest (random order) on real Postgres, real Redis and a real Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

eval "$($BIN/python scripts/services.py up)"
export DATABASE_URL REDIS_URL
export DJANGO_SETTINGS_MODULE=leadcrm.settings.test

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .

echo "== layers and cycles (.importlinter, docs/architecture.md)"
$BIN/lint-imports --no-cache

echo "== migrations are complete"
$BIN/python manage.py makemigrations --check --dry-run

echo "== production settings pass check --deploy"
DJANGO_SETTINGS_MODULE=leadcrm.settings.production \
SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
ALLOWED_HOSTS=.leadcrm.example.com LEADCRM_BASE_DOMAIN=leadcrm.example.com \
    $BIN/python manage.py check --deploy --fail-level WARNING

echo "== pytest"
exec $BIN/pytest -p randomly "$@"
