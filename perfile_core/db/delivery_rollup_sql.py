"""The delivery rollup on PostgreSQL: a trigger on `orders` keeps `delivery_rollup` current.

Every write path (the services, the receiver's single-statement fast path, bulk SQL) changes
orders, so the rollup is kept by the database: a row trigger takes the old row's
contribution out and puts the new row's in, with an upsert that adds to the counters (so
concurrent writers never lose an increment). It fires on an UPDATE only when the change can
change a contribution (contribution_may_change), so a courier scan that moves nothing analytics
count costs nothing.
Its contributions restate `db/delivery_sql.order_facts` in PL/pgSQL;
`tests/core/test_delivery_rollup.py` holds the rollup equal to the on-the-fly aggregate.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, insert, select, text

from perfile_core.db.delivery_columns import ALL_MEASURES, BIN_COLUMNS, KEY_COLUMNS, REASON_COLUMNS, REASONS
from perfile_core.db.delivery_sql import measure_sums, order_facts
from perfile_core.db.tables import delivery_rollup, delivery_rollup_weekly, orders
from perfile_core.domain.delivery_stats import BIN_EDGES_HOURS
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.time_utils import DEFAULT_DELIVERY_ZONE, DELIVERY_ZONES

# The trigger's WHEN: the changes that can change a contribution (measures or rollup rows), so a
# courier scan that moves nothing analytics count (picked up, in transit, out for delivery, a
# newer exception of the same reason) does not even call the trigger. A superset of
# "perfile_delivery_measures or the row's keys differ"; tests/core/test_delivery_rollup.py
# checks it against random changes of every column below.
KEYED = ("deleted_at", "created_at", "courier", "store_id", "country_code", "postal_code")  # which rows count it
PRESENCE = ("tracking_number", "exception_at")  # read only as "is there one" (tracked, excepted)
ANY_STATUS = ("exception_reason",)  # read whatever the status (an excepted order's reason)
WHEN_DELIVERED = ("delivered_at", "shipped_at", "estimated_delivery")  # on time, delivery time, its bin
WATCHED = (*KEYED, "order_status", *PRESENCE, *ANY_STATUS, *WHEN_DELIVERED)


def contribution_may_change() -> str:
    """SQL over OLD and NEW: true when the update may change the order's contribution."""
    delivered = f"'{Status.DELIVERED.value}'"
    changed = [f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in (*KEYED, *ANY_STATUS)]
    changed += [f"(OLD.{name} IS NULL) <> (NEW.{name} IS NULL)" for name in PRESENCE]
    changed.append(f"(OLD.order_status = {delivered}) IS DISTINCT FROM (NEW.order_status = {delivered})")
    timed = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in WHEN_DELIVERED)
    changed.append(f"(NEW.order_status = {delivered} AND ({timed}))")
    return " OR ".join(changed)


def _measures_function() -> str:
    """perfile_delivery_measures(r): what one live order adds to each measure, in ALL_MEASURES order."""
    zone = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in DELIVERY_ZONES.items())
    edges = ",".join(str(edge * 3600) for edge in BIN_EDGES_HOURS)
    known = ",".join(f"'{reason}'" for reason in REASONS if reason != ExceptionReason.OTHER.value)
    values = {
        "orders": "1",
        "tracked": "v_tracked::int",
        "delivered": "v_delivered::int",
        "promised": "v_promised::int",
        "on_time": (
            "(v_promised AND (r.delivered_at AT TIME ZONE "
            f"(CASE upper(r.country_code) {zone} ELSE '{DEFAULT_DELIVERY_ZONE}' END))::date"
            " <= r.estimated_delivery)::int"
        ),
        "exceptions": "v_excepted::int",
        "delivery_seconds": "v_secs",
    }
    for column, reason in zip(REASON_COLUMNS, REASONS, strict=True):
        values[column] = f"(v_excepted AND v_reason = '{reason}')::int"
    for index, column in enumerate(BIN_COLUMNS):
        values[column] = f"(v_timed AND v_bin = {index})::int"
    return f"""
CREATE OR REPLACE FUNCTION perfile_delivery_measures(r orders) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_delivered boolean := r.order_status = '{Status.DELIVERED.value}';
  v_timed boolean := v_delivered AND r.delivered_at IS NOT NULL;
  v_promised boolean := v_timed AND r.estimated_delivery IS NOT NULL;
  v_tracked boolean := r.tracking_number IS NOT NULL;
  v_excepted boolean := v_tracked AND r.exception_at IS NOT NULL;
  v_reason text := CASE WHEN r.exception_reason IN ({known}) THEN r.exception_reason ELSE 'other' END;
  v_secs bigint := CASE WHEN v_timed THEN floor(extract(epoch FROM r.delivered_at))::bigint
    - floor(extract(epoch FROM coalesce(r.shipped_at, r.created_at)))::bigint ELSE 0 END;
  v_bin integer := greatest(width_bucket(v_secs, ARRAY[{edges}]::bigint[]) - 1, 0);
BEGIN
  RETURN ARRAY[{", ".join(values[name] for name in ALL_MEASURES)}]::bigint[];
END $$
"""


def _apply_function() -> str:
    """perfile_delivery_rollup_apply(r, v): add the vector v to r's daily and weekly rows."""

    def upsert(table: str, period: str, start: str) -> str:
        columns = ", ".join((period, *KEY_COLUMNS[1:], *ALL_MEASURES))
        measures = ", ".join(f"v[{index}]" for index in range(1, len(ALL_MEASURES) + 1))
        updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in ALL_MEASURES)
        return (
            f"INSERT INTO {table} ({columns}) VALUES ({start}, coalesce(r.courier, ''), r.store_id, v_region,"
            f" {measures})\n  ON CONFLICT ({period}, courier, store_id, region) DO UPDATE SET {updates};"
        )

    return f"""
CREATE OR REPLACE FUNCTION perfile_delivery_rollup_apply(r orders, v bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_day date := (r.created_at AT TIME ZONE 'UTC')::date;
  v_region text := CASE WHEN coalesce(r.country_code, '') = '' THEN ''
    ELSE upper(r.country_code) || '-' || substr(coalesce(r.postal_code, ''), 1, 1) END;
BEGIN
  {upsert("delivery_rollup", "day", "v_day")}
  {upsert("delivery_rollup_weekly", "week", "date_trunc('week', v_day)::date")}
END $$
"""


# An update that keeps the order in its rollup rows (the usual case: a status change) adds the
# difference once, and nothing at all when no measure changed (in transit to out for delivery).
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION perfile_delivery_rollup_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_old bigint[];
  v_new bigint[];
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL
     AND (OLD.created_at AT TIME ZONE 'UTC')::date = (NEW.created_at AT TIME ZONE 'UTC')::date
     AND OLD.courier IS NOT DISTINCT FROM NEW.courier AND OLD.store_id = NEW.store_id
     AND upper(OLD.country_code) IS NOT DISTINCT FROM upper(NEW.country_code)
     AND substr(OLD.postal_code, 1, 1) IS NOT DISTINCT FROM substr(NEW.postal_code, 1, 1) THEN
    v_old := perfile_delivery_measures(OLD);
    v_new := perfile_delivery_measures(NEW);
    IF v_old IS DISTINCT FROM v_new THEN
      PERFORM perfile_delivery_rollup_apply(
        NEW, ARRAY(SELECT n - o FROM unnest(v_new, v_old) AS d(n, o)));
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL THEN
    PERFORM perfile_delivery_rollup_apply(
      OLD, ARRAY(SELECT -m FROM unnest(perfile_delivery_measures(OLD)) AS d(m)));
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
    PERFORM perfile_delivery_rollup_apply(NEW, perfile_delivery_measures(NEW));
  END IF;
  RETURN NULL;
END $$
"""

TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION perfile_delivery_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE delivery_rollup, delivery_rollup_weekly;
  RETURN NULL;
END $$
"""


def update_trigger(when: str) -> str:
    return (
        "CREATE TRIGGER delivery_rollup_update AFTER UPDATE ON orders"
        f" FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION perfile_delivery_rollup_row()"
    )


def create_statements() -> list[str]:
    return [
        _measures_function(),
        _apply_function(),
        TRIGGER_FUNCTION,
        TRUNCATE_FUNCTION,
        "CREATE TRIGGER delivery_rollup_insert AFTER INSERT OR DELETE ON orders"
        " FOR EACH ROW EXECUTE FUNCTION perfile_delivery_rollup_row()",
        update_trigger(contribution_may_change()),
        "CREATE TRIGGER delivery_rollup_truncate AFTER TRUNCATE ON orders"
        " FOR EACH STATEMENT EXECUTE FUNCTION perfile_delivery_rollup_truncate()",
    ]


DROP_STATEMENTS = [
    "DROP TRIGGER IF EXISTS delivery_rollup_insert ON orders",
    "DROP TRIGGER IF EXISTS delivery_rollup_update ON orders",
    "DROP TRIGGER IF EXISTS delivery_rollup_truncate ON orders",
    "DROP FUNCTION IF EXISTS perfile_delivery_rollup_row()",
    "DROP FUNCTION IF EXISTS perfile_delivery_rollup_truncate()",
    "DROP FUNCTION IF EXISTS perfile_delivery_rollup_apply(orders, bigint[])",
    "DROP FUNCTION IF EXISTS perfile_delivery_measures(orders)",
]


def on_the_fly_rollup(conn: Connection) -> Select[Any]:
    """The rollup's rows computed from the orders: what the trigger keeps, and the rebuild."""
    facts = order_facts(conn, [orders.c.deleted_at.is_(None)])
    keys = [facts.c[name] for name in KEY_COLUMNS]
    return select(*keys, *measure_sums(facts)).group_by(*keys)


def weekly_from_daily(conn: Connection) -> Select[Any]:
    """The weekly rollup's rows, summed from the daily rollup's."""
    week = func.date(func.date_trunc("week", delivery_rollup.c.day))
    keys = [week, *(delivery_rollup.c[name] for name in KEY_COLUMNS[1:])]
    sums = [func.sum(delivery_rollup.c[name]).label(name) for name in ALL_MEASURES]
    return select(*keys, *sums).group_by(*keys)


def rebuild(conn: Connection) -> None:
    """Recompute both rollups from the orders (the migration's backfill, a bulk load's finish)."""
    conn.execute(text("DELETE FROM delivery_rollup"))
    conn.execute(text("DELETE FROM delivery_rollup_weekly"))
    conn.execute(insert(delivery_rollup).from_select([*KEY_COLUMNS, *ALL_MEASURES], on_the_fly_rollup(conn)))
    weekly = ["week", *KEY_COLUMNS[1:], *ALL_MEASURES]
    conn.execute(insert(delivery_rollup_weekly).from_select(weekly, weekly_from_daily(conn)))
