#!/usr/bin/env bash
# `make run`: migrate, seed demo data when empty, then the webhook receiver (gunicorn behind
# nginx), the demo traffic and the tracking poller in the background and the dashboard in the
# foreground. Ctrl-C stops everything. Uses the embedded SQLite default unless
# PERFILE_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RECEIVER_PORT="${RECEIVER_PORT:-8000}"
DASHBOARD_PORT="${DASHBOARD_PORT:-8501}"
export PERFILE_RECEIVER_URL="${PERFILE_RECEIVER_URL:-http://127.0.0.1:${RECEIVER_PORT}}"
# gunicorn's internal address; only nginx talks to it (see receiver/gunicorn_conf.py).
export PERFILE_RECEIVER_BIND="${PERFILE_RECEIVER_BIND:-127.0.0.1:$((RECEIVER_PORT + 1))}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "nginx is missing: run 'make system-deps'" >&2; exit 1; }
mkdir -p var/log

$BIN/python -m perfile_core migrate
$BIN/python -m perfile_core seed-demo --if-empty --orders 300

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$BIN/gunicorn -c receiver/gunicorn_conf.py 'receiver:create_app()' >var/log/receiver.log 2>&1 &
pids+=($!)
# The public receiver port: nginx reads whole requests before gunicorn sees them, so slow
# clients cannot tie up its threads (deploy/nginx/receiver.conf.template).
$BIN/python scripts/render_proxy_conf.py --listen "127.0.0.1:${RECEIVER_PORT}" \
  --upstream "$PERFILE_RECEIVER_BIND" --var-dir var/nginx --output var/nginx/receiver.conf
rm -f var/nginx/nginx.pid
"$NGINX" -p "$PWD/var/nginx" -e "$PWD/var/nginx/nginx-error.log" -c "$PWD/var/nginx/receiver.conf" \
  -g 'daemon off;' >>var/log/proxy.log 2>&1 &
pids+=($!)
# nginx writes its pid file once it listens; it gives up on a taken port after ~2.5 s.
until [ -s var/nginx/nginx.pid ]; do
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "nginx did not start (is port ${RECEIVER_PORT} taken?): see var/nginx/nginx-error.log" >&2; exit 1; }
  sleep 0.1
done

# Couriers that do not push (PostNord, DHL) are polled; queued customer e-mails are sent
# (or stay in the outbox table when no SMTP host is configured).
$BIN/python -m perfile_core poll-tracking --every 60 >>var/log/poller.log 2>&1 &
pids+=($!)
( while true; do $BIN/python -m perfile_core send-notifications >>var/log/notifications.log 2>&1 || true; sleep 30; done ) &
pids+=($!)
# Demo traffic, all through the receiver with real signatures: new webshop orders (with
# and without tracking) whose shipments then move along, and the journeys of shipments
# booked in the dashboard with the sandbox courier.
( sleep 5; exec $BIN/python -m perfile_core simulate --interval 5 ) >>var/log/simulate.log 2>&1 &
pids+=($!)
( sleep 5; exec $BIN/python -m perfile_core simulate-sandbox --every 10 ) >>var/log/simulate-sandbox.log 2>&1 &
pids+=($!)

cat <<MSG

  Perfile is running (database: ${PERFILE_DATABASE_URL:-SQLite file var/perfile.db})
    Dashboard:         http://localhost:${DASHBOARD_PORT}
    Webhook receiver:  ${PERFILE_RECEIVER_URL}   (health: ${PERFILE_RECEIVER_URL}/healthz; nginx in front of gunicorn on ${PERFILE_RECEIVER_BIND})
    Logs:              var/log/ (the proxy's: var/nginx/)
  Press Ctrl-C to stop.

MSG
$BIN/streamlit run app.py --server.port "$DASHBOARD_PORT" --server.address 0.0.0.0
