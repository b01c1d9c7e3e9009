"""The audit trail: who (name, e-mail, role) did what to which order, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from perfile_core.db.tables import audit_log
from perfile_core.domain.access import Actor


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    order_id: int | None,
    details: dict[str, Any],
    now: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        audit_log.insert().values(
            actor=actor.name[:100],
            actor_email=actor.email,
            actor_role=actor.role.value,
            action=action,
            order_id=order_id,
            details=details,
            before=before,
            after=after,
            created_at=now,
        )
    )


def for_order(conn: Connection, order_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(audit_log).where(audit_log.c.order_id == order_id).order_by(audit_log.c.id)).mappings()
    return [dict(row) for row in rows]


def entries(
    conn: Connection,
    *,
    person: str | None = None,
    actions: tuple[str, ...] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest first; `person` matches the e-mail address or the name exactly (bound parameters only)."""
    query = select(audit_log)
    if person:
        query = query.where(or_(audit_log.c.actor_email == person.lower(), audit_log.c.actor == person))
    if actions:
        query = query.where(audit_log.c.action.in_(actions))
    if since is not None:
        query = query.where(audit_log.c.created_at >= since)
    if until is not None:
        query = query.where(audit_log.c.created_at < until)
    rows = conn.execute(query.order_by(audit_log.c.created_at.desc(), audit_log.c.id.desc()).limit(limit)).mappings()
    return [dict(row) for row in rows]
