#!/usr/bin/env bash
# `make run`: the steps before the processes (migrate, seed demo data when empty, render the
# receiver proxy's nginx config), then every process of the Procfile under honcho: the webhook
# receiver (gunicorn behind nginx), the dashboard, the tracking poller, the outbox sender and
# the demo simulators. Ctrl-C (or SIGTERM) stops them all. Uses the embedded SQLite default
# unless PERFILE_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
RECEIVER_PORT="${RECEIVER_PORT:-8000}"
export DASHBOARD_PORT="${DASHBOARD_PORT:-8501}"
export PERFILE_RECEIVER_URL="${PERFILE_RECEIVER_URL:-http://127.0.0.1:${RECEIVER_PORT}}"
# gunicorn's internal address; only nginx talks to it (see receiver/gunicorn_conf.py).
export PERFILE_RECEIVER_BIND="${PERFILE_RECEIVER_BIND:-127.0.0.1:$((RECEIVER_PORT + 1))}"
export PERFILE_PROXY_DIR
PERFILE_PROXY_DIR="$(realpath -m "${PERFILE_PROXY_DIR:-var/nginx}")"
# Not NGINX: nginx itself reads that variable (sockets inherited across a binary upgrade).
export PERFILE_NGINX="${PERFILE_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$PERFILE_NGINX" ] || { echo "nginx is missing: run 'make system-deps'" >&2; exit 1; }

python -m perfile_core migrate
python -m perfile_core seed-demo --if-empty --orders 300
# The public receiver port: nginx reads whole requests before gunicorn sees them, so slow
# clients cannot tie up its threads (deploy/nginx/receiver.conf.template).
python scripts/render_proxy_conf.py --listen "127.0.0.1:${RECEIVER_PORT}" \
  --upstream "$PERFILE_RECEIVER_BIND" --var-dir "$PERFILE_PROXY_DIR" --output "$PERFILE_PROXY_DIR/receiver.conf"
rm -f "$PERFILE_PROXY_DIR/nginx.pid"

cat <<MSG

  Perfile is starting (database: ${PERFILE_DATABASE_URL:-SQLite file var/perfile.db})
    Dashboard:         http://localhost:${DASHBOARD_PORT}   (local mode: this machine only, see README)
    Webhook receiver:  ${PERFILE_RECEIVER_URL}   (health: ${PERFILE_RECEIVER_URL}/healthz; nginx in front of gunicorn on ${PERFILE_RECEIVER_BIND})
    Processes:         Procfile, run by honcho; their output follows, one prefix per process (nginx's logs: ${PERFILE_PROXY_DIR}/)
  Press Ctrl-C to stop them all.

MSG
# exec: honcho itself gets Ctrl-C / SIGTERM and stops every process group it started.
# One dashboard, reached directly: no dashboard_proxy here.
exec honcho start --procfile Procfile --app-root "$PWD" \
  receiver proxy dashboard poller outbox simulate simulate_sandbox
