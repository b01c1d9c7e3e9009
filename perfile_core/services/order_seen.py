"""When each operator last looked at an order: what the orders table's "updated" mark compares with.

An order counts as looked at when the operator opens it (details drawer, Order page) or dismisses
its mark; the mark then stays off until the order changes again. Each person is keyed by e-mail
address (their name when they have none, as the local-mode user may).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from perfile_core.clock import utcnow
from perfile_core.db.tables import order_seen
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.errors import ValidationError

_MAX_OPERATOR = 100


def _operator(actor: Actor) -> str:
    cleaned = (actor.email or actor.name).strip().lower() if actor.email else actor.name.strip()
    if not cleaned or len(cleaned) > _MAX_OPERATOR:
        raise ValidationError("operator", f"an operator name is 1-{_MAX_OPERATOR} characters")
    return cleaned


def mark_seen(db: Engine, actor: Actor, order_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Record that `actor` looked at these orders now (later looks replace earlier ones)."""
    require(actor, Permission.MARK_SEEN)
    ids = sorted(set(order_ids))  # one lock order, so two sessions marking together cannot deadlock
    if not ids:
        return
    who = _operator(actor)
    seen_at = now or utcnow()
    with db.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(order_seen).values(
            [{"operator": who, "order_id": order_id, "seen_at": seen_at} for order_id in ids]
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["operator", "order_id"], set_={"seen_at": statement.excluded.seen_at}
            )
        )


def seen_times(db: Engine, actor: Actor, order_ids: Iterable[int]) -> dict[int, datetime]:
    """When `actor` last looked at each of these orders; orders never looked at are absent."""
    ids = list(set(order_ids))
    if not ids:
        return {}
    query = select(order_seen.c.order_id, order_seen.c.seen_at).where(
        order_seen.c.operator == _operator(actor), order_seen.c.order_id.in_(ids)
    )
    with db.connect() as conn:
        return {row.order_id: row.seen_at for row in conn.execute(query)}
