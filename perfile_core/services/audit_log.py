"""The audit trail by person, action and period: who did what, when, with the values before and after.

For the Integrations page's audit filter (and anyone reviewing what a person did). Every write service
records its entry through `db/audit_repo.record` with the acting `Actor`; this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from perfile_core.db import audit_repo
from perfile_core.db.tables import audit_log, orders
from perfile_core.domain.errors import ValidationError
from perfile_core.services.audit_wording import describe
from perfile_core.services.validation import clean_user_text

MAX_ENTRIES = 1000


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str  # the person's name, or the system source ("webhook:shopify")
    actor_email: str | None
    actor_role: str | None
    action: str
    order_id: int | None
    order_number: str | None
    title: str  # in words, as on the order timeline
    detail: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_entries(
    db: Engine,
    *,
    person: str | None = None,
    actions: tuple[str, ...] | list[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Newest first. `person`: an e-mail address (any case) or a name/system source, exactly;
    `since` inclusive, `until` exclusive."""
    if not 1 <= limit <= MAX_ENTRIES:
        raise ValidationError("limit", f"1-{MAX_ENTRIES} entries")
    if since is not None and until is not None and until <= since:
        raise ValidationError("until", "must be after since")
    who = clean_user_text(person, field="person")
    with db.connect() as conn:
        rows = audit_repo.entries(conn, person=who, actions=tuple(actions), since=since, until=until, limit=limit)
        ids = {row["order_id"] for row in rows if row["order_id"] is not None}
        numbers = (
            dict(conn.execute(select(orders.c.id, orders.c.order_number).where(orders.c.id.in_(ids))).all())
            if ids
            else {}
        )
    return [_entry(row, numbers.get(row["order_id"])) for row in rows]


def audit_people(db: Engine) -> list[tuple[str, str | None]]:
    """Everyone (and every system source) with an audit entry: (name, e-mail), for a filter's choices."""
    query = select(audit_log.c.actor, audit_log.c.actor_email).distinct().order_by(audit_log.c.actor)
    with db.connect() as conn:
        return [(row[0], row[1]) for row in conn.execute(query)]


def _entry(row: dict[str, Any], order_number: str | None) -> AuditEntry:
    text = describe(row["action"], row["actor"], row["details"], row["actor_email"])
    return AuditEntry(
        id=row["id"],
        at=row["created_at"],
        actor=row["actor"],
        actor_email=row["actor_email"],
        actor_role=row["actor_role"],
        action=row["action"],
        order_id=row["order_id"],
        order_number=order_number,
        title=text.title,
        detail=text.detail,
        before=row["before"],
        after=row["after"],
    )
