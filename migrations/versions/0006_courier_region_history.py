"""orders: index for a courier's delivered orders to a postal region (the booking dialog's
on-time rate per courier, `services/quotes.courier_performance_in`)

Without it, each courier's history walked all its delivered orders (~110k per courier at 1M
orders) to find the few hundred in one region; with it, one range scan on the postal-code
prefix (varchar_pattern_ops makes `LIKE '41%'` an index range on PostgreSQL).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NAME = "ix_orders_delivered_region"
WHERE = "deleted_at IS NULL AND order_status = 'delivered'"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {NAME} ON orders "
            f"(courier, country_code, postal_code varchar_pattern_ops, delivered_at DESC) WHERE {WHERE}"
        )
    else:
        op.create_index(
            NAME,
            "orders",
            ["courier", "country_code", "postal_code", sa.text("delivered_at DESC")],
            sqlite_where=sa.text(WHERE),
        )


def downgrade() -> None:
    op.drop_index(NAME, table_name="orders")
