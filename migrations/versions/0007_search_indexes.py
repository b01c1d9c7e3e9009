"""orders: indexes for the Orders page's search and for every sort it offers

Search (`services/order_filters.search_branches`): an order or tracking number starting with
the typed text in any case is a range scan on `lower(...) text_pattern_ops` (a plain index
serves `LIKE 'abc%'` only in the C collation); a name or e-mail containing it is a trigram
`ILIKE` (the name's trigram index is in 0001, the e-mail's is here).

Sorts (`services/sorted_pages.py`): last update, customer and ETA each get an index ending
in the id tiebreak. ETA is read per status, with an ETA and then without (NULLs last either
way): led by the status, a status without ETAs is one probe, not a walk through every other
order. Order number walks `ix_orders_order_number` and status the per-status indexes of 0001.
(The change cursor follows updated_at in production, but not in demo data, whose times are
simulated, so "last update" has its own index; each index here is written on every update.)

SQLite gets the sort indexes; its LIKE is case-insensitive ASCII and it has no trigrams, so
searches there scan (correct, slower).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
NAME_STATISTICS = 1000
SORT_INDEXES = {
    "ix_orders_live_updated": ["updated_at", "id"],
    "ix_orders_live_customer_name": ["customer_name", "id"],
    "ix_orders_live_status_eta": ["order_status", "estimated_delivery", "id"],
}
# Not partial: ANALYZE keeps statistics on an index's expression only when the index has no
# WHERE, and without them the planner guessed 5,000 matches for any prefix and walked the
# newest-first index through all 1M orders instead (1.3 s for a number nobody has).
POSTGRESQL_SEARCH_INDEXES = {
    "ix_orders_order_number_prefix": "(lower(order_number) text_pattern_ops)",
    "ix_orders_tracking_number_prefix": "(lower(tracking_number) text_pattern_ops)",
    "ix_orders_customer_email_trgm": f"USING gin (customer_email gin_trgm_ops) WHERE {LIVE}",
}


def upgrade() -> None:
    for name, columns in SORT_INDEXES.items():
        op.create_index(
            name, "orders", columns, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE)
        )
    if op.get_bind().dialect.name == "postgresql":
        for name, definition in POSTGRESQL_SEARCH_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON orders {definition}")
        # A finer histogram for the planner's guess of how many names contain a term: with
        # 100 buckets one hit meant "1% of all orders", and it walked the newest-first index
        # through 200k rows rather than ask the trigram index for the few hundred.
        for column in ("customer_name", "customer_email"):
            op.execute(f"ALTER TABLE orders ALTER COLUMN {column} SET STATISTICS {NAME_STATISTICS}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in ("customer_name", "customer_email"):
            op.execute(f"ALTER TABLE orders ALTER COLUMN {column} SET STATISTICS -1")
        for name in POSTGRESQL_SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name in SORT_INDEXES:
        op.drop_index(name, table_name="orders")
