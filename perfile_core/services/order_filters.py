"""The dashboard's order filter, and its translation to SQL, in one place.

`needs_action_sql` mirrors `Order.needs_action`; tests keep the two in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, literal, or_, select

from perfile_core.db.tables import orders, stores
from perfile_core.domain import store_names
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.order import STALE_AFTER
from perfile_core.domain.status import ACTIVE_MAIN_LINE, TERMINAL, Status
from perfile_core.domain.time_utils import UTC
from perfile_core.services.validation import check_date_range, clean_user_text

# Every sort the dashboard offers; each has an index-backed page query (services/sorted_pages.py).
SORTABLE = ("created_at", "updated_at", "estimated_delivery", "order_number", "customer_name", "order_status")


@dataclass(frozen=True)
class OrderFilter:
    store_keys: tuple[str, ...] = ()
    couriers: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    created_from: date | None = None
    created_to: date | None = None  # inclusive
    search: str | None = None
    needs_action: bool = False
    sort: str = "created_at"
    descending: bool = True

    def __post_init__(self) -> None:
        # Frozen, so the cleaned text replaces what was typed through object.__setattr__.
        object.__setattr__(self, "search", clean_user_text(self.search, field="search"))
        store_keys = (clean_user_text(key, field="store") for key in self.store_keys)
        object.__setattr__(self, "store_keys", tuple(key for key in store_keys if key))
        for name in ("created_from", "created_to"):
            if getattr(self, name) is not None:
                check_date_range(getattr(self, name), field=name)
        if self.sort not in SORTABLE:
            raise ValidationError("sort", f"cannot sort by {self.sort!r}; use one of {', '.join(SORTABLE)}")
        unknown = [code for code in self.couriers if code not in COURIER_NAMES]
        if unknown:
            raise ValidationError("courier", f"unknown courier {unknown[0]!r}; known: {', '.join(COURIER_NAMES)}")
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise ValidationError("created_from", "is after created_to")


def parse_statuses(values: list[str] | tuple[str, ...]) -> tuple[Status, ...]:
    """Status names from user input, with a specific error for an unknown one."""
    result = []
    for value in values:
        try:
            result.append(Status(value.strip().lower()))
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise ValidationError("status", f"unknown status {value!r}; known: {known}") from None
    return tuple(result)


def needs_action_sql(now: datetime) -> ColumnElement[bool]:
    last_seen = orders.c.latest_event_at
    stale = and_(
        orders.c.main_status.in_([s.value for s in ACTIVE_MAIN_LINE]),
        or_(
            and_(last_seen.is_(None), orders.c.shipped_at.is_(None)),
            and_(last_seen.is_not(None), last_seen < now - STALE_AFTER),
            and_(last_seen.is_(None), orders.c.shipped_at < now - STALE_AFTER),
        ),
    )
    return and_(
        orders.c.order_status.not_in([s.value for s in TERMINAL]),
        or_(
            orders.c.tracking_number.is_(None),
            orders.c.order_status == Status.EXCEPTION.value,
            stale,
        ),
    )


def where_clauses(conn: Connection, flt: OrderFilter, now: datetime) -> list[ColumnElement[Any]]:
    clauses: list[ColumnElement[Any]] = [orders.c.deleted_at.is_(None)]
    if flt.store_keys:
        # Resolve keys to ids first so the planner can use the store_id indexes.
        keys = [store_names.store_key(key) for key in flt.store_keys]
        ids = conn.execute(select(stores.c.id).where(stores.c.key.in_(keys))).scalars().all()
        clauses.append(orders.c.store_id.in_(ids) if ids else false())
    if flt.couriers:
        clauses.append(orders.c.courier.in_(flt.couriers))
    if flt.statuses:
        values = [s.value for s in flt.statuses]
        clauses.append(orders.c.order_status == values[0] if len(values) == 1 else orders.c.order_status.in_(values))
    if flt.created_from:
        clauses.append(orders.c.created_at >= datetime.combine(flt.created_from, time.min, UTC))
    if flt.created_to:
        end = datetime.combine(flt.created_to + timedelta(days=1), time.min, UTC)
        clauses.append(orders.c.created_at < end)
    if flt.search:
        clauses.append(search_clause(flt.search))
    if flt.needs_action:
        clauses.append(needs_action_sql(now))
    return clauses


def search_clause(term: str) -> ColumnElement[bool]:
    """An order or tracking number starting with the term, or a customer name or e-mail
    containing it; any case, and the term's `%`, `_` and `\\` are literal.

    On PostgreSQL each part is index-backed (migration 0007): the prefixes are range scans on
    `lower(...) text_pattern_ops`, the substrings trigram `ILIKE`s.
    """
    escaped = escape_like(term)
    # The database lowers both sides, so they agree on every letter it knows (SQLite: ASCII).
    prefix = func.lower(literal(escaped + "%"))
    order_number, tracking_number = func.lower(orders.c.order_number), func.lower(orders.c.tracking_number)
    matches = [order_number.like(prefix, escape="\\"), tracking_number.like(prefix, escape="\\")]
    if not term.startswith("#"):  # Shopify's order numbers start with "#": "1001" finds "#1001"
        matches.append(order_number.like(func.lower(literal(f"#{escaped}%")), escape="\\"))
    contains = f"%{escaped}%"
    matches += [
        orders.c.customer_name.ilike(contains, escape="\\"),
        orders.c.customer_email.ilike(contains, escape="\\"),
    ]
    return or_(*matches)


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with `\\` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
