"""Bulk-load a benchmark database with N orders (COPY; benchmarks only, never the app).

The shape follows production: created_at follows insertion order, the newest ~20% of
orders are mostly `pending` (not booked yet), older ones spread over the other
statuses, 10 stores, 4 couriers, tracking numbers on every booked order.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from perfile_core.db import delivery_rollup_sql
from perfile_core.db.engine import make_engine
from perfile_core.db.migrate import migrate

ADMIN_URL = os.environ.get("PERFILE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
STATUSES_OLD = [
    ("delivered", 0.55),
    ("in_transit", 0.12),
    ("confirmed", 0.06),
    ("picked_up", 0.05),
    ("out_for_delivery", 0.04),
    ("ready_for_pickup", 0.05),
    ("exception", 0.06),
    ("returned", 0.03),
    ("cancelled", 0.02),
    ("pending", 0.02),
]
COURIERS = ["postnord", "bring", "dhl", "sandbox"]
STORE_COUNT = 10


def database_url(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def ensure_orders(n: int, name: str = "perfile_bench", *, seed: int = 1) -> str:
    """A migrated database holding exactly n bulk-loaded orders; reused when it already does."""
    url = database_url(name)
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    if exists:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                count = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
            if count == n:
                migrate(engine)  # a kept database gets the migrations added since it was loaded
                return url
        except Exception:
            pass
        finally:
            engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    started = time.perf_counter()
    copy_orders(url, n, seed)
    engine = make_engine(url)
    with engine.begin() as conn:  # COPY ran without triggers: the rollup is computed once, at the end
        delivery_rollup_sql.rebuild(conn)
    engine.dispose()
    print(f"loaded {n:,} orders in {time.perf_counter() - started:.1f} s")
    return url


def copy_orders(url: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    statuses, weights = zip(*STATUSES_OLD, strict=True)
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        # No row triggers while loading (the delivery rollup's would cost ~1M upserts); the
        # caller rebuilds the rollup afterwards.
        cur.execute("SET session_replication_role = replica")
        for i in range(STORE_COUNT):
            cur.execute(
                "INSERT INTO stores (key, name, platform, pickup_address, created_at)"
                " VALUES (%s, %s, 'manual', '{}', now())",
                (f"store-{i}", f"Store {i}"),
            )
        cur.execute("SELECT id FROM stores ORDER BY id")
        store_ids = [row[0] for row in cur.fetchall()]
        columns = (
            "order_number, store_id, customer_name, postal_code, country_code, order_status, main_status,"
            " tracking_number, courier, estimated_delivery, latest_event_at, shipped_at, delivered_at,"
            " exception_at, exception_reason, courier_metadata, created_at, updated_at, change_cursor"
        )
        with cur.copy(f"COPY orders ({columns}) FROM STDIN") as copy:
            span = timedelta(days=365)
            for i in range(n):
                age = span * (n - i) / n  # row i is newer than row i-1
                created = now - age
                newest = i > n * 0.8
                status = "pending" if newest and rng.random() < 0.85 else rng.choices(statuses, weights)[0]
                booked = status not in ("pending", "cancelled")
                tracking = f"00373500{i:012d}" if booked else None
                shipped = created + timedelta(hours=rng.uniform(6, 30)) if booked else None
                delivered = shipped + timedelta(hours=rng.uniform(20, 90)) if status == "delivered" else None
                eta = (shipped + timedelta(days=2)).date() if booked else None
                exception_at = shipped + timedelta(hours=10) if status == "exception" else None
                copy.write_row(
                    (
                        f"B{i:08d}",
                        store_ids[i % STORE_COUNT],
                        f"Customer {rng.randint(1, 200_000)}",
                        f"{rng.randint(10000, 99999)}",
                        "SE",
                        status,
                        status if status not in ("exception", "returned", "cancelled") else "in_transit",
                        tracking,
                        COURIERS[i % 4] if booked else None,
                        eta,
                        shipped,
                        shipped,
                        delivered,
                        exception_at,
                        "delayed" if exception_at else None,
                        "{}",
                        created,
                        created,
                        i + 1,
                    )
                )
        cur.execute("SELECT setval('order_change_seq', %s)", (n + 1,))
        cur.execute("VACUUM ANALYZE orders")
