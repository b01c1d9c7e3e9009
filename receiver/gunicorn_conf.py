"""Gunicorn settings for the receiver: `gunicorn -c receiver/gunicorn_conf.py 'receiver:create_app()'`.

Threads overlap the database round trips of one worker; two workers use both cores of a small
box. Override with PERFILE_RECEIVER_BIND / _WORKERS / _THREADS.

The receiver sits behind nginx (deploy/nginx/, the Procfile's `proxy` line), so it binds an
internal loopback address and nginx takes the public port (8000). A gthread worker gives a
connection its thread as soon as the headers arrive, and the thread then waits for the body
with no timeout: a client that announces 1,000 bytes and sends 6 holds that thread for as long
as it stays connected, and `timeout` below does not help (the worker still heartbeats). nginx
reads whole requests first and drops stalled clients, so never expose this bind directly.
"""

from __future__ import annotations

import os

bind = os.environ.get("PERFILE_RECEIVER_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("PERFILE_RECEIVER_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("PERFILE_RECEIVER_THREADS", "4"))
# Longer than nginx's upstream keepalive_timeout (deploy/nginx/), so nginx closes first.
keepalive = 30
# Restarts a worker whose main loop stops answering the arbiter; it does not free a thread that
# waits on a client (see above) nor one inside a request (the statement timeout does that).
timeout = 30
graceful_timeout = 10
accesslog = None  # the app logs one structured line per delivery; nginx logs each request
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, which a second
# receiver instance on the same host would take over (docs/DEPLOY.md runs two); not used here.
control_socket_disable = True
