"""The operator audit trail: who did what to which order, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from perfile_core.db.tables import audit_log


def record(
    conn: Connection,
    actor: str,
    action: str,
    order_id: int | None,
    details: dict[str, Any],
    now: datetime,
) -> None:
    conn.execute(
        audit_log.insert().values(actor=actor, action=action, order_id=order_id, details=details, created_at=now)
    )


def for_order(conn: Connection, order_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(audit_log).where(audit_log.c.order_id == order_id).order_by(audit_log.c.id)).mappings()
    return [dict(row) for row in rows]
