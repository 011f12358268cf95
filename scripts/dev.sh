#!/usr/bin/env bash
# Serves Lodestar on http://127.0.0.1:8000 with one Celery worker running beat beside
# it. With no CELERY_BROKER_URL the worker uses kombu's filesystem transport under
# var/broker, so background jobs and progress bars work with no Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

"$BIN/celery" -A config worker --beat --concurrency=1 --loglevel=warning &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM

echo "Lodestar: http://127.0.0.1:8000  (Ctrl-C stops the web server and the worker)"
"$BIN/python" manage.py runserver "${LODESTAR_ADDR:-127.0.0.1:8000}"
