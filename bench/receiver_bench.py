"""Receiver benchmark (issues 3 and 13): signed unified courier events against PostgreSQL.

gunicorn on loopback serves the real receiver; 16 concurrent senders (wrk connections) post
signed events for random known tracking numbers for a bounded time. The events are built and
signed before the timed window (bench/receiver_wrk.lua replays them), so the load generator
takes little CPU from the servers on a small box. The same load goes to the minimal reference
endpoint (bench/receiver_reference.py: raw body, HMAC check, one INSERT and one UPDATE in one
autocommit statement, as the receiver's fast path) under the same gunicorn settings, and, for
context only, to the older reference that sends BEGIN, INSERT, UPDATE, COMMIT. The servers run
side by side; short timed windows alternate between them, one round per pair, the order
swapped every round. Each pair gives one receiver/reference ratio; the bench's ratio is their
median. Latency percentiles are over every request of the run (the windows' distributions
merged), with the worst window's p99 beside them. Prints accepted events/s, p50/p99 latency,
the CPU each server's processes and PostgreSQL spent per accepted event (where the difference
comes from), the ratios, and after the run what was lost or doubled (bench/receiver_checks.py).
The last line is PASS or FAIL; a miss names the targets it missed.

Environment: PERFILE_BENCH_ORDERS (default 1,000,000), PERFILE_BENCH_SECONDS (default 6),
PERFILE_BENCH_SENDERS (16), PERFILE_BENCH_ROUNDS (12 pairs), PERFILE_BENCH_WRK_THREADS (2),
PERFILE_BENCH_CONTEXT (1: also measure the four-round-trip reference; 0: skip it),
PERFILE_RECEIVER_WORKERS / _THREADS (gunicorn, both servers alike). Needs Debian's `wrk`
(make system-deps).
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
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench import receiver_ceiling
from bench import receiver_checks as checks
from bench.bulk_load import ensure_orders
from bench.latency import Histogram
from bench.proc_cpu import cpu_seconds, process_stat
from bench.receiver_reference import CREATE_TABLE, SECRET, TABLE, dsn
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
CONTEXT = os.environ.get("PERFILE_BENCH_CONTEXT", "1") != "0"
TARGET_RATIO = 1.0  # receiver / one-statement reference, median of the pair ratios
TARGETS = 50_000  # orders the events go to, chosen afresh each run
STATUSES = ["picked_up", "in_transit", "in_transit", "out_for_delivery", "exception", "delivered"]


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
    latency: Histogram = field(default_factory=Histogram)  # every request's, merged over windows
    worst_p99_ms: float = float("nan")  # the slowest window's p99
    app_cpu_ms: float = float("nan")  # CPU per accepted event in the gunicorn processes
    db_cpu_ms: float = float("nan")  # ... and in PostgreSQL's processes

    @property
    def rate(self) -> float:
        return self.timed_accepted / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return self.latency.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.latency.percentile_ms(99)


def event_payload(rng: random.Random, numbers: list[str], occurred: datetime) -> tuple[str, dict[str, Any]]:
    """A unified sandbox event (webhook id, payload) for a random one of `numbers`."""
    event_id = f"evt_{uuid.UUID(int=rng.getrandbits(128)).hex}"
    stamp = occurred.isoformat()
    payload = {
        "type": "shipment.status_updated",
        "timestamp": stamp.replace("+00:00", "Z"),
        "data": {
            "courier": "sandbox",
            "tracking_number": rng.choice(numbers),
            "status": rng.choice(STATUSES),
            "exception_reason": "delayed",
            "raw_status": "BENCH",
            "occurred_at": stamp,
            "description": "Benchmark scan",
            "location": {"city": "Solna", "country_code": "SE"},
        },
    }
    return event_id, payload


def _requests(path: Path, numbers: list[str], count: int, base: datetime, rng: random.Random) -> None:
    """`count` signed events, one per line: webhook-id, timestamp, signature, body (tab-separated)."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    stamp = str(int(time.time()))  # valid for the 5-minute tolerance; a run takes seconds
    with path.open("w") as out:
        for n in range(count):
            event_id, payload = event_payload(rng, numbers, base + timedelta(seconds=n))
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
    summary: dict[str, Any] = {"accepted": [], "other": {}, "latency": Histogram()}
    for line in out.read_text().splitlines():
        word, *rest = line.split()
        if word == "accepted":
            summary["accepted"].append(rest[0])
        elif word == "latency":
            summary["latency"].add(int(rest[0]), int(rest[1]))
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
    run.latency = summary["latency"]
    run.worst_p99_ms = run.latency.percentile_ms(99)
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


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _process_tree(root: int) -> list[int]:
    parents = {pid: int(fields[1]) for pid in _pids() if (fields := process_stat(pid)) is not None}
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
    return cpu_seconds(_process_tree(server)), cpu_seconds(_postgres_processes())


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
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute("TRUNCATE webhook_inbox, tracking_events, notifications")
        conn.execute(CREATE_TABLE)
        conn.execute(f"TRUNCATE {TABLE}")
        conn.execute(
            "INSERT INTO courier_accounts (code, credentials, settings, enabled, webhook_secret, created_at,"
            " updated_at) VALUES ('sandbox', '{}', '{}', true, %s, now(), now())"
            " ON CONFLICT (code) DO UPDATE SET webhook_secret = excluded.webhook_secret",
            (box_for(load_settings()).seal(SECRET),),  # stored encrypted, as the receiver reads it
        )
        numbers = reset_targets(conn, TARGETS)
        conn.execute("VACUUM ANALYZE")
    return numbers


def reset_targets(conn: psycopg.Connection[Any], count: int) -> list[str]:
    """`count` random shipments of the sandbox (couriers move only their own) put back in transit,
    with no delivery, exception or status time, as the bulk load left them: every run sends its
    events to the same kind of orders, however many earlier runs delivered. Their tracking numbers."""
    rows = conn.execute(
        "WITH picked AS (SELECT id FROM orders WHERE courier = 'sandbox' AND tracking_number IS NOT NULL"
        " AND deleted_at IS NULL ORDER BY random() LIMIT %s)"
        " UPDATE orders o SET order_status = 'in_transit', main_status = 'in_transit', main_status_at = NULL,"
        " delivered_at = NULL, exception_at = NULL, exception_reason = NULL, latest_event_at = o.shipped_at"
        " FROM picked WHERE o.id = picked.id RETURNING o.tracking_number",
        (count,),
    ).fetchall()
    return [row[0] for row in rows]


def _merged(name: str, runs: list[Run]) -> Run:
    """Rate and CPU: medians over the windows; latency: every request of every window; ids,
    answers and errors summed."""
    merged = Run(name)
    for one in runs:
        merged.accepted_ids += one.accepted_ids
        merged.errors += one.errors
        for status, count in one.other.items():
            merged.other[status] = merged.other.get(status, 0) + count
    merged.seconds = statistics.median(one.seconds for one in runs)
    merged.timed_accepted = round(statistics.median(one.rate for one in runs) * merged.seconds)
    merged.latency = Histogram.merged(one.latency for one in runs)
    merged.worst_p99_ms = max(one.worst_p99_ms for one in runs)
    merged.app_cpu_ms = statistics.median(one.app_cpu_ms for one in runs)
    merged.db_cpu_ms = statistics.median(one.db_cpu_ms for one in runs)
    return merged


def _line(run: Run, rounds: list[Run]) -> str:
    extra = f", other answers {run.other}" if run.other else ""
    extra += f", transport errors {run.errors}" if run.errors else ""
    each = " / ".join(f"{one.rate:.0f}" for one in rounds)
    return (
        f"   {run.name:<14} {run.rate:6.0f} accepted events/s (median)   p50 {run.p50_ms:5.1f} ms"
        f"   p99 {run.p99_ms:5.1f} ms (all requests; worst window {run.worst_p99_ms:5.1f})   CPU per event: app"
        f" {run.app_cpu_ms:.2f} ms, PostgreSQL {run.db_cpu_ms:.2f} ms (medians)   windows {each}/s{extra}"
    )


APPS = {
    "receiver": "receiver:create_app()",
    "reference": "bench.receiver_reference:one_statement_app()",
    "reference-4rt": "bench.receiver_reference:four_round_trips_app()",
}


def _round_order(pair: int, names: list[str]) -> list[str]:
    """Receiver and reference next to each other, which goes first swapped every round; the
    context server (if any) on the other side of the receiver."""
    pair_order = ["reference", "receiver"] if pair % 2 == 0 else ["receiver", "reference"]
    context = [name for name in names if name not in pair_order]
    return pair_order + context if pair % 2 == 0 else context + pair_order


def _ratios(ours: list[Run], theirs: list[Run]) -> list[float]:
    return [a.rate / b.rate for a, b in zip(ours, theirs, strict=True) if b.rate]


def run() -> list[str]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed; run `make system-deps` (apt-get install wrk)")
    url = ensure_orders(ORDERS, "perfile_bench_receiver")
    numbers = _prepare(url)
    names = ["receiver", "reference"] + (["reference-4rt"] if CONTEXT else [])
    lines = [
        f"   {ORDERS:,} orders, {SENDERS} senders (wrk, pre-signed events), {ROUNDS} rounds of {SECONDS:.0f} s"
        f" windows, one per server ({', '.join(names)}), receiver and reference side by side, which goes first"
        f" swapped every round (after {WARMUP_SECONDS:.0f} s warm-up each); load average before"
        f" {os.getloadavg()[0]:.2f}"
    ]
    since = datetime.now(UTC)
    runs: dict[str, list[Run]] = {name: [] for name in names}
    accepted: dict[str, list[str]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        ports, pids = {}, {}
        for name in names:
            process, ports[name] = _serve(APPS[name], url, workdir / f"{name}.log")
            servers.callback(_stop, process)
            pids[name] = process.pid
            warmup = workdir / f"{name}-warmup.tsv"
            _requests(warmup, numbers, int(MAX_RATE * WARMUP_SECONDS), _event_day(), random.Random(name))
            accepted[name] += _wrk(ports[name], warmup, workdir / f"{name}-warmup.out", WARMUP_SECONDS)["accepted"]
        # Short windows, the order swapped every round. Under this load PostgreSQL checkpoints
        # about once a minute (max_wal_size) and right after one it logs whole pages, so
        # throughput swings +-25 % within a minute; with long rounds per server one server could
        # get the slow phase and the other not. Rapid alternation spreads every phase over the
        # servers alike, and each round gives one ratio. No checkpoint is forced: sustained load
        # includes them (and the merged p99 counts their windows).
        for pair in range(ROUNDS):
            for name in _round_order(pair, names):
                runs[name].append(_window(name, ports[name], pids[name], numbers, workdir, f"w{pair}"))
    load_after = os.getloadavg()[0]
    merged = {name: _merged(name, runs[name]) for name in names}
    for name in names:
        accepted[name] += merged[name].accepted_ids  # warm-up included: counted for lost/doubled too
    ours, ref = merged["receiver"], merged["reference"]
    pair_ratios = _ratios(runs["receiver"], runs["reference"])
    ratio = statistics.median(pair_ratios) if pair_ratios else float("nan")
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        lost = checks.lost(conn, accepted["receiver"], "tracking_events")
        inbox_missing = checks.missing_from_inbox(conn, accepted["receiver"], "sandbox")
        doubled = checks.doubled(conn, since)
        ref_lost = checks.lost(conn, accepted["reference"], TABLE)
    lines += [_line(merged[name], runs[name]) for name in names]
    lines.append(
        f"   ratio receiver/reference {ratio:.2f} (median of the pairs' ratios"
        f" {' / '.join(f'{one:.2f}' for one in pair_ratios)}; target >= {TARGET_RATIO})"
    )
    if CONTEXT:
        context = _ratios(runs["receiver"], runs["reference-4rt"])
        lines.append(
            f"   for context: receiver / reference with BEGIN, INSERT, UPDATE, COMMIT (four round trips)"
            f" {statistics.median(context):.2f} (median of the rounds' ratios)"
        )
    lines.append(
        f"   after the run: receiver {lost} lost, {inbox_missing} accepted deliveries missing from the inbox"
        f" (of {len(accepted['receiver']):,} accepted); doubled: {doubled.emails} status changes with more than"
        f" one e-mail, {doubled.inbox} delivery ids with more than one inbox row, {doubled.events} orders with"
        f" one event applied twice; reference {ref_lost} lost (of {len(accepted['reference']):,});"
        f" load average after {load_after:.2f}"
    )
    missed = _missed(ratio, ours, ref, lost + inbox_missing, doubled.total)
    lines.append(
        f"   targets (ratio >= {TARGET_RATIO}, p99 <= the reference's, 0 lost, 0 doubled, every accepted delivery"
        f" in the inbox): {'met' if not missed else 'NOT met: ' + '; '.join(missed)}"
    )
    lines += receiver_ceiling.lines(receiver_ceiling.measure(dsn(url), _ceiling_reset, event_payload))
    lines.append("FAIL" if missed else "PASS")
    return lines


def _ceiling_reset(conn: psycopg.Connection[Any]) -> list[str]:
    """The paired run's workload for a ceiling round: TARGETS orders put back in transit, then
    vacuumed (as the paired run starts), so the measurements leave no autovacuum behind."""
    numbers = reset_targets(conn, TARGETS)
    conn.execute("VACUUM ANALYZE orders")
    return numbers


def _missed(ratio: float, ours: Run, ref: Run, lost: int, doubled: int) -> list[str]:
    missed = []
    if not ratio >= TARGET_RATIO:
        missed.append(f"ratio {ratio:.2f} < {TARGET_RATIO}")
    if not ours.p99_ms <= ref.p99_ms:
        missed.append(f"p99 {ours.p99_ms:.1f} ms > reference's {ref.p99_ms:.1f} ms")
    if lost:
        missed.append(f"{lost} lost")
    if doubled:
        missed.append(f"{doubled} doubled")
    return missed


def main() -> int:
    lines = run()
    print("\n".join(lines))
    return 0 if lines[-1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
