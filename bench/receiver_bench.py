"""Receiver benchmark (issue 3): signed unified courier events against PostgreSQL.

gunicorn on loopback serves the real receiver; 16 concurrent senders post signed events for
random known tracking numbers for a bounded time. The same load then goes to a minimal
reference endpoint (raw body, HMAC check, one INSERT + one UPDATE in one transaction) under
the same gunicorn settings. Prints accepted events/s, p50/p99 latency, our/ref ratio, and
counts lost or doubled events after the run.

Environment: PERFILE_BENCH_ORDERS (default 1,000,000), PERFILE_BENCH_SECONDS (default 15),
PERFILE_BENCH_SENDERS (16), PERFILE_RECEIVER_WORKERS / _THREADS (gunicorn).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.bulk_load import ensure_orders

ROOT = Path(__file__).resolve().parent.parent
ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
SECONDS = float(os.environ.get("PERFILE_BENCH_SECONDS", "15"))
WARMUP_SECONDS = 2.0
SENDERS = int(os.environ.get("PERFILE_BENCH_SENDERS", "16"))
ROUNDS = int(os.environ.get("PERFILE_BENCH_ROUNDS", "2"))
MAX_REQUESTS = 200_000  # upper bound on what one run may send
SECRET = "whsec_" + base64.b64encode(b"perfile-bench-courier-secret-32b").decode()
TARGET_RATE, TARGET_P99_MS, TARGET_RATIO = 1200.0, 40.0, 0.9
STATUSES = ["picked_up", "in_transit", "in_transit", "out_for_delivery", "exception", "delivered"]


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- the minimal reference endpoint -------------------------------------------------------


def reference_app():  # type: ignore[no-untyped-def]
    """The minimal endpoint on our stack (gunicorn + Flask + psycopg): raw body, Standard Webhooks
    HMAC, then BEGIN; INSERT; UPDATE; COMMIT on a per-thread connection. Nothing else."""
    from flask import Flask, request

    dsn = _dsn(os.environ["PERFILE_DATABASE_URL"])
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    local = threading.local()
    app = Flask("reference")

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
            return {"error": "invalid_signature"}, 401
        data = json.loads(body)["data"]
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(dsn)
        with conn.transaction():
            conn.execute(
                "INSERT INTO bench_ref_events (event_id, tracking_number, body) VALUES (%s, %s, %s)",
                (msg_id, data["tracking_number"], body),
            )
            conn.execute(
                "UPDATE orders SET latest_event_at = %s, change_cursor = nextval('order_change_seq')"
                " WHERE tracking_number = %s",
                (data["occurred_at"], data["tracking_number"]),
            )
        return {"status": "accepted"}

    return app


# -- load generation -----------------------------------------------------------------------


@dataclass
class Run:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    accepted_ids: list[str] = field(default_factory=list)
    other: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _request(number: str, base: datetime, n: int) -> tuple[str, bytes, dict[str, str]]:
    event_id = f"evt_{uuid.uuid4().hex}"
    occurred = base + timedelta(minutes=n)
    payload = {
        "type": "shipment.status_updated",
        "timestamp": occurred.isoformat().replace("+00:00", "Z"),
        "data": {
            "courier": "sandbox",
            "tracking_number": number,
            "status": random.choice(STATUSES),
            "exception_reason": "delayed",
            "raw_status": "BENCH",
            "occurred_at": occurred.isoformat(),
            "description": "Benchmark scan",
            "location": {"city": "Solna", "country_code": "SE"},
        },
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    stamp = str(int(time.time()))
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signature = base64.b64encode(hmac.new(key, f"{event_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + signature.decode(),
    }
    return event_id, body, headers


def _load(name: str, port: int, numbers: list[str]) -> Run:
    run = Run(name)
    lock = threading.Lock()
    base = datetime.now(UTC) - timedelta(days=3)
    stop_at = [0.0]
    started = [0.0]
    counter = iter(range(MAX_REQUESTS))

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[tuple[float, str]] = []
        other: dict[int, int] = {}
        errors = 0
        while True:
            try:
                n = next(counter)
            except StopIteration:
                break
            event_id, body, headers = _request(random.choice(numbers), base, n)
            t0 = time.perf_counter()
            if t0 >= stop_at[0]:
                break
            try:
                conn.request("POST", "/webhooks/couriers/sandbox", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status == 200 and b"accepted" in answer:
                if t0 >= started[0]:  # after warm-up
                    mine.append((elapsed, event_id))
                elif t0 < started[0]:
                    mine.append((-1.0, event_id))
            else:
                other[response.status] = other.get(response.status, 0) + 1
        with lock:
            for elapsed, event_id in mine:
                run.accepted_ids.append(event_id)
                if elapsed >= 0:
                    run.latencies_ms.append(elapsed)
            for status, count in other.items():
                run.other[status] = run.other.get(status, 0) + count
            run.errors += errors
        conn.close()

    now = time.perf_counter()
    started[0] = now + WARMUP_SECONDS
    stop_at[0] = started[0] + SECONDS
    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = SECONDS
    return run


# -- servers and bookkeeping ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app: str, url: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {
        **os.environ,
        "PERFILE_DATABASE_URL": url,
        "PERFILE_RECEIVER_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "receiver/gunicorn_conf.py", app],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{app} did not start: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _prepare(url: str) -> list[str]:
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        conn.execute("TRUNCATE webhook_inbox, tracking_events")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_ref_events (id bigserial PRIMARY KEY, event_id text UNIQUE NOT NULL,"
            " tracking_number text NOT NULL, body bytea NOT NULL)"
        )
        conn.execute("TRUNCATE bench_ref_events")
        conn.execute(
            "INSERT INTO courier_accounts (code, credentials, settings, enabled, webhook_secret, created_at,"
            " updated_at) VALUES ('sandbox', '{}', '{}', true, %s, now(), now())"
            " ON CONFLICT (code) DO UPDATE SET webhook_secret = excluded.webhook_secret",
            (SECRET,),
        )
        rows = conn.execute(
            "SELECT tracking_number FROM orders WHERE tracking_number IS NOT NULL"
            " AND order_status NOT IN ('delivered', 'returned', 'cancelled') ORDER BY random() LIMIT 50000"
        ).fetchall()
        conn.execute("VACUUM ANALYZE")
    return [row[0] for row in rows]


def _lost_and_doubled(url: str, run: Run, table: str) -> tuple[int, int]:
    with psycopg.connect(_dsn(url)) as conn:
        conn.execute("CREATE TEMP TABLE sent (event_id text)")
        with conn.cursor().copy("COPY sent (event_id) FROM STDIN") as copy:
            for event_id in run.accepted_ids:
                copy.write_row((event_id,))
        lost = conn.execute(
            f"SELECT count(*) FROM sent s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.event_id = s.event_id)"
        ).fetchone()[0]
        doubled = conn.execute(
            f"SELECT count(*) FROM (SELECT event_id FROM {table} GROUP BY event_id HAVING count(*) > 1) d"
        ).fetchone()[0]
    return int(lost), int(doubled)


def _merge(name: str, runs: list[Run]) -> Run:
    merged = Run(name)
    for one in runs:
        merged.latencies_ms += one.latencies_ms
        merged.accepted_ids += one.accepted_ids
        merged.errors += one.errors
        merged.seconds += one.seconds
        for status, count in one.other.items():
            merged.other[status] = merged.other.get(status, 0) + count
    return merged


def _line(run: Run) -> str:
    extra = f", other answers {run.other}" if run.other else ""
    extra += f", transport errors {run.errors}" if run.errors else ""
    return (
        f"   {run.name:<10} {run.rate:8.0f} accepted events/s   p50 {run.pct(0.5):6.1f} ms"
        f"   p99 {run.pct(0.99):6.1f} ms   ({len(run.latencies_ms):,} in {run.seconds:.0f} s{extra})"
    )


def run() -> list[str]:
    url = ensure_orders(ORDERS, "perfile_bench_receiver")
    numbers = _prepare(url)
    lines = [
        f"   {ORDERS:,} orders, {SENDERS} senders, {ROUNDS} alternating rounds of {SECONDS:.0f} s per server"
        f" (after {WARMUP_SECONDS:.0f} s warm-up each)"
    ]
    runs: dict[str, list[Run]] = {"receiver": [], "reference": []}
    apps = {"receiver": "receiver:create_app()", "reference": "bench.receiver_bench:reference_app()"}
    with tempfile.TemporaryDirectory() as tmp:
        # Alternate the two servers so a busy moment on the box hits both alike.
        for _round in range(ROUNDS):
            for name in ("reference", "receiver"):
                process, port = _serve(apps[name], url, Path(tmp) / f"{name}.log")
                try:
                    runs[name].append(_load(name, port, numbers))
                finally:
                    _stop(process)
    ours, ref = _merge("receiver", runs["receiver"]), _merge("reference", runs["reference"])
    lost, doubled = _lost_and_doubled(url, ours, "tracking_events")
    inbox_lost, _ = _lost_and_doubled_inbox(url, ours)
    ratio = ours.rate / ref.rate if ref.rate else float("nan")
    ok = ours.rate >= TARGET_RATE and ours.pct(0.99) < TARGET_P99_MS and ratio >= TARGET_RATIO
    lines += [
        _line(ours),
        _line(ref),
        f"   ratio receiver/reference {ratio:.2f} (target >= {TARGET_RATIO})",
        f"   after the run: {lost} lost, {doubled} doubled tracking events; {inbox_lost} accepted deliveries"
        " missing from the inbox",
        f"   targets (>= {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms, ratio >= {TARGET_RATIO}):"
        f" {'met' if ok else 'NOT met'}",
    ]
    return lines


def _lost_and_doubled_inbox(url: str, run: Run) -> tuple[int, int]:
    with psycopg.connect(_dsn(url)) as conn:
        keys = {f"sandbox:{event_id}" for event_id in run.accepted_ids}
        found = conn.execute("SELECT count(*) FROM webhook_inbox WHERE dedupe_key = ANY(%s)", (list(keys),)).fetchone()[
            0
        ]
    return len(keys) - int(found), 0


def main() -> int:
    for line in run():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
