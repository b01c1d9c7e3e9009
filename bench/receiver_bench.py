"""Receiver benchmark (issue 3): signed unified courier events against PostgreSQL.

gunicorn on loopback serves the real receiver; 16 concurrent senders (wrk connections) post
signed events for random known tracking numbers for a bounded time. The events are built and
signed before the timed window (bench/receiver_wrk.lua replays them), so the load generator
takes little CPU from the servers on a small box. The same load then goes to a minimal
reference endpoint (raw body, HMAC check, one INSERT + one UPDATE in one transaction) under
the same gunicorn settings. Both servers run side by side; short timed windows alternate
between them in pairs; the rate, latency and CPU figures are medians over the windows and the
ratio is the median of the pairs' ratios. Prints accepted events/s, p50/p99 latency, the CPU
each server's processes and PostgreSQL spent per accepted event (where the difference comes
from), our/ref ratio, and counts lost or doubled events after the run (every id answered
`accepted` must be stored once).

Environment: PERFILE_BENCH_ORDERS (default 1,000,000), PERFILE_BENCH_SECONDS (default 6),
PERFILE_BENCH_SENDERS (16), PERFILE_BENCH_ROUNDS (12 pairs), PERFILE_BENCH_WRK_THREADS (2),
PERFILE_RECEIVER_WORKERS / _THREADS (gunicorn). Needs Debian's `wrk` (make system-deps).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.bulk_load import ensure_orders
from perfile_core.config import load_settings
from perfile_core.db.secret_box import box_for

ROOT = Path(__file__).resolve().parent.parent
ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
SECONDS = float(os.environ.get("PERFILE_BENCH_SECONDS", "6"))
WARMUP_SECONDS = 2.0
SENDERS = int(os.environ.get("PERFILE_BENCH_SENDERS", "16"))
ROUNDS = int(os.environ.get("PERFILE_BENCH_ROUNDS", "12"))  # pairs of windows
WRK_THREADS = int(os.environ.get("PERFILE_BENCH_WRK_THREADS", "2"))
MAX_RATE = 4_000  # events signed per second of a run: more than both servers can take here
MAX_REQUESTS = 200_000  # upper bound on what one run may send
LUA = Path(__file__).resolve().parent / "receiver_wrk.lua"
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
            return {"error": "invalid_signature"}, 401, {"X-Request-Id": msg_id}
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
        return {"status": "accepted"}, 200, {"X-Request-Id": msg_id}  # as the receiver echoes it

    return app


# -- load generation -----------------------------------------------------------------------
#
# The senders are wrk (C, epoll) replaying requests that were built and signed before the
# timed window, so the load generator takes little CPU from the two servers it measures.


@dataclass
class Run:
    name: str
    accepted_ids: list[str] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    timed_accepted: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    app_cpu_ms: float = float("nan")  # CPU per accepted event in the gunicorn processes
    db_cpu_ms: float = float("nan")  # ... and in PostgreSQL's processes

    @property
    def rate(self) -> float:
        return self.timed_accepted / self.seconds if self.seconds else 0.0


def _requests(path: Path, numbers: list[str], count: int, base: datetime, rng: random.Random) -> None:
    """`count` signed events, one per line: webhook-id, timestamp, signature, body (tab-separated)."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    stamp = str(int(time.time()))  # valid for the 5-minute tolerance; a run takes seconds
    with path.open("w") as out:
        for n in range(count):
            event_id = f"evt_{uuid.UUID(int=rng.getrandbits(128)).hex}"
            occurred = (base + timedelta(seconds=n)).isoformat()
            payload = {
                "type": "shipment.status_updated",
                "timestamp": occurred.replace("+00:00", "Z"),
                "data": {
                    "courier": "sandbox",
                    "tracking_number": rng.choice(numbers),
                    "status": rng.choice(STATUSES),
                    "exception_reason": "delayed",
                    "raw_status": "BENCH",
                    "occurred_at": occurred,
                    "description": "Benchmark scan",
                    "location": {"city": "Solna", "country_code": "SE"},
                },
            }
            body = json.dumps(payload, separators=(",", ":"))
            digest = hmac.new(key, f"{event_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
            out.write(f"{event_id}\t{stamp}\tv1,{base64.b64encode(digest).decode()}\t{body}\n")


def _wrk(port: int, requests: Path, out: Path, seconds: float) -> dict[str, Any]:
    """One bounded wrk run on loopback; its summary and the ids answered `accepted`."""
    threads = min(WRK_THREADS, SENDERS)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{SENDERS}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/webhooks/couriers/sandbox",
        "--",
        str(requests),
        str(threads),
    ]
    done = subprocess.run(command, env={**os.environ, "WRK_OUT": str(out)}, capture_output=True, text=True)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:] or done.stdout[-2000:]}")
    summary: dict[str, Any] = {"accepted": [], "other": {}}
    for line in out.read_text().splitlines():
        word, *rest = line.split()
        if word == "accepted":
            summary["accepted"].append(rest[0])
        elif word == "other":
            summary["other"][rest[0]] = summary["other"].get(rest[0], 0) + int(rest[1])
        else:
            summary[word] = float(rest[0])
    return summary


def _window(name: str, port: int, server: int, numbers: list[str], workdir: Path, tag: str) -> Run:
    """One timed wrk window against a running server."""
    run = Run(name)
    rng = random.Random(f"{name}-{tag}")
    requests = workdir / f"{name}-{tag}.tsv"
    _requests(requests, numbers, min(MAX_REQUESTS, int(MAX_RATE * SECONDS)), _event_day(), rng)
    app_before, db_before = _cpu_now(server)
    summary = _wrk(port, requests, workdir / f"{name}-{tag}.out", SECONDS)
    app_after, db_after = _cpu_now(server)
    accepted = max(len(summary["accepted"]), 1)
    run.accepted_ids = summary["accepted"]
    run.app_cpu_ms = (app_after - app_before) * 1000 / accepted
    run.db_cpu_ms = (db_after - db_before) * 1000 / accepted
    run.timed_accepted = len(summary["accepted"])
    run.seconds = summary["duration_us"] / 1e6
    run.p50_ms, run.p99_ms = summary["p50_us"] / 1000, summary["p99_us"] / 1000
    run.errors = int(summary["errors"])
    run.other = summary["other"]
    return run


_days = iter(range(10_000))


def _event_day() -> datetime:
    """Each window's events on a day of their own, newer than the last window's."""
    return datetime.now(UTC) - timedelta(days=60 - next(_days))


# -- where the CPU goes (Linux /proc) --------------------------------------------------------
#
# Both servers share two cores with PostgreSQL and wrk, so the CPU each side spends per
# accepted event explains the throughput: printed beside the rates.


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _process_tree(root: int) -> list[int]:
    parents = {pid: int(fields[1]) for pid in _pids() if (fields := _stat(pid)) is not None}
    tree, grew = {root}, True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sorted(tree)


def _postgres_processes() -> list[int]:
    found = []
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip().startswith("postgres"):
                    found.append(pid)
        except OSError:
            continue
    return found


def _cpu_now(server: int) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes and by PostgreSQL's."""
    return _cpu_seconds(_process_tree(server)), _cpu_seconds(_postgres_processes())


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


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
            (box_for(load_settings()).seal(SECRET),),  # stored encrypted, as the receiver reads it
        )
        rows = conn.execute(
            # The sandbox's own shipments: couriers move only their own (others' would be ignored).
            "SELECT tracking_number FROM orders WHERE tracking_number IS NOT NULL AND courier = 'sandbox'"
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


def _median(name: str, runs: list[Run]) -> Run:
    """The median of each figure over the windows; ids, answers and errors summed."""
    merged = Run(name)
    for one in runs:
        merged.accepted_ids += one.accepted_ids
        merged.errors += one.errors
        for status, count in one.other.items():
            merged.other[status] = merged.other.get(status, 0) + count
    merged.seconds = statistics.median(one.seconds for one in runs)
    merged.timed_accepted = round(statistics.median(one.rate for one in runs) * merged.seconds)
    merged.p50_ms = statistics.median(one.p50_ms for one in runs)
    merged.p99_ms = statistics.median(one.p99_ms for one in runs)
    merged.app_cpu_ms = statistics.median(one.app_cpu_ms for one in runs)
    merged.db_cpu_ms = statistics.median(one.db_cpu_ms for one in runs)
    return merged


def _line(run: Run, rounds: list[Run]) -> str:
    extra = f", other answers {run.other}" if run.other else ""
    extra += f", transport errors {run.errors}" if run.errors else ""
    each = " / ".join(f"{one.rate:.0f}" for one in rounds)
    return (
        f"   {run.name:<10} {run.rate:8.0f} accepted events/s   p50 {run.p50_ms:6.1f} ms"
        f"   p99 {run.p99_ms:6.1f} ms   CPU per event: app {run.app_cpu_ms:.2f} ms, PostgreSQL"
        f" {run.db_cpu_ms:.2f} ms   (medians; windows {each}/s{extra})"
    )


def run() -> list[str]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed; run `make system-deps` (apt-get install wrk)")
    url = ensure_orders(ORDERS, "perfile_bench_receiver")
    numbers = _prepare(url)
    lines = [
        f"   {ORDERS:,} orders, {SENDERS} senders (wrk, pre-signed events), {ROUNDS} pairs of {SECONDS:.0f} s"
        f" windows, one per server, order swapped every pair (after {WARMUP_SECONDS:.0f} s warm-up each);"
        f" load average before {os.getloadavg()[0]:.2f}"
    ]
    runs: dict[str, list[Run]] = {"receiver": [], "reference": []}
    apps = {"receiver": "receiver:create_app()", "reference": "bench.receiver_bench:reference_app()"}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        ports, pids, warmed_up = {}, {}, {}
        for name, app in apps.items():
            process, ports[name] = _serve(app, url, workdir / f"{name}.log")
            servers.callback(_stop, process)
            pids[name] = process.pid
            warmup = workdir / f"{name}-warmup.tsv"
            _requests(warmup, numbers, int(MAX_RATE * WARMUP_SECONDS), _event_day(), random.Random(name))
            warmed_up[name] = _wrk(ports[name], warmup, workdir / f"{name}-warmup.out", WARMUP_SECONDS)["accepted"]
        # Short windows in pairs, the order swapped every pair. Under this load PostgreSQL
        # checkpoints about once a minute (max_wal_size) and right after one it logs whole
        # pages, so throughput swings +-25 % within a minute; with long rounds per server one
        # server could get the slow phase and the other not (the same code measured ratios of
        # 0.70 to 0.90). Rapid alternation spreads every phase over both servers alike, and
        # each pair gives one ratio. No checkpoint is forced: sustained load includes them.
        for pair in range(ROUNDS):
            order = ("reference", "receiver") if pair % 2 == 0 else ("receiver", "reference")
            for name in order:
                runs[name].append(_window(name, ports[name], pids[name], numbers, workdir, f"w{pair}"))
    load_after = os.getloadavg()[0]
    ours, ref = _median("receiver", runs["receiver"]), _median("reference", runs["reference"])
    ours.accepted_ids += warmed_up["receiver"]  # counted for lost/doubled too
    ref.accepted_ids += warmed_up["reference"]
    pair_ratios = [a.rate / b.rate for a, b in zip(runs["receiver"], runs["reference"], strict=True) if b.rate]
    lost, doubled = _lost_and_doubled(url, ours, "tracking_events")
    inbox_lost, _ = _lost_and_doubled_inbox(url, ours)
    ref_lost, ref_doubled = _lost_and_doubled(url, ref, "bench_ref_events")
    ratio = statistics.median(pair_ratios) if pair_ratios else float("nan")
    ok = ours.rate >= TARGET_RATE and ours.p99_ms < TARGET_P99_MS and ratio >= TARGET_RATIO
    lines += [
        _line(ours, runs["receiver"]),
        _line(ref, runs["reference"]),
        f"   ratio receiver/reference {ratio:.2f} (median of the pairs' ratios"
        f" {' / '.join(f'{one:.2f}' for one in pair_ratios)}; target >= {TARGET_RATIO})",
        f"   after the run: {lost} lost, {doubled} doubled tracking events; {inbox_lost} accepted deliveries"
        f" missing from the inbox (of {len(ours.accepted_ids):,}); reference {ref_lost} lost, {ref_doubled}"
        f" doubled (of {len(ref.accepted_ids):,}); load average after {load_after:.2f}",
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
