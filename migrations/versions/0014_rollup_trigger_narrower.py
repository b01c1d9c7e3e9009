"""orders: the delivery rollup's update trigger fires only when a contribution may change

Until now any change of a watched column called the trigger, order_status included, so every
courier scan (in transit, out for delivery) ran it and computed the order's measures twice to
find nothing changed: about a third of the receiver's PostgreSQL time per event beyond the
minimal reference's. The condition is now `delivery_rollup_sql.contribution_may_change()`.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

from perfile_core.db import delivery_rollup_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The condition before this revision: any change of these columns.
_BEFORE = (
    "deleted_at", "created_at", "courier", "store_id", "country_code", "postal_code", "order_status",
    "tracking_number", "estimated_delivery", "delivered_at", "shipped_at", "exception_at", "exception_reason",
)  # fmt: skip


def upgrade() -> None:
    _replace(delivery_rollup_sql.contribution_may_change())


def downgrade() -> None:
    _replace(" OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in _BEFORE))


def _replace(when: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS delivery_rollup_update ON orders")
    op.execute(delivery_rollup_sql.update_trigger(when))
