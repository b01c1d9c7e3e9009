"""notifications keep the order's facts; subject and body may be composed later

The receiver's one-statement fast path queues a status e-mail inside its SQL statement, where
the Python composer cannot run: it stores the facts, and the message is composed from them
when first read or sent.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(
            sa.Column("facts", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"))
        )
        batch_op.alter_column("subject", existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # Compose-later rows have no subject yet; give them one so NOT NULL holds again.
    op.execute("UPDATE notifications SET subject = trigger, body = '' WHERE subject IS NULL")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("subject", existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column("facts")
