"""Claims against a courier: filed for orders that `Order.can_file_claim`, then moved through
open -> submitted -> approved | rejected, approved -> paid. Every step is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import claims
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.errors import Conflict, NotFound, ValidationError
from perfile_core.domain.order import Order

CLAIM_TYPES = ("lost", "damaged", "delayed", "other")
STATUSES = ("open", "submitted", "approved", "rejected", "paid")
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"submitted"}),
    "submitted": frozenset({"approved", "rejected"}),
    "approved": frozenset({"paid"}),
    "rejected": frozenset(),
    "paid": frozenset(),
}
MAX_AMOUNT = Decimal("1000000")
MAX_ATTACHMENTS = 10
NOT_CLAIMABLE = (
    "claims are for shipments with an exception, or delivered/returned ones reported damaged, lost or delayed"
)


@dataclass(frozen=True)
class Claim:
    id: int
    order_id: int
    claim_type: str
    description: str
    amount: Decimal | None
    currency: str | None
    status: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def next_statuses(self) -> list[str]:
        return sorted(TRANSITIONS[self.status])


def _claim(row: Any) -> Claim:
    amount = row.amount
    return Claim(
        id=row.id,
        order_id=row.order_id,
        claim_type=row.claim_type,
        description=row.description,
        amount=Decimal(str(amount)).quantize(Decimal("0.01")) if amount is not None else None,
        currency=row.currency,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _validated(
    claim_type: str, description: str, amount: Any, currency: str | None
) -> tuple[Decimal | None, str | None]:
    if claim_type not in CLAIM_TYPES:
        raise ValidationError("claim_type", f"must be one of {', '.join(CLAIM_TYPES)}")
    if not description.strip():
        raise ValidationError("description", "describe what happened")
    if len(description) > 2000:
        raise ValidationError("description", "at most 2000 characters")
    if amount in (None, ""):
        return None, (currency or "").upper() or None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError("amount", "must be a number such as 249.50") from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise ValidationError("amount", "must be between 0 and 1 000 000 with at most two decimals")
    if not currency or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise ValidationError("currency", "give a three-letter currency code such as SEK with the amount")
    return value, currency.upper()


def claim_refusal(order: Order) -> str | None:
    """Why no claim can be filed for this order, or None when one can."""
    if order.can_file_claim:
        return None
    return f"order {order.order_number} is {order.order_status.value}: {NOT_CLAIMABLE}"


def _attachment_names(names: list[str] | None) -> list[str]:
    """File names only (the files travel by e-mail to the courier); kept in the audit log."""
    cleaned = [name.strip() for name in names or [] if name.strip()]
    if len(cleaned) > MAX_ATTACHMENTS:
        raise ValidationError("attachments", f"at most {MAX_ATTACHMENTS} file names")
    for name in cleaned:
        if len(name) > 200 or "/" in name or "\\" in name or not name.isprintable():
            raise ValidationError("attachments", f"{name[:40]!r} is not a plain file name such as photo-1.jpg")
    return cleaned


def file_claim(
    db: Engine,
    order_id: int,
    *,
    claim_type: str,
    description: str,
    actor: Actor,
    amount: Any = None,
    currency: str | None = None,
    attachments: list[str] | None = None,
) -> Claim:
    require(actor, Permission.CLAIM)
    value, code = _validated(claim_type, description, amount, currency)
    attachment_names = _attachment_names(attachments)
    now = utcnow()
    with db.begin() as conn:
        order = get_order(conn, order_id, for_update=True)
        refusal = claim_refusal(order)
        if refusal is not None:
            raise Conflict(refusal)
        claim_id = conn.execute(
            claims.insert()
            .values(
                order_id=order_id,
                claim_type=claim_type,
                description=description.strip(),
                amount=value,
                currency=code,
                status="open",
                created_by=actor.name,
                created_at=now,
                updated_at=now,
            )
            .returning(claims.c.id)
        ).scalar_one()
        audit_repo.record(
            conn,
            actor,
            "claim.filed",
            order_id,
            {
                "claim_id": claim_id,
                "claim_type": claim_type,
                "amount": str(value) if value is not None else None,
                "currency": code,
                "attachments": attachment_names,
            },
            now,
            before=None,
            after={"claim_id": claim_id, "status": "open"},
        )
        return _claim(conn.execute(select(claims).where(claims.c.id == claim_id)).one())


def set_claim_status(db: Engine, claim_id: int, status: str, *, actor: Actor, note: str = "") -> Claim:
    require(actor, Permission.CLAIM)
    if status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}")
    now = utcnow()
    with db.begin() as conn:
        query = select(claims).where(claims.c.id == claim_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"claim {claim_id} does not exist")
        if status not in TRANSITIONS[row.status]:
            allowed = ", ".join(sorted(TRANSITIONS[row.status])) or "nothing (it is closed)"
            raise Conflict(f"claim {claim_id} is {row.status}; it can move to {allowed}, not {status}")
        conn.execute(claims.update().where(claims.c.id == claim_id).values(status=status, updated_at=now))
        audit_repo.record(
            conn,
            actor,
            "claim.status_changed",
            row.order_id,
            {"claim_id": claim_id, "from": row.status, "to": status, "note": note[:500]},
            now,
            before={"status": row.status},
            after={"status": status},
        )
        return _claim(conn.execute(select(claims).where(claims.c.id == claim_id)).one())


def claims_for_order_in(conn: Connection, order_id: int) -> list[Claim]:
    rows = conn.execute(select(claims).where(claims.c.order_id == order_id).order_by(claims.c.created_at, claims.c.id))
    return [_claim(row) for row in rows]


def claims_for_order(db: Engine, order_id: int) -> list[Claim]:
    with db.connect() as conn:
        return claims_for_order_in(conn, order_id)
