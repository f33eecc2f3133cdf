#!/usr/bin/env bash
# `make prod`: the portal as it would be deployed, on this machine: production settings,
# PostgreSQL, Redis, gunicorn, a Celery worker and beat; static files compressed and cached
# by whitenoise; logs as one structured line an event.
#
#   scripts/prod.sh               prepare (database, migrations, static files), then serve
#   scripts/prod.sh --setup-only  prepare and exit (bench/run.py fills the database next)
#   scripts/prod.sh --no-setup    serve only; stops everything it started on TERM/INT
# Settings come from the environment (BIND, DATABASE_URL, REDIS_URL, CELERY_CONCURRENCY...).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
case $mode in all | --setup-only | --no-setup) ;; *) echo "usage: $0 [--setup-only|--no-setup]" >&2; exit 2 ;; esac
PY=.venv/bin/python
mkdir -p var
# Keys of this machine's own, made once and kept out of the repository (var/ is ignored):
# Django's, and the secrets shared with the mock payment gateway and the mock carrier.
machine_secret() {
  [ -s "var/$1" ] || $PY -c "import secrets; print(secrets.token_urlsafe(64))" > "var/$1"
  chmod 600 "var/$1"
  cat "var/$1"
}
SECRET_KEY=${SECRET_KEY:-$(machine_secret prod-secret-key)}
export PAYMENT_GATEWAY_SECRET=${PAYMENT_GATEWAY_SECRET:-$(machine_secret prod-payment-gateway-secret)}
export DELIVERY_CARRIER_SECRET=${DELIVERY_CARRIER_SECRET:-$(machine_secret prod-carrier-secret)}
export SECRET_KEY DEBUG=0
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dichvucong}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
# Loopback has no TLS: a real deployment terminates TLS at the proxy (BEHIND_TLS_PROXY=1).
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
export SITE_URL=${SITE_URL:-http://127.0.0.1:8000}
export MEDIA_ROOT=${MEDIA_ROOT:-$PWD/var/media}
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}

if [ "$mode" != --no-setup ]; then
dbname=${DATABASE_URL##*/}
psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='${dbname}'" | grep -q 1 \
  || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"${dbname}\""

# Warnings are shown (on loopback SECURE_SSL_REDIRECT is off); errors stop the start.
$PY manage.py check --deploy
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
if $PY manage.py help load_catalogue >/dev/null 2>&1; then $PY manage.py load_catalogue; fi
fi
[ "$mode" = --setup-only ] && exit 0

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
# One worker process on a machine the web shares: a second one took CPU from gunicorn and sent
# each event alone, where one process batches what arrives while it works (make bench,
# submissions: 53.9 dossiers/s with 2 processes, 63.9/s with 1, every notification sent by
# the end). The price: a task that waits on another service (the carrier, the gateway; each
# call has its own timeout) holds the notifications behind it until it ends. A worker machine
# of its own sets CELERY_CONCURRENCY to its cores.
.venv/bin/celery -A portal worker --concurrency="${CELERY_CONCURRENCY:-1}" --loglevel=INFO -n "${CELERY_NODE_NAME:-prod}@%h" &
pids+=($!)
.venv/bin/celery -A portal beat --loglevel=INFO --schedule "${CELERY_BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}" &
pids+=($!)
.venv/bin/gunicorn portal.wsgi:application -c portal/gunicorn.conf.py &
pids+=($!)
echo "prod: http://${BIND:-127.0.0.1:8000}/  health: http://${BIND:-127.0.0.1:8000}/healthz"
wait -n "${pids[@]}"
