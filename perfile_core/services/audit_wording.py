"""The audit trail in words: what an operator, webshop or courier changed, with old and new values.

One place for the wording, so the Order page's timeline and the details drawer say the same
("Tracking number 00370… attached by dashboard (was none)") instead of internal keys
("tracking.attached by dashboard"). The texts are plain: the dashboard escapes them like any
other data, since reasons, names and numbers in them come from outside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from perfile_core.domain.couriers import courier_display_name
from perfile_core.services.order_input import FIELD_LABELS

ACTORS = {
    "dashboard": "dashboard",
    "cli": "command line",
    "seed": "demo data",
    "poller": "tracking poller",
    "system": "Perfile",
    "webhook:shopify": "Shopify webhook",
    "webhook:woocommerce": "WooCommerce webhook",
    "webhook:manual": "webhook",
}
NOTHING = "none"


@dataclass(frozen=True)
class AuditText:
    title: str
    detail: str = ""


def actor_name(actor: str) -> str:
    """Who did it, as people say it ("Shopify webhook", "Anna Berg", "astrid (command line)")."""
    if actor.startswith("cli:"):
        return f"{actor[4:]} (command line)"
    return ACTORS.get(actor, actor)


def value_text(value: Any) -> str:
    if value is None or value == "":
        return NOTHING
    return str(value)


def describe(action: str, actor: str, details: Mapping[str, Any] | None, email: str | None = None) -> AuditText:
    """An audit entry in words: a title saying what happened and by whom ("by Anna Berg (anna@…)"
    for a person, "by Shopify webhook" for a system source), and the values it changed."""
    facts = dict(details or {})
    who = f"{actor_name(actor)} ({email})" if email else actor_name(actor)
    wording = _WORDING.get(action)
    if wording is None:
        return AuditText(f"{action.replace('.', ' ').replace('_', ' ').capitalize()} by {who}")
    return wording(facts, who)


def _created(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Order {value_text(facts.get('order_number'))} created by {who}")


def _edited(facts: dict[str, Any], who: str) -> AuditText:
    changes = facts.get("changes") or {}
    before = facts.get("before") or {}
    lines = [
        f"{FIELD_LABELS.get(name, name.replace('_', ' ').capitalize())}: "
        f"{value_text(before.get(name))} → {value_text(new)}"
        for name, new in changes.items()
    ]
    why = " (booking details)" if facts.get("reason") == "booking details" else ""
    return AuditText(f"Order edited by {who}{why}", "\n".join(lines))


def _deleted(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Order deleted by {who}", f"Reason: {value_text(facts.get('reason'))}")


def _restored(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Order restored by {who} (Undo of a delete)")


def _attached(facts: dict[str, Any], who: str) -> AuditText:
    number = value_text(facts.get("tracking_number"))
    courier = courier_display_name(facts.get("courier")) or "no courier"
    previous = value_text(facts.get("previous"))
    verb = "attached" if previous == NOTHING else "replaced"
    return AuditText(f"Tracking number {number} ({courier}) {verb} by {who} (was {previous})")


def _booked(facts: dict[str, Any], who: str) -> AuditText:
    courier = courier_display_name(facts.get("courier")) or "a courier"
    service = f", service {facts['service']}" if facts.get("service") else ""
    return AuditText(
        f"Shipment booked with {courier} by {who}",
        f"Tracking number {value_text(facts.get('tracking_number'))}{service}",
    )


def _cancelled(facts: dict[str, Any], who: str) -> AuditText:
    courier = courier_display_name(facts.get("courier")) or "the courier"
    return AuditText(
        f"Booking with {courier} cancelled by {who}",
        f"Tracking number {value_text(facts.get('tracking_number'))} → none · "
        f"Reason: {value_text(facts.get('reason'))}",
    )


def _claim_filed(facts: dict[str, Any], who: str) -> AuditText:
    kind = value_text(facts.get("claim_type")).replace("_", " ")
    amount = f", {facts['amount']} {facts.get('currency') or ''}".rstrip() if facts.get("amount") else ""
    attachments = facts.get("attachments") or []
    detail = f"Attachments: {', '.join(str(name) for name in attachments)}" if attachments else ""
    return AuditText(f"Claim filed by {who}: {kind}{amount}", detail)


def _claim_status(facts: dict[str, Any], who: str) -> AuditText:
    note = facts.get("note") or ""
    return AuditText(
        f"Claim {value_text(facts.get('claim_id'))} moved by {who}: "
        f"{value_text(facts.get('from')).replace('_', ' ')} → {value_text(facts.get('to')).replace('_', ' ')}",
        f"Note: {note}" if note else "",
    )


def _notified(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Tracking e-mail sent to the customer by {who}")


def _store_added(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Store {value_text(facts.get('store'))} added by {who}")


def _store_secret(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Webhook secret of store {value_text(facts.get('store'))} rotated by {who}")


def _courier_configured(facts: dict[str, Any], who: str) -> AuditText:
    courier = courier_display_name(facts.get("courier")) or value_text(facts.get("courier"))
    return AuditText(f"Courier account {courier} configured by {who}")


def _key_rotated(facts: dict[str, Any], who: str) -> AuditText:
    return AuditText(f"Secrets re-encrypted with a new key by {who}", f"Values: {value_text(facts.get('values'))}")


_WORDING: dict[str, Callable[[dict[str, Any], str], AuditText]] = {
    "order.created": _created,
    "order.edited": _edited,
    "order.deleted": _deleted,
    "order.restored": _restored,
    "tracking.attached": _attached,
    "shipment.booked": _booked,
    "shipment.cancelled": _cancelled,
    "claim.filed": _claim_filed,
    "claim.status_changed": _claim_status,
    "notification.sent_manually": _notified,
    "store.added": _store_added,
    "store.secret_rotated": _store_secret,
    "courier.configured": _courier_configured,
    "secrets.key_rotated": _key_rotated,
}
