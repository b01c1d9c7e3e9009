"""delivery_rollup (and _weekly): analytics sums per created day (and week), courier, store
and destination region, kept current on PostgreSQL by a trigger on orders

The Analytics page aggregated 1M orders in ~1.6 s on the fly; summing the rollup's rows
(one per day, courier, store and region) takes a fraction of that. SQLite analytics read
the orders directly and the table stays empty there. The backfill and the trigger come from
`perfile_core/db/delivery_rollup_sql.py` (its rules, as of this revision).

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perfile_core.db import delivery_rollup_sql
from perfile_core.db.delivery_columns import ALL_MEASURES

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, period in (("delivery_rollup", "day"), ("delivery_rollup_weekly", "week")):
        op.create_table(
            table,
            sa.Column(period, sa.Date(), primary_key=True),
            sa.Column("courier", sa.String(40), primary_key=True),
            sa.Column("store_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
            sa.Column("region", sa.String(8), primary_key=True),
            *(
                sa.Column(name, sa.BigInteger() if name == "delivery_seconds" else sa.Integer(), nullable=False)
                for name in ALL_MEASURES
            ),
        )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    delivery_rollup_sql.rebuild(bind)
    for statement in delivery_rollup_sql.create_statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in delivery_rollup_sql.DROP_STATEMENTS:
            op.execute(statement)
    op.drop_table("delivery_rollup_weekly")
    op.drop_table("delivery_rollup")
