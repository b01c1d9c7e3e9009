"""PostgreSQL: the trigger-kept delivery rollup always equals the aggregate of the orders.

The trigger is the database's, so any writer is covered: the services (seeded demo traffic,
edits, deletes, restores), raw SQL as the receiver's one-statement fast path or a bulk fix
would send, and concurrent writers adding to the same rollup row.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select, text

from perfile_core.db import delivery_rollup_sql
from perfile_core.db.delivery_columns import ALL_MEASURES, KEY_COLUMNS
from perfile_core.db.tables import delivery_rollup, delivery_rollup_weekly
from perfile_core.services import orders as order_service
from perfile_core.services.analytics import AnalyticsFilter, delivery_analytics
from perfile_core.services.analytics_query import full_weeks
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN, person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event

ANCHOR = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _rows(rows, period: str = "day") -> dict[tuple, tuple]:
    """Rows by key, without the all-zero rows a group keeps when its orders move elsewhere."""
    result = {}
    for row in rows:
        values = tuple(int(getattr(row, name)) for name in ALL_MEASURES)
        if any(values):
            result[tuple(getattr(row, name) for name in (period, *KEY_COLUMNS[1:]))] = values
    return result


def assert_rollup_matches(db: Engine) -> None:
    """Both rollups equal the orders' aggregate: the daily one row by row, the weekly one as the
    daily aggregate summed per week."""
    with db.connect() as conn:
        kept = _rows(conn.execute(select(delivery_rollup)))
        computed = _rows(conn.execute(delivery_rollup_sql.on_the_fly_rollup(conn)))
        assert kept == computed
        assert kept, "the comparison needs data"
        weekly = _rows(conn.execute(select(delivery_rollup_weekly)), period="week")
        per_week: dict[tuple, list[int]] = {}
        for (day, *rest), values in computed.items():
            key = (day - timedelta(days=day.weekday()), *rest)
            per_week[key] = [a + b for a, b in zip(per_week.get(key, [0] * len(values)), values, strict=True)]
        assert weekly == {key: tuple(values) for key, values in per_week.items() if any(values)}


def assert_reports_match(db: Engine, flt: AnalyticsFilter) -> None:
    assert delivery_analytics(db, flt, source="rollup") == _as_rollup(delivery_analytics(db, flt, source="orders"))


def _as_rollup(report):
    return type(report)(**{**report.__dict__, "source": "rollup"})


def test_rollup_follows_every_kind_of_write(pg_db: Engine) -> None:
    seed_demo(pg_db, orders_count=300, seed=3, anchor=ANCHOR, actor=ADMIN)
    assert_rollup_matches(pg_db)
    with pg_db.begin() as conn:  # raw SQL, as the fast path or a bulk fix writes
        conn.execute(text("UPDATE orders SET postal_code = '99999' WHERE id % 7 = 0"))
        conn.execute(text("UPDATE orders SET courier = 'dhl' WHERE id % 13 = 0 AND courier IS NOT NULL"))
        conn.execute(text("UPDATE orders SET country_code = NULL WHERE id % 17 = 0"))
        conn.execute(
            text(
                "UPDATE orders SET order_status = 'delivered', delivered_at = shipped_at + interval '30 hours'"
                " WHERE order_status = 'in_transit' AND id % 3 = 0"
            )
        )
        conn.execute(text("UPDATE orders SET exception_reason = 'lost' WHERE exception_at IS NOT NULL AND id % 2 = 0"))
        conn.execute(text("UPDATE orders SET deleted_at = now() WHERE id % 11 = 0"))
    assert_rollup_matches(pg_db)
    with pg_db.connect() as conn:
        some = conn.execute(text("SELECT id FROM orders WHERE deleted_at IS NOT NULL ORDER BY id LIMIT 3")).scalars()
        deleted = list(some)
    for order_id in deleted:
        order_service.restore_order(pg_db, order_id, actor=person("t"))
    with pg_db.connect() as conn:
        live = list(conn.execute(text("SELECT id FROM orders WHERE deleted_at IS NULL ORDER BY id LIMIT 4")).scalars())
    for order_id in live:
        order_service.soft_delete_order(pg_db, order_id, actor=person("t"), reason="test")
    assert_rollup_matches(pg_db)
    for flt in (
        AnalyticsFilter(),
        AnalyticsFilter(couriers=("postnord", "bring")),
        AnalyticsFilter(store_keys=("demo-woo",), regions=("SE-1", "NO-0")),
        AnalyticsFilter(created_from=date(2026, 11, 10), created_to=date(2026, 11, 16)),  # no whole week
        AnalyticsFilter(created_from=date(2026, 10, 29), created_to=date(2026, 11, 18)),  # two, and days around
        AnalyticsFilter(created_from=date(2026, 11, 2), created_to=date(2026, 11, 15), couriers=("dhl",)),
        AnalyticsFilter(created_to=date(2026, 11, 11)),
    ):
        assert_reports_match(pg_db, flt)


def test_concurrent_writers_to_one_rollup_row_lose_nothing(pg_db: Engine) -> None:
    make_store(pg_db)
    numbers = [bring_number(serial) for serial in range(1, 13)]
    for number in numbers:  # one day, courier, store and region: one rollup row for all
        order = make_order(pg_db, created_at=T0 - timedelta(hours=2), country_code="SE", postal_code="11122")
        order_service.attach_tracking(pg_db, order.id, number, "bring", actor=person("t"))

    def travel(number: str) -> None:
        for code, hours in (("HANDED_IN", 0), ("ATTEMPTED_DELIVERY", 20), ("DELIVERED", 26)):
            push_event(pg_db, number, code, T0 + timedelta(hours=hours))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(travel, numbers))
    assert_rollup_matches(pg_db)
    total = delivery_analytics(pg_db).total
    assert (total.orders, total.delivered, total.exceptions, total.reasons) == (12, 12, 12, {"failed_attempt": 12})


def test_whole_weeks_inside_a_period() -> None:
    thursday, wednesday = date(2026, 10, 29), date(2026, 11, 18)
    assert full_weeks(thursday, wednesday) == (date(2026, 11, 2), date(2026, 11, 9))
    assert full_weeks(date(2026, 11, 2), date(2026, 11, 8)) == (date(2026, 11, 2), date(2026, 11, 2))
    assert full_weeks(date(2026, 11, 3), date(2026, 11, 9)) is None
    assert full_weeks(None, wednesday) == (None, date(2026, 11, 9))
    assert full_weeks(thursday, None) == (date(2026, 11, 2), None)


def test_truncating_orders_empties_the_rollup(pg_db: Engine) -> None:
    seed_demo(pg_db, orders_count=20, seed=1, anchor=ANCHOR, actor=ADMIN)
    with pg_db.begin() as conn:
        conn.execute(text("TRUNCATE orders CASCADE"))
    assert delivery_analytics(pg_db).total.orders == 0


# Values each watched column takes in the random changes below: NULLs, case and prefix variants
# of the region, times on both sides of each other and of the promised day.
_T = [None, T0, T0 + timedelta(hours=30), T0 + timedelta(days=4)]
_CHOICES: dict[str, list] = {
    "deleted_at": [None, None, None, T0],
    "created_at": [T0 - timedelta(days=2), T0 - timedelta(hours=1), T0 - timedelta(days=9)],
    "courier": [None, "bring", "dhl"],
    "country_code": [None, "SE", "se", "NO"],
    "postal_code": [None, "11122", "19999", "21122"],
    "order_status": ["confirmed", "in_transit", "out_for_delivery", "exception", "delivered", "delivered"],
    "tracking_number": [None, "X1", "X2"],
    "estimated_delivery": [None, date(2026, 3, 10), date(2026, 3, 12)],
    "delivered_at": _T,
    "shipped_at": _T,
    "exception_at": _T,
    "exception_reason": [None, "delayed", "lost", "not_a_reason"],
}


def test_the_update_trigger_fires_for_every_change_that_moves_a_contribution(pg_db: Engine) -> None:
    """The trigger's WHEN is narrower than "a watched column changed": random changes of every
    watched column, one or two at a time, keep both rollups equal to the orders' aggregate."""
    assert set(_CHOICES) == set(delivery_rollup_sql.WATCHED) - {"store_id"}
    make_store(pg_db)
    make_store(pg_db, key="other")
    ids = [make_order(pg_db, store_key=("shop", "other")[n % 2], created_at=T0).id for n in range(5)]
    rng = random.Random(13)
    for step in range(160):
        changes = {name: rng.choice(_CHOICES[name]) for name in rng.sample(sorted(_CHOICES), rng.choice((1, 2)))}
        with pg_db.begin() as conn:
            if step % 23 == 0:
                conn.execute(text("UPDATE orders SET store_id = (SELECT min(id) FROM stores) WHERE id = :id"),
                             {"id": rng.choice(ids)})  # fmt: skip
            assignments = ", ".join(f"{name} = :{name}" for name in changes)
            conn.execute(text(f"UPDATE orders SET {assignments} WHERE id = :id"), {**changes, "id": rng.choice(ids)})
        with pg_db.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM orders WHERE deleted_at IS NULL")).scalar():
                assert_rollup_matches(pg_db)


def test_a_scan_that_moves_no_measure_does_not_call_the_trigger(pg_db: Engine) -> None:
    make_store(pg_db)
    order = make_order(pg_db, created_at=T0 - timedelta(hours=2))
    with pg_db.begin() as conn:
        conn.execute(text("SET LOCAL track_functions = 'pl'"))

        def calls() -> int:
            found = conn.execute(
                text("SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'perfile_delivery_rollup_row'")
            ).scalar()
            return found or 0

        conn.execute(text("UPDATE orders SET tracking_number = 'X1', order_status = 'in_transit', shipped_at = :t"
                          " WHERE id = :id"), {"t": T0, "id": order.id})  # fmt: skip
        assert calls() == 1  # tracked now
        for status in ("out_for_delivery", "in_transit", "ready_for_pickup"):
            conn.execute(text("UPDATE orders SET order_status = :s, updated_at = now() WHERE id = :id"),
                         {"s": status, "id": order.id})  # fmt: skip
        assert calls() == 1
        conn.execute(text("UPDATE orders SET order_status = 'delivered', delivered_at = :t WHERE id = :id"),
                     {"t": T0 + timedelta(hours=20), "id": order.id})  # fmt: skip
        assert calls() == 2
    assert_rollup_matches(pg_db)


def test_migration_0014_narrows_the_update_trigger_and_goes_back(pg_db: Engine) -> None:
    from perfile_core.db.migrate import downgrade, migrate

    query = text("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'delivery_rollup_update'")
    with pg_db.connect() as conn:
        assert "(old.order_status)::text = 'delivered'" in conn.execute(query).scalar_one()
    downgrade(pg_db, "0014-1")
    with pg_db.connect() as conn:
        assert "(old.order_status)::text IS DISTINCT FROM (new.order_status)::text" in conn.execute(query).scalar_one()
    migrate(pg_db)
    with pg_db.connect() as conn:
        assert "(old.order_status)::text = 'delivered'" in conn.execute(query).scalar_one()
    test_a_scan_that_moves_no_measure_does_not_call_the_trigger(pg_db)
