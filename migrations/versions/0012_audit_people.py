"""audit_log by person: the acting person's e-mail and role, and the values before and after

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_email", sa.String(254)))
        batch.add_column(sa.Column("actor_role", sa.String(20)))
        batch.add_column(sa.Column("before", _json()))
        batch.add_column(sa.Column("after", _json()))
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_created_at", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("after")
        batch.drop_column("before")
        batch.drop_column("actor_role")
        batch.drop_column("actor_email")
