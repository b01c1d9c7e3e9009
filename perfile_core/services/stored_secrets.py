"""How secrets are kept in `stores` and `courier_accounts`: encrypted, and rotated with a grace period.

Webhook secrets, courier API keys and courier credentials are Fernet tokens at rest
(`db/secret_box.py`); credentials, a JSON object, are stored as `{"sealed": <token of the JSON>}`.
A new webhook secret keeps the old one as `webhook_secret_previous` for `grace` after
`webhook_secret_rotated_at`: verification accepts it only within that window, every read
applies the expiry, and the receiver's read and each write drop an expired one from the row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, select

from perfile_core.clock import utcnow
from perfile_core.config import Settings, load_settings
from perfile_core.db import audit_repo
from perfile_core.db.secret_box import SecretBox, box_for
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.errors import SecretKeyError

SEALED = "sealed"  # the one key of a stored credentials object
SECRET_TABLES = (stores, courier_accounts)
TOKEN_COLUMNS = {
    stores: ("webhook_secret", "webhook_secret_previous"),
    courier_accounts: ("webhook_secret", "webhook_secret_previous", "api_key"),
}
EXPIRED = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SecretPolicy:
    box: SecretBox
    grace: timedelta  # how long the previous webhook secret still verifies

    def previous_until(self, row: Any) -> datetime | None:
        """When the row's previous secret stops verifying; None without one."""
        if not row.webhook_secret_previous:
            return None
        if row.webhook_secret_rotated_at is None:  # a previous secret must always have its rotation time
            return EXPIRED
        return row.webhook_secret_rotated_at + self.grace

    def webhook_secrets(self, row: Any, now: datetime) -> tuple[str, ...]:
        """The plain secrets that verify at `now`: current first, previous within the window."""
        current = self.box.open_optional(row.webhook_secret)
        until = self.previous_until(row)
        previous = self.box.open(row.webhook_secret_previous) if until is not None and now < until else None
        return tuple(value for value in (current, previous) if value)

    def rotation_values(self, current_token: str | None, new_secret: str, now: datetime) -> dict[str, Any]:
        """Column values that make `new_secret` current and keep the current one as previous."""
        values: dict[str, Any] = {"webhook_secret": self.box.seal(new_secret), "webhook_secret_set_at": now}
        if current_token:
            values.update(webhook_secret_previous=current_token, webhook_secret_rotated_at=now)
        return values

    def sealed_credentials(self, credentials: dict[str, Any]) -> dict[str, Any]:
        return {SEALED: self.box.seal(json.dumps(credentials, sort_keys=True))} if credentials else {}

    def opened_credentials(self, stored: dict[str, Any] | None) -> dict[str, Any]:
        if not stored:
            return {}
        if SEALED not in stored:
            raise SecretKeyError("courier credentials are stored in plain text: run `python -m perfile_core migrate`")
        return json.loads(self.box.open(stored[SEALED]))


def policy_for(settings: Settings) -> SecretPolicy:
    return SecretPolicy(box_for(settings), timedelta(hours=settings.secret_rotation_grace_hours))


def default_policy() -> SecretPolicy:
    """From the environment, for callers that were handed none (the same box per process)."""
    return policy_for(load_settings())


def prune_expired(
    conn: Connection, table: Table, policy: SecretPolicy, now: datetime, *, row_id: int | None = None
) -> int:
    """Drop previous secrets whose window has passed (of one row, or all); returns how many rows changed."""
    cutoff = now - policy.grace
    expired = and_(
        table.c.webhook_secret_previous.is_not(None),
        table.c.webhook_secret_rotated_at.is_(None) | (table.c.webhook_secret_rotated_at <= cutoff),
    )
    if row_id is not None:
        expired = and_(expired, table.c.id == row_id)
    return conn.execute(table.update().where(expired).values(webhook_secret_previous=None)).rowcount or 0


def rekey(db: Engine, box: SecretBox, *, actor: Actor) -> int:
    """Every stored secret re-encrypted with `box`'s first key (MultiFernet.rotate), in one transaction.

    Returns how many values were re-encrypted."""
    require(actor, Permission.MANAGE_SECRETS)
    count = 0
    with db.begin() as conn:
        for table in SECRET_TABLES:
            columns = TOKEN_COLUMNS[table]
            has_credentials = table is courier_accounts
            selected = [table.c.id, *(table.c[name] for name in columns)]
            if has_credentials:
                selected.append(table.c.credentials)
            for row in conn.execute(select(*selected).with_for_update()).all():
                values: dict[str, Any] = {}
                for name in columns:
                    if token := getattr(row, name):
                        values[name] = box.rotate(token)
                if has_credentials and row.credentials:
                    values["credentials"] = {SEALED: box.rotate(row.credentials[SEALED])}
                if values:
                    conn.execute(table.update().where(table.c.id == row.id).values(**values))
                    count += len(values)
        audit_repo.record(conn, actor, "secrets.key_rotated", None, {"values": count}, utcnow())
    return count
