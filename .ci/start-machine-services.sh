#!/usr/bin/env bash
# CI helper for this machine: make sure the machine's own PostgreSQL (127.0.0.1:5432) and
# Redis (127.0.0.1:6379) answer, starting them when they don't, then wait (at most 30 s)
# and print one line per service.
#
# It never fails the build: when a tool is missing or a service cannot be started it prints
# a warning, and scripts/services.py then falls back to an embedded server.
set -u

WAIT_SECONDS=30

have() { command -v "$1" >/dev/null 2>&1; }
warn() { echo "start-machine-services: WARNING: $*" >&2; }

postgres_answers() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

start_postgres() {
    if [ ! -d /etc/postgresql ] || ! have pg_ctlcluster; then
        warn "PostgreSQL does not answer and there is no /etc/postgresql or pg_ctlcluster to start it"
        return 1
    fi
    # Newest cluster version when several are installed.
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start </dev/null && return 0
    warn "pg_ctlcluster $version main start failed"
    return 1
}

start_redis() {
    if ! have redis-server; then
        warn "Redis does not answer and there is no redis-server to start it"
        return 1
    fi
    mkdir -p /var/lib/redis /var/log/redis &&
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log </dev/null &&
        return 0
    warn "redis-server failed to start (see /var/log/redis/ci.log)"
    return 1
}

# wait_for NAME ADDRESS CHECK: poll CHECK until it succeeds or the shared deadline passes,
# then print the one line about NAME.
deadline=$((SECONDS + WAIT_SECONDS))
wait_for() {
    local name=$1 address=$2 check=$3
    until "$check"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "$name: WARNING: no answer on $address after ${WAIT_SECONDS} s; $fallback"
            return
        fi
        sleep 0.5
    done
    echo "$name: answers on $address"
}

# Start what is down first, then wait for both, so their start-ups overlap. A service that
# cannot be checked or started gets its line at once instead of a 30 s wait.
fallback="scripts/services.py will fall back to an embedded server"
postgres_wait=false
if ! have pg_isready; then
    warn "pg_isready not found: cannot check PostgreSQL on 127.0.0.1:5432"
    postgres_line="PostgreSQL: unknown (no pg_isready); scripts/services.py will check it"
elif postgres_answers || start_postgres; then
    postgres_wait=true
else
    postgres_line="PostgreSQL: WARNING: no answer on 127.0.0.1:5432, not started; $fallback"
fi

redis_wait=false
if ! have redis-cli; then
    warn "redis-cli not found: cannot check Redis on 127.0.0.1:6379"
    redis_line="Redis: unknown (no redis-cli); scripts/services.py will check it"
elif redis_answers || start_redis; then
    redis_wait=true
else
    redis_line="Redis: WARNING: no answer on 127.0.0.1:6379, not started; $fallback"
fi

if $postgres_wait; then wait_for PostgreSQL 127.0.0.1:5432 postgres_answers; else echo "$postgres_line"; fi
if $redis_wait; then wait_for Redis 127.0.0.1:6379 redis_answers; else echo "$redis_line"; fi
exit 0
