"""Use cases: a Shopify or WooCommerce delivery, verified, stored once and applied."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection

from perfile_core.clock import utcnow
from perfile_core.couriers.formats.json_body import parse_json_object, storable_text
from perfile_core.couriers.formats.signatures import verify_base64_hmac
from perfile_core.domain import store_names
from perfile_core.domain.errors import PayloadError, UnknownSource
from perfile_core.services.webhook_context import WebhookContext
from perfile_core.services.webhook_orders import Applied, apply_fulfillment, apply_order
from perfile_core.services.webhook_secrets import Source
from perfile_core.services.webhooks import (
    Delivery,
    Receipt,
    Result,
    mark_delivery,
    run_in_transaction,
    store_delivery,
)
from perfile_core.webshops import shopify, woocommerce
from perfile_core.webshops.intake import FulfillmentIntake, OrderIntake

MAX_WEBHOOK_ID = 200


def receive_shopify(context: WebhookContext, delivery: Delivery) -> Receipt:
    headers = delivery.headers
    domain = store_names.shop_domain(headers.get("x-shopify-shop-domain") or "")
    if not domain:
        raise UnknownSource("X-Shopify-Shop-Domain header is missing")
    store, _ = context.secrets.verified(
        "shop_domain",
        domain,
        lambda source: verify_base64_hmac(
            headers.get("x-shopify-hmac-sha256"),
            delivery.body,
            [secret.encode() for secret in source.secrets],
            name="X-Shopify-Hmac-Sha256",
        ),
    )
    payload = parse_json_object(delivery.body)
    webhook_id = (headers.get("x-shopify-webhook-id") or "").strip()
    if not webhook_id or len(webhook_id) > MAX_WEBHOOK_ID:
        raise PayloadError(f"X-Shopify-Webhook-Id: header missing or longer than {MAX_WEBHOOK_ID} characters")
    topic = (headers.get("x-shopify-topic") or "").strip()
    intake: OrderIntake | FulfillmentIntake | None = None
    if topic in shopify.ORDER_TOPICS:
        intake = shopify.parse_order(payload)
    elif topic in shopify.FULFILLMENT_TOPICS:
        intake = shopify.parse_fulfillment(payload)
    return _store_and_apply(context, store, "shopify", f"{domain}:{webhook_id}", topic, delivery, intake)


def receive_woocommerce(context: WebhookContext, store_key: str, delivery: Delivery) -> Receipt:
    signature = delivery.headers.get("x-wc-webhook-signature")
    if not signature and woocommerce.is_ping(delivery.body):
        # Saving a webhook in WooCommerce sends this unsigned ping and wants exactly 200.
        return Receipt(Result.IGNORED, "woocommerce", "ping", "ping acknowledged, nothing stored")
    store, _ = context.secrets.verified(
        "store_key",
        # from the URL, percent-decoded: %00 arrives as NUL
        store_names.store_key(storable_text(store_key)),
        lambda source: verify_base64_hmac(
            signature,
            delivery.body,
            [variant for secret in source.secrets for variant in woocommerce.secret_variants(secret)],
            name="X-WC-Webhook-Signature",
        ),
    )
    payload = parse_json_object(delivery.body)
    topic = (delivery.headers.get("x-wc-webhook-topic") or "").strip()
    intake = woocommerce.parse_order(payload) if topic in woocommerce.ORDER_TOPICS else None
    # WooCommerce's delivery id changes on every attempt: the body is the identity.
    dedupe_key = f"{store.key}:{hashlib.sha256(delivery.body).hexdigest()}"
    return _store_and_apply(context, store, "woocommerce", dedupe_key, topic, delivery, intake)


def _store_and_apply(
    context: WebhookContext,
    store: Source,
    source: str,
    dedupe_key: str,
    topic: str,
    delivery: Delivery,
    intake: OrderIntake | FulfillmentIntake | None,
) -> Receipt:
    now = utcnow()
    result = Result.ACCEPTED if intake is not None else Result.IGNORED
    detail = None if intake is not None else f"topic {topic or '(none)'!r} is not used"

    def store_and_apply(conn: Connection) -> Receipt:
        stored = store_delivery(
            conn,
            source=source,
            dedupe_key=dedupe_key,
            topic=topic,
            delivery=delivery,
            result=result,
            detail=detail,
            now=now,
        )
        if not stored:
            return Receipt(Result.DUPLICATE, source, topic, "delivered before")
        if intake is None:
            return Receipt(Result.IGNORED, source, topic, detail)
        applied = _apply(conn, store, intake, now)
        if applied.ignored:
            mark_delivery(conn, dedupe_key, Result.IGNORED, applied.ignored)
            return Receipt(Result.IGNORED, source, topic, applied.ignored, applied.changed)
        return Receipt(Result.ACCEPTED, source, topic, None, applied.changed)

    receipt = run_in_transaction(context.db, store_and_apply)
    context.changes.orders_changed(receipt.order_ids)
    return receipt


def _apply(conn: Connection, store: Source, intake: OrderIntake | FulfillmentIntake, now: datetime) -> Applied:
    if isinstance(intake, OrderIntake):
        return apply_order(conn, store, intake, now)
    return apply_fulfillment(conn, store, intake, now)
