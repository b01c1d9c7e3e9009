"""POST /webhooks/couriers/<courier>: Bring Event Cast, or our unified Standard Webhooks event."""

from __future__ import annotations

from flask import Blueprint, Response

from perfile_core.services.webhook_couriers import receive_courier_event
from receiver.delivery import handle, state

bp = Blueprint("couriers", __name__)


@bp.post("/webhooks/couriers/<courier>")
def courier_webhook(courier: str) -> Response:
    app = state()
    return handle(
        f"courier:{courier[:40]}",
        lambda delivery: receive_courier_event(app.context, courier, delivery),
    )
