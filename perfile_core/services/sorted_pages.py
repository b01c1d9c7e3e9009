"""A page of orders in every sort the Orders page offers, each from index range scans at 1M orders.

A first page must not sort the matching orders: each sort reads rows in index order and stops
after `offset + limit` of them. Where one index cannot give the order, a sort is a list of
segments read one after the other (the next only when the page is not full yet), and a
segment may merge a few limited scans:

- newest first with several statuses: one scan per status on its partial index, merged;
- status: one segment per status in lifecycle order (reversed when descending), newest first
  within a status, each on that status's partial index;
- ETA: orders with an ETA, then those without (NULLs last in both directions and on both
  databases); each segment merges one scan per status on (order_status, estimated_delivery,
  id), so a status the planner cannot tell has no ETA (pending, cancelled) costs one probe
  instead of a walk through every order that has one;
- last update: the change cursor, which every write to an order advances with updated_at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, func, select, union_all

from perfile_core.db.orders_repo import select_orders
from perfile_core.db.tables import orders
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter

Branch = list[ColumnElement[bool]]  # extra WHERE clauses of one index scan


@dataclass(frozen=True)
class SortPlan:
    keys: list[tuple[str, bool]]  # (orders column, descending)
    segments: list[list[Branch]]  # read in this order; each merges its branches by the keys


def sort_plan(flt: OrderFilter) -> SortPlan:
    down = flt.descending
    statuses = [status for status in Status if not flt.statuses or status in flt.statuses]
    if flt.sort == "order_status":
        ranked = list(reversed(statuses)) if down else statuses
        return SortPlan([("created_at", True), ("id", True)], [[[_status(s)]] for s in ranked])
    if flt.sort == "estimated_delivery":
        eta = orders.c.estimated_delivery
        known = [[_status(s), eta.is_not(None)] for s in statuses]
        unknown = [[_status(s), eta.is_(None)] for s in statuses]
        return SortPlan([("estimated_delivery", down), ("id", down)], [known, unknown])
    if flt.sort == "created_at" and len(flt.statuses) > 1:
        return SortPlan([("created_at", down), ("id", down)], [[[_status(s)] for s in flt.statuses]])
    column = "change_cursor" if flt.sort == "updated_at" else flt.sort
    return SortPlan([(column, down), ("id", down)], [[[]]])


def _status(status: Status) -> ColumnElement[bool]:
    return orders.c.order_status == status.value


def _ordered(columns: Any, keys: list[tuple[str, bool]]) -> list[Any]:
    return [columns[name].desc() if down else columns[name].asc() for name, down in keys]


def segment_query(
    plan: SortPlan, segment: Sequence[Branch], clauses: Sequence[Any], limit: int, offset: int
) -> Select[Any]:
    """Rows offset..offset+limit of one segment: one index scan, or several limited ones merged."""
    if len(segment) == 1:
        query = select_orders().where(*clauses, *segment[0])
        return query.order_by(*_ordered(orders.c, plan.keys)).limit(limit).offset(offset)
    parts = [
        select_orders()
        .where(*clauses, *branch)
        .order_by(*_ordered(orders.c, plan.keys))
        .limit(offset + limit)
        .subquery()
        .select()
        for branch in segment
    ]
    merged = union_all(*parts).subquery()
    return select(merged).order_by(*_ordered(merged.c, plan.keys)).limit(limit).offset(offset)


def page_rows(conn: Connection, flt: OrderFilter, clauses: Sequence[Any], limit: int, offset: int) -> list[RowMapping]:
    """The page's rows, reading the sort's segments in order until the page is full."""
    plan = sort_plan(flt)
    rows: list[RowMapping] = []
    for segment in plan.segments:
        got = conn.execute(segment_query(plan, segment, clauses, limit - len(rows), offset)).mappings().all()
        rows += got
        if len(rows) >= limit:
            break
        if got:  # the segment ended inside the page: the next one starts at its first row
            offset = 0
        elif offset:  # the page starts past this segment: skip its rows (counted up to offset)
            offset -= _count_up_to(conn, segment, clauses, offset)
    return rows


def _count_up_to(conn: Connection, segment: Sequence[Branch], clauses: Sequence[Any], most: int) -> int:
    return sum(
        conn.execute(
            select(func.count()).select_from(select(orders.c.id).where(*clauses, *branch).limit(most).subquery())
        ).scalar_one()
        for branch in segment
    )
