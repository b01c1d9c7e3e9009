"""couriers: at most one in-flight booking attempt per order

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("couriers",)
depends_on = None

ACTIVE = sa.text("status IN ('started', 'booked')")


def upgrade() -> None:
    op.create_index(
        "uq_booking_attempts_active_order",
        "booking_attempts",
        ["order_id"],
        unique=True,
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_booking_attempts_active_order", table_name="booking_attempts")
