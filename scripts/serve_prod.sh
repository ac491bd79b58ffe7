#!/usr/bin/env bash
# `make serve-prod`: the production settings on this machine, for a realistic local run.
# gunicorn (web), one Celery worker and beat, against PostgreSQL and Redis; Ctrl-C stops all three.
#
# Defaults (override in the environment):
#   DATABASE_URL       postgres://postgres@127.0.0.1:5432/pdm_prod   (created when missing)
#   CELERY_BROKER_URL  redis://127.0.0.1:6379/1
#   GUNICORN_BIND      127.0.0.1:8001
#   SEED_SCALE         seed_demo --scale when the database has no demands yet (default 1)
# A SECRET_KEY is generated for this run when none is set (sessions end with it; fine locally).
# Plain http on loopback: SSL redirect and secure cookies are switched off here and only here.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

export DJANGO_SETTINGS_MODULE=config.settings.prod
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pdm_prod}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8001}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export MEDIA_ROOT="${MEDIA_ROOT:-$PWD/var/media}"
if [[ -z "${SECRET_KEY:-}" ]]; then
  SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')"
  export SECRET_KEY
  echo "SECRET_KEY was unset: using a random one for this run."
fi

db_name="${DATABASE_URL##*/}"; db_name="${db_name%%\?*}"
if ! $PY - <<'PY'
import os, sys
import psycopg
try:
    psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=3).close()
except psycopg.OperationalError as exc:
    sys.exit(1 if "does not exist" in str(exc) else f"PostgreSQL is not reachable at DATABASE_URL: {exc}")
PY
then
  echo "Creating database $db_name"
  admin_url="${DATABASE_URL%/*}/postgres"
  $PY -c "import psycopg,sys; c=psycopg.connect(sys.argv[1], autocommit=True); c.execute('CREATE DATABASE \"' + sys.argv[2] + '\"')" "$admin_url" "$db_name"
fi
$PY -c "import redis,os; redis.Redis.from_url(os.environ['CELERY_BROKER_URL'], socket_connect_timeout=3).ping()" \
  || { echo "Redis is not reachable at CELERY_BROKER_URL=$CELERY_BROKER_URL (start it: redis-server --daemonize yes)"; exit 1; }

mkdir -p "$MEDIA_ROOT" var/run
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true
if [[ "$($PY manage.py shell --no-imports -c 'from projects.models import Demand; print(Demand.objects.exists())')" != "True" ]]; then
  $PY manage.py seed_demo --scale "${SEED_SCALE:-1}"
fi

# The redundancy index snapshot the web processes start from (the worker rewrites it on its
# schedule): written once here when missing, so that four gunicorn workers share one index
# instead of each building its own at start (about 30 s of CPU each at 100,000 candidates).
$PY manage.py shell --no-imports -c '
from projects.redundancy import snapshot
from projects.redundancy.index import write_snapshot
if snapshot.read() is None:
    print("Writing the redundancy index snapshot:", write_snapshot())
'

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
.venv/bin/celery -A config worker -l info --concurrency 2 & pids+=($!)
.venv/bin/celery -A config beat -l info --schedule var/run/celerybeat-schedule & pids+=($!)
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi & pids+=($!)
echo "Serving http://$GUNICORN_BIND/  (production settings; health: http://$GUNICORN_BIND/healthz)"
wait -n "${pids[@]}"
