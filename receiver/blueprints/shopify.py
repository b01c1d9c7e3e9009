"""POST /webhooks/shopify: orders/* and fulfillments/* topics, store found by shop domain."""

from __future__ import annotations

from flask import Blueprint, Response

from perfile_core.services.webhook_webshops import receive_shopify
from receiver.delivery import handle, state

bp = Blueprint("shopify", __name__)


@bp.post("/webhooks/shopify")
def shopify_webhook() -> Response:
    app = state()
    return handle("shopify", lambda delivery: receive_shopify(app.context, delivery))
