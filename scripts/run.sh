#!/usr/bin/env bash
# Run the product: web (gunicorn), Celery worker and Celery beat, with a seeded demo tenant.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
started=$(date +%s.%N)

eval "$($BIN/python scripts/services.py up)"
export DATABASE_URL REDIS_URL
# Dev settings unless asked otherwise: gunicorn and Celery default to production on their own.
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-leadcrm.settings.dev}
PORT=${PORT:-8000}
export LEADCRM_URL_PORT=${LEADCRM_URL_PORT:-$PORT}  # links in emails from the worker
DEMO_EMAIL=${DEMO_EMAIL:-admin@demo.leadcrm.test}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-Leads-2026}
mkdir -p .data/logs

$BIN/python manage.py migrate_schemas -v0
$BIN/python manage.py ensure_public_tenant
$BIN/python manage.py collectstatic --noinput -v0
# The demo tenant and its people first (seconds), the 5,000 leads in the background once the
# servers run (about two minutes): the workspace opens at once and fills up.
$BIN/python manage.py seed_demo demo --top-up --leads 0 \
    --admin-email "$DEMO_EMAIL" --admin-password "$DEMO_PASSWORD"

pids=()
stop() {
    trap - INT TERM EXIT
    echo "stopping web, worker and beat..."
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The worker and beat are restarted when they die (a killed worker must not take the web and
# the scheduler down with it, nor leave imports waiting for a person to notice).
keep_running() {
    local name=$1 out=$2
    shift 2
    (
        child=
        trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
        while :; do
            "$@" >> "$out" 2>&1 &
            child=$!
            status=0
            wait "$child" || status=$?  # (set -e must not end the loop with the worker)
            echo "$(date -u +%FT%TZ) $name stopped (exit $status); restarting in 2 s" >> "$out"
            sleep 2
        done
    ) &
    pids+=($!)
}
keep_running worker .data/logs/worker.out $BIN/celery -A leadcrm worker \
    -Q default,import,dedup,scoring,routing --concurrency 2 \
    --loglevel INFO --logfile .data/logs/worker.log
keep_running beat .data/logs/beat.out $BIN/celery -A leadcrm beat \
    --loglevel INFO --logfile .data/logs/beat.log
# Django's own errors (a 500's traceback) go to web.log as well as to this terminal.
LEADCRM_LOG_FILE=.data/logs/web.log $BIN/gunicorn leadcrm.wsgi:application \
    --bind "127.0.0.1:$PORT" --workers 3 \
    --access-logfile .data/logs/access.log --error-logfile .data/logs/web.log &
pids+=($!)

$BIN/python manage.py seed_demo demo --top-up --leads "${DEMO_LEADS:-5000}" \
    > .data/logs/seed.log 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
    curl -fs -o /dev/null -H "Host: demo.localhost" "http://127.0.0.1:$PORT/healthz/" && break
    sleep 0.1
done
elapsed=$($BIN/python -c "import time; print(round(time.time() - $started, 1))")
cat <<MSG

  LeadCRM is running (ready in ${elapsed} s). Logs: .data/logs/

    Demo workspace:  http://demo.localhost:$PORT/
    Sign in as:      $DEMO_EMAIL  /  $DEMO_PASSWORD
    Sign-up site:    http://localhost:$PORT/

  Demo leads are being added in the background (progress: .data/logs/seed.log).

  Press Ctrl-C to stop.
MSG
wait "${pids[2]}"  # the web server: the worker and beat restart themselves
