"""stores, courier_accounts: secrets encrypted at rest; the previous webhook secret expires

Webhook secrets (current and previous), courier API keys and courier credentials become Fernet
tokens made with the configured key (PERFILE_SECRET_KEY, or the local key file under var/, created
now if missing; perfile_core/db/secret_box.py); credentials become {"sealed": token}. The secret
columns become TEXT (a token is longer than the 255 characters its plain value had), and
`webhook_secret_rotated_at` records when the previous secret was replaced: a previous secret kept
before this migration (forever, until now) expires one grace period after it. The downgrade
decrypts everything back.

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from perfile_core.clock import utcnow
from perfile_core.config import load_settings
from perfile_core.db.secret_box import box_for
from perfile_core.db.types import JSONType, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TOKEN_COLUMNS = {
    "stores": ("webhook_secret", "webhook_secret_previous"),
    "courier_accounts": ("webhook_secret", "webhook_secret_previous", "api_key"),
}


def _table(name: str) -> sa.TableClause:
    columns = [sa.column("id", sa.BigInteger), *(sa.column(c, sa.Text) for c in TOKEN_COLUMNS[name])]
    columns.append(sa.column("webhook_secret_rotated_at", UTCDateTime))
    if name == "courier_accounts":
        columns.append(sa.column("credentials", JSONType))
    return sa.table(name, *columns)


def upgrade() -> None:
    for name in TOKEN_COLUMNS:
        op.add_column(name, sa.Column("webhook_secret_rotated_at", sa.DateTime(timezone=True), nullable=True))
        if op.get_bind().dialect.name == "postgresql":  # SQLite does not enforce VARCHAR lengths
            for column in TOKEN_COLUMNS[name]:
                op.alter_column(name, column, type_=sa.Text(), existing_type=sa.String(255))
    box = box_for(load_settings())
    now = utcnow()

    def seal_credentials(stored: dict[str, Any] | None) -> dict[str, Any]:
        return {"sealed": box.seal(json.dumps(stored, sort_keys=True))} if stored else {}

    def extra(row: Any) -> dict[str, Any]:
        return {"webhook_secret_rotated_at": now} if row.webhook_secret_previous else {}

    _convert(box.seal, seal_credentials, extra)


def downgrade() -> None:
    box = box_for(load_settings())

    def open_credentials(stored: dict[str, Any] | None) -> dict[str, Any]:
        return json.loads(box.open(stored["sealed"])) if stored else {}

    _convert(box.open, open_credentials, lambda row: {})
    for name in TOKEN_COLUMNS:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("webhook_secret_rotated_at")
            if op.get_bind().dialect.name == "postgresql":
                for column in TOKEN_COLUMNS[name]:
                    batch.alter_column(column, type_=sa.String(255), existing_type=sa.Text())


def _convert(
    token: Callable[[str], str],
    credentials: Callable[[dict[str, Any] | None], dict[str, Any]],
    extra: Callable[[Any], dict[str, Any]],
) -> None:
    conn = op.get_bind()
    for name, columns in TOKEN_COLUMNS.items():
        table = _table(name)
        for row in conn.execute(sa.select(table)).all():
            values = {column: token(value) for column in columns if (value := getattr(row, column))}
            if name == "courier_accounts" and row.credentials:
                values["credentials"] = credentials(row.credentials)
            values.update(extra(row))
            if values:
                conn.execute(table.update().where(table.c.id == row.id).values(**values))
