"""Order exports: every matching order with its computed fields, as JSON rows or CSV.

CSV is made for spreadsheets, which treat a cell that starts with `=`, `+`, `-` or `@`
(or a tab or carriage return before one) as a formula: a customer named
`=HYPERLINK(...)` would become a live link or a command. Such text cells get a leading
`'` (OWASP's advice), which the spreadsheet shows as text. Numbers stay numbers: a
negative number is a value, not a formula, and quoting it would turn it into text.
JSON rows are data and stay verbatim. The CLI and the dashboard's download share this.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.domain.order import Order
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import MAX_PAGE_SIZE, list_orders

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = [
    "id",
    "order_number",
    "store_key",
    "customer_name",
    "customer_email",
    "order_status",
    "tracking_number",
    "courier",
    "courier_name",
    "service_type",
    "estimated_delivery",
    "exception_reason",
    "postal_code",
    "city",
    "country_code",
    "weight_grams",
    "created_at",
    "updated_at",
    "shipped_at",
    "delivered_at",
]


def export_row(order: Order, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(order, name)
        row[name] = value.isoformat() if hasattr(value, "isoformat") else value
    row.update(order.computed(now))
    return row


def export_rows(db: Engine, flt: OrderFilter, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every order the filter matches, newest first, one JSON-ready row each."""
    now = now or utcnow()
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = list_orders(db, flt, limit=MAX_PAGE_SIZE, offset=offset, with_total=False, now=now)
        rows.extend(export_row(order, now) for order in page.orders)
        if len(page.orders) < MAX_PAGE_SIZE:
            return rows
        offset += MAX_PAGE_SIZE


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], fieldnames: Sequence[str], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=list(fieldnames))
    writer.writeheader()
    for row in rows:
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})


def write_orders_csv(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> None:
    """Export rows as CSV; the latest event becomes its description."""
    flat = ({**row, "latest_event": row["latest_event"]["description"] if row["latest_event"] else ""} for row in rows)
    write_csv(flat, [*EXPORT_FIELDS, *_computed_names()], out)


def orders_csv(db: Engine, flt: OrderFilter) -> str:
    """The dashboard's download: the same CSV as `orders export --format csv`."""
    out = io.StringIO()
    write_orders_csv(export_rows(db, flt), out)
    return out.getvalue()


def _computed_names() -> list[str]:
    return list(Order(id=0, order_number="", store_key="", customer_name="", created_at=utcnow()).computed().keys())
