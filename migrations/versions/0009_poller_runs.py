"""poller_runs, webhook_refusals and when each webhook secret was set: what the Integrations
page shows

- poller_runs: each tracking poller pass and the couriers it could not reach, so "PostNord
  unreachable" shows on the page instead of only in a log file;
- webhook_refusals: duplicate and refused deliveries (they leave nothing in the inbox);
- stores / courier_accounts.webhook_secret_set_at: when a secret was last set or rotated
  (existing secrets: unknown, left NULL).

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "poller_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("events_new", sa.Integer(), nullable=False),
        sa.Column("status_changes", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
    )
    op.create_index("ix_poller_runs_started", "poller_runs", [sa.text("started_at DESC")])
    op.create_table(
        "webhook_refusals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(60)),
        sa.Column("detail", sa.String(500)),
        sa.Column("request_id", sa.String(64)),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
    )
    for table in ("stores", "courier_accounts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("webhook_secret_set_at", UTC_DATETIME))


def downgrade() -> None:
    for table in ("stores", "courier_accounts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("webhook_secret_set_at")
    op.drop_table("webhook_refusals")
    op.drop_index("ix_poller_runs_started", table_name="poller_runs")
    op.drop_table("poller_runs")
