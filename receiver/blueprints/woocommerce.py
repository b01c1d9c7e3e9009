"""POST /webhooks/woocommerce/<store_key>: order.created, order.updated and the unsigned ping."""

from __future__ import annotations

from flask import Blueprint, Response

from perfile_core.services.webhook_webshops import receive_woocommerce
from receiver.delivery import handle, state

bp = Blueprint("woocommerce", __name__)


@bp.post("/webhooks/woocommerce/<store_key>")
def woocommerce_webhook(store_key: str) -> Response:
    app = state()
    return handle(
        "woocommerce",
        lambda delivery: receive_woocommerce(app.context, store_key, delivery),
    )
