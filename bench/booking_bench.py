"""Booking overhead with the sandbox courier, on PostgreSQL.

Measures our own cost of a booking: everything except the courier's answer time (the
sandbox's book() call, label rendering included, is timed and subtracted). Prints the
median (and p95) per booking and the wall time of a bulk booking of 500 orders.

    python bench/booking_bench.py [--database-url URL] [--singles 200] [--bulk 500]

Without --database-url (or PERFILE_BENCH_DATABASE_URL) it creates a scratch database on
postgresql+psycopg://postgres@127.0.0.1:5432 and drops it afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from perfile_core.config import Settings
from perfile_core.couriers.base import BookedShipment, Shipment
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier
from perfile_core.db.engine import make_engine
from perfile_core.db.migrate import migrate
from perfile_core.domain.access import Actor, Role
from perfile_core.services import admin
from perfile_core.services.booking import book_order
from perfile_core.services.bulk_booking import book_orders
from perfile_core.services.orders import create_order

BENCH_ADMIN = Actor("bench", None, Role.ADMIN)  # every write service takes the acting person

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MEDIAN_TARGET_MS = 30.0
BULK_TARGET_S = 30.0


class TimedSandbox(SandboxCourier):
    """The sandbox, with the time spent inside the courier call recorded per thread."""

    def __init__(self) -> None:
        super().__init__()
        self.courier_seconds = 0.0

    def book(self, shipment: Shipment) -> BookedShipment:
        start = time.perf_counter()
        try:
            return super().book(shipment)
        finally:
            elapsed = time.perf_counter() - start
            with self._lock:
                self.courier_seconds += elapsed


@contextmanager
def scratch_database(url: str | None):
    if url:
        yield url
        return
    name = f"perfile_bench_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def make_orders(db, count: int, prefix: str) -> list[int]:
    return [
        create_order(
            db,
            {
                "store_key": "bench",
                "order_number": f"{prefix}-{n:05d}",
                "customer_name": "Bench Customer",
                "customer_email": "bench@example.se",
                "address_line1": "Storgatan 1",
                "postal_code": f"{11000 + n % 8000}",
                "city": "Stockholm",
                "country_code": "SE",
                "weight_grams": 500 + n % 5000,
            },
            actor=BENCH_ADMIN,
        ).id
        for n in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PERFILE_BENCH_DATABASE_URL"))
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--bulk", type=int, default=500)
    args = parser.parse_args(argv)
    with scratch_database(args.database_url) as url:
        db = make_engine(url, pool_size=10)
        if db.dialect.name != "postgresql":
            print("the benchmark runs on PostgreSQL", file=sys.stderr)
            return 2
        migrate(db)
        admin.add_store(
            db,
            key="bench",
            name="Bench Store",
            platform="manual",
            pickup_address={
                "name": "Bench Store",
                "line1": "Lagervägen 1",
                "postal_code": "75323",
                "city": "Uppsala",
                "country_code": "SE",
            },
            actor=BENCH_ADMIN,
        )
        settings = Settings(smtp_host="")
        singles = make_orders(db, args.singles, "S")
        bulk = make_orders(db, args.bulk, "B")

        sandbox = TimedSandbox()
        couriers = CourierRegistry([sandbox])
        for order_id in singles[:5]:  # warm up pools and statement caches
            book_order(db, couriers, order_id, "sandbox", "home", actor=BENCH_ADMIN, settings=settings)
        overheads, courier_times = [], []
        for order_id in singles[5:]:
            before = sandbox.courier_seconds
            start = time.perf_counter()
            book_order(db, couriers, order_id, "sandbox", "home", actor=BENCH_ADMIN, settings=settings)
            total = time.perf_counter() - start
            courier = sandbox.courier_seconds - before
            overheads.append((total - courier) * 1000)
            courier_times.append(courier * 1000)

        bulk_sandbox = TimedSandbox()
        start = time.perf_counter()
        items = book_orders(
            db, CourierRegistry([bulk_sandbox]), bulk, "sandbox", "service_point", actor=BENCH_ADMIN, settings=settings
        )
        bulk_seconds = time.perf_counter() - start
        db.dispose()

    median = statistics.median(overheads)
    p95 = statistics.quantiles(overheads, n=20)[-1]
    ok = sum(1 for item in items if item.ok)
    print(
        f"single booking overhead (ours, courier excluded): median {median:.1f} ms, p95 {p95:.1f} ms "
        f"over {len(overheads)} bookings [target median < {MEDIAN_TARGET_MS:.0f} ms] "
        f"(sandbox courier itself: median {statistics.median(courier_times):.1f} ms)"
    )
    print(
        f"bulk booking of {len(bulk)} orders: {bulk_seconds:.2f} s wall, {ok} booked "
        f"[target < {BULK_TARGET_S:.0f} s] (courier time inside: {bulk_sandbox.courier_seconds:.2f} s summed)"
    )
    passed = median < MEDIAN_TARGET_MS and bulk_seconds < BULK_TARGET_S and ok == len(bulk)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
