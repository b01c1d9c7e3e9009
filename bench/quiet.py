"""Wait for a quiet machine before a benchmark, so one bench does not time the last one's aftermath.

Benchmarks share two cores with PostgreSQL. The receiver bench updates some 100,000 orders and
the bulk loads write a million, and autovacuum may then work on them for a minute or more: a
benchmark started meanwhile times that work too (the live-tick bench reports how long its
slowest tick waited for a core). `python -m bench` therefore waits, before each benchmark, until
no autovacuum worker runs and the CPUs were mostly idle for a whole second, and prints how long
it waited.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from bench.bulk_load import ADMIN_URL
from bench.receiver_reference import dsn

IDLE_SHARE = 0.8  # of all CPUs' time over the last second
MAX_WAIT_SECONDS = 240.0
SAMPLE_SECONDS = 1.0


def autovacuum_workers() -> int:
    """Autovacuum workers at work on any database of the server."""
    with psycopg.connect(dsn(ADMIN_URL), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'").fetchone()
    return int(row[0]) if row else 0


def idle_share(seconds: float = SAMPLE_SECONDS) -> float:
    """The share of all CPUs' time spent idle (or waiting on I/O) over the next `seconds`."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent)
    return (spent[3] + spent[4]) / total if total else 1.0


def wait_until_quiet(
    *,
    workers: Callable[[], int] = autovacuum_workers,
    idle: Callable[[], float] = idle_share,
    max_seconds: float = MAX_WAIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Block until the machine is quiet or `max_seconds` passed; a line saying what it waited for."""
    started = clock()
    vacuumed = busy = 0
    while True:
        running = workers()
        share = idle() if not running else 0.0
        if not running and share >= IDLE_SHARE:
            break
        if running:
            vacuumed += 1
            time.sleep(SAMPLE_SECONDS)
        else:
            busy += 1
        if clock() - started >= max_seconds:
            still = f"{running} autovacuum workers at work" if running else f"CPUs {share:.0%} idle"
            return f"   machine not quiet after {max_seconds:.0f} s ({still}): timing anyway"
    if not vacuumed and not busy:
        return ""
    return (
        f"   waited {clock() - started:.0f} s for a quiet machine ({vacuumed} checks found autovacuum at work,"
        f" {busy} found the CPUs busy)"
    )


def _cpu_times() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(field) for field in stat.readline().split()[1:]]
