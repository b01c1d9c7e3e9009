"""The minimal reference endpoints the receiver bench measures the receiver against.

Both are the smallest honest endpoint on our stack (gunicorn + Flask + psycopg): read the raw
body, check the Standard Webhooks HMAC over it, store the event and touch its order, answer.

- `one_statement_app`: the fair reference (issue 13). The insert and the update are one
  autocommit statement, one round trip, its own transaction, as the receiver's fast path does.
- `four_round_trips_app`: BEGIN; INSERT; UPDATE; COMMIT. The bench's first reference, kept as a
  second line for context only.

gunicorn imports them as `bench.receiver_reference:one_statement_app()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from typing import Any

import psycopg
from flask import Flask, request
from sqlalchemy.engine import make_url

SECRET = "whsec_" + base64.b64encode(b"perfile-bench-courier-secret-32b").decode()
TABLE = "bench_ref_events"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, event_id text UNIQUE NOT NULL,"
    " tracking_number text NOT NULL, body bytea NOT NULL)"
)
ONE_STATEMENT = f"""
WITH event AS (
    INSERT INTO {TABLE} (event_id, tracking_number, body) VALUES (%s, %s, %s) RETURNING tracking_number
)
UPDATE orders SET latest_event_at = %s, change_cursor = nextval('order_change_seq')
WHERE tracking_number = (SELECT tracking_number FROM event)
"""
INSERT = f"INSERT INTO {TABLE} (event_id, tracking_number, body) VALUES (%s, %s, %s)"
UPDATE = (
    "UPDATE orders SET latest_event_at = %s, change_cursor = nextval('order_change_seq') WHERE tracking_number = %s"
)


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def one_statement_app() -> Flask:
    """HMAC, then one autocommit statement (INSERT ... RETURNING feeding the UPDATE)."""

    def store(conn: psycopg.Connection[Any], msg_id: str, number: str, occurred: str, body: bytes) -> None:
        conn.execute(ONE_STATEMENT, (msg_id, number, body, occurred))

    return _app("reference", store, autocommit=True)


def four_round_trips_app() -> Flask:
    """HMAC, then BEGIN; INSERT; UPDATE; COMMIT."""

    def store(conn: psycopg.Connection[Any], msg_id: str, number: str, occurred: str, body: bytes) -> None:
        with conn.transaction():
            conn.execute(INSERT, (msg_id, number, body))
            conn.execute(UPDATE, (occurred, number))

    return _app("reference-4rt", store, autocommit=False)


def _app(name: str, store: Any, *, autocommit: bool) -> Flask:
    url = dsn(os.environ["PERFILE_DATABASE_URL"])
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    local = threading.local()
    app = Flask(name)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"status": "ok"}

    @app.post("/webhooks/couriers/<courier>")
    def event(courier: str):  # type: ignore[no-untyped-def]
        body = request.get_data()
        msg_id, stamp = request.headers.get("webhook-id", ""), request.headers.get("webhook-timestamp", "")
        expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
        given = request.headers.get("webhook-signature", "").removeprefix("v1,").encode()
        if not hmac.compare_digest(expected, given):
            return {"error": "invalid_signature"}, 401, {"X-Request-Id": msg_id}
        data = json.loads(body)["data"]
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(url, autocommit=autocommit)
        store(conn, msg_id, data["tracking_number"], data["occurred_at"], body)
        return {"status": "accepted"}, 200, {"X-Request-Id": msg_id}  # as the receiver echoes it

    return app
