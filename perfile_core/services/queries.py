"""Read side for the dashboard and the CLI: order lists, details, live changes.

Plain queries over the tables (no domain round trips), returning domain `Order`s so
every screen reads computed fields from the one implementation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from perfile_core.clock import utcnow
from perfile_core.db.explain import ExplainJson
from perfile_core.db.orders_repo import row_to_order, select_orders
from perfile_core.db.tables import orders
from perfile_core.services.order_filters import OrderFilter, where_clauses, with_search
from perfile_core.services.sorted_pages import page_rows

PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
# An exact count may take this long on PostgreSQL before we answer with the planner's estimate.
EXACT_COUNT_BUDGET_MS = 30
# Past this many rows (the planner's estimate) the estimate is the answer at once: at 1M orders
# counting 100k rows took ~20 ms and 186k ~100 ms, so larger counts only spent the budget.
EXACT_COUNT_UP_TO = 150_000
# A search expected to match at most this many orders is read from the search indexes and
# sorted, rather than found by walking the sort's index (services/sorted_pages.py).
FEW_MATCHES = 20_000


@dataclass(frozen=True)
class OrderPage:
    orders: list[Any]  # list[Order]
    total: int
    total_is_estimate: bool
    offset: int
    limit: int


@dataclass(frozen=True)
class ChangeBatch:
    orders: list[Any]  # changed live orders, oldest change first
    deleted_ids: list[int]
    cursor: int  # pass back to get the next batch
    has_more: bool


def list_orders(
    db: Engine,
    flt: OrderFilter | None = None,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    with_total: bool = True,
    now: datetime | None = None,
) -> OrderPage:
    flt = flt or OrderFilter()
    now = now or utcnow()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    with db.connect() as conn:
        filters = where_clauses(conn, flt, now, search=False)
        clauses = with_search(filters, flt, conn.dialect.name)
        expected = search_estimate(conn, flt, clauses)
        few = filters if expected is not None and expected <= FEW_MATCHES else None
        rows = page_rows(conn, flt, clauses, limit, offset, few_matches=few)
        page = [row_to_order(row) for row in rows]
        if not with_total:
            return OrderPage(page, len(page) + offset, False, offset, limit)
        if offset == 0 and len(page) < limit:
            return OrderPage(page, len(page), False, offset, limit)
        total, estimate = _count(conn, clauses, estimate=expected)
        return OrderPage(page, total, estimate, offset, limit)


def count_orders(
    db: Engine,
    flt: OrderFilter | None = None,
    *,
    now: datetime | None = None,
    exact_budget_ms: int = EXACT_COUNT_BUDGET_MS,
    exact_up_to: int = EXACT_COUNT_UP_TO,
) -> tuple[int, bool]:
    """(total, is_estimate) for a filter."""
    with db.connect() as conn:
        clauses = where_clauses(conn, flt or OrderFilter(), now or utcnow())
        return _count(conn, clauses, exact_budget_ms, exact_up_to)


def search_estimate(conn: Connection, flt: OrderFilter, clauses: list[Any]) -> int | None:
    """For a search on PostgreSQL, how many orders the planner expects it to match: at most
    FEW_MATCHES are read all at once from the search indexes, then sorted (sorted_pages)."""
    return _estimate(conn, clauses) if flt.search and conn.dialect.name == "postgresql" else None


def _estimate(conn: Connection, clauses: list[Any]) -> int:
    """The planner's guess of how many orders match (PostgreSQL), from EXPLAIN: no rows are read."""
    plan = conn.execute(ExplainJson(select(1).select_from(orders).where(*clauses))).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _count(
    conn: Connection,
    clauses: list[Any],
    exact_budget_ms: int = EXACT_COUNT_BUDGET_MS,
    exact_up_to: int = EXACT_COUNT_UP_TO,
    *,
    estimate: int | None = None,
) -> tuple[int, bool]:
    query = select(func.count()).select_from(orders).where(*clauses)
    if conn.dialect.name != "postgresql":
        return conn.execute(query).scalar_one(), False
    # Exact when it is cheap; the planner's estimate (said as such in the UI) when not: when the
    # planner expects more rows than a count reads in the budget, or the count ran out of it.
    estimate = _estimate(conn, clauses) if estimate is None else estimate
    if estimate > exact_up_to:
        return estimate, True
    try:
        with conn.begin_nested() as savepoint:
            conn.execute(text(f"SET LOCAL statement_timeout = {int(exact_budget_ms)}"))
            total = conn.execute(query).scalar_one()
            conn.execute(text("SET LOCAL statement_timeout = 0"))
            savepoint.commit()
            return total, False
    except DBAPIError as exc:
        if "statement timeout" not in str(exc.orig):
            raise
    return estimate, True


def orders_in_filter(
    db: Engine, flt: OrderFilter, order_ids: Iterable[int], *, now: datetime | None = None
) -> set[int]:
    """Which of these orders the filter shows (live ones only): one primary-key lookup."""
    ids = sorted(set(order_ids))
    if not ids:
        return set()
    with db.connect() as conn:
        clauses = where_clauses(conn, flt, now or utcnow())
        return set(conn.execute(select(orders.c.id).where(orders.c.id.in_(ids), *clauses)).scalars())


def current_cursor(db: Engine) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.coalesce(func.max(orders.c.change_cursor), 0))).scalar_one()


def order_change_cursor(db: Engine, order_id: int) -> int | None:
    """The order's change cursor (None once deleted): moves with every write to the order."""
    with db.connect() as conn:
        return conn.execute(
            select(orders.c.change_cursor).where(orders.c.id == order_id, orders.c.deleted_at.is_(None))
        ).scalar_one_or_none()


def cursor_misses_nothing(db: Engine) -> bool:
    """True where `changes_since` never skips a committed change, so an empty batch proves a
    page unchanged: SQLite, whose writers are serialized (on PostgreSQL a lower cursor value
    can commit after a higher one was read)."""
    return db.dialect.name == "sqlite"


def changes_since(db: Engine, cursor: int, *, limit: int = 500) -> ChangeBatch:
    """Orders changed after `cursor` (one index range scan), for live refresh.

    On PostgreSQL a transaction that took a lower cursor value may commit after a
    higher one is read; the dashboard also re-reads its visible page on every tick,
    so such a row is shown, just without its highlight (see ARCHITECTURE.md).
    """
    with db.connect() as conn:
        rows = (
            conn.execute(
                select_orders().where(orders.c.change_cursor > cursor).order_by(orders.c.change_cursor).limit(limit + 1)
            )
            .mappings()
            .all()
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    live = [row_to_order(row) for row in rows if row["deleted_at"] is None]
    deleted = [row["id"] for row in rows if row["deleted_at"] is not None]
    new_cursor = rows[-1]["change_cursor"] if rows else cursor
    return ChangeBatch(live, deleted, new_cursor, has_more)
