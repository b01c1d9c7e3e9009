"""The dashboard's order filter, and its translation to SQL, in one place.

`needs_action_sql` mirrors `Order.needs_action`; tests keep the two in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
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


def where_clauses(
    conn: Connection, flt: OrderFilter, now: datetime, *, search: bool = True
) -> list[ColumnElement[Any]]:
    """The filter as WHERE clauses; with `search=False` all but the search (which
    `search_branches` gives as its alternatives, for `sorted_pages.few_matches_query`)."""
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
    if flt.needs_action:
        clauses.append(needs_action_sql(now))
    return with_search(clauses, flt, conn.dialect.name) if search else clauses


def with_search(filters: list[ColumnElement[Any]], flt: OrderFilter, dialect: str) -> list[ColumnElement[Any]]:
    """`filters` (`where_clauses(..., search=False)`) and the filter's search, if it has one."""
    return [*filters, or_(*search_branches(flt.search, dialect))] if flt.search else filters


@lru_cache(maxsize=64)  # built twice per page (the estimate's OR, then one read per alternative)
def search_branches(term: str, dialect: str) -> tuple[ColumnElement[bool], ...]:
    """The search's alternatives: an order or tracking number starting with the term, or a
    customer name or e-mail containing it; any case, and the term's `%`, `_` and `\\` are literal.

    On PostgreSQL each is index-backed (migrations 0007 and 0013): a number prefix is a range of
    `lower(...)` in byte order, `[term, term + U+10FFFF]`, the operators of the `text_pattern_ops`
    indexes, so the index answers it exactly (a `LIKE 'abc%'` is rechecked on every match, and
    lowering each match again cost 9 of 14 ms for 9,589 matches at 1M orders); the one number it
    misses is one with U+10FFFF, a noncharacter, right after the term. The substrings are trigram
    `ILIKE`s. SQLite (no such operators) takes LIKE: its LIKE and lower() fold ASCII only.
    """
    order_number, tracking_number = func.lower(orders.c.order_number), func.lower(orders.c.tracking_number)
    numbers = [(order_number, term), (tracking_number, term)]
    if not term.startswith("#"):  # Shopify's order numbers start with "#": "1001" finds "#1001"
        numbers.append((order_number, f"#{term}"))
    if dialect == "postgresql":
        matches = [_starts_with(number, prefix) for number, prefix in numbers]
    else:
        patterns = [(number, func.lower(literal(escape_like(prefix) + "%"))) for number, prefix in numbers]
        matches = [number.like(pattern, escape="\\") for number, pattern in patterns]
    contains = f"%{escape_like(term)}%"
    # One alternative for both: two trigram bitmaps OR-ed, their rows read from the table either way.
    name_or_email = or_(
        orders.c.customer_name.ilike(contains, escape="\\"),
        orders.c.customer_email.ilike(contains, escape="\\"),
    )
    return (*matches, name_or_email)


def _starts_with(lowered: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
    """`lowered` starts with `prefix` in any case, as a range a `text_pattern_ops` index answers
    (byte order, which in UTF-8 is code point order; the database lowers both sides)."""
    low, high = func.lower(literal(prefix)), func.lower(literal(prefix + "\U0010ffff"))
    return and_(lowered.op("~>=~", is_comparison=True)(low), lowered.op("~<=~", is_comparison=True)(high))


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with `\\` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
