"""Gunicorn settings for the receiver: `gunicorn -c receiver/gunicorn_conf.py 'receiver:create_app()'`.

Threads overlap the database round trips of one worker; two workers use both cores of a small
box. Override with PERFILE_RECEIVER_BIND / _WORKERS / _THREADS.
"""

from __future__ import annotations

import os

bind = os.environ.get("PERFILE_RECEIVER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PERFILE_RECEIVER_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("PERFILE_RECEIVER_THREADS", "4"))
keepalive = 30
# Senders time out after a few seconds (Shopify: 5 s); a stuck request must not hold a worker.
timeout = 30
graceful_timeout = 10
accesslog = None  # the app logs one structured line per delivery
