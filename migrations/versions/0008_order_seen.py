"""order_seen: when each operator last looked at an order (the orders table's 🔔 "updated" mark)

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_seen",
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column(
            "order_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("orders.id", name="fk_order_seen_order_id_orders", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("operator", "order_id", name="pk_order_seen"),
    )


def downgrade() -> None:
    op.drop_table("order_seen")
