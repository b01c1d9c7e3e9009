"""GET /track/<number>: the public tracking page for couriers without one of their own (the
sandbox courier's tracking links and customer e-mails point here). HTML, every value escaped by
Jinja's autoescaping; the core decides what a customer may see (services/public_tracking.py)."""

from __future__ import annotations

from flask import Blueprint, Response, g, make_response, render_template

from perfile_core.domain.errors import NotFound, PerfileError, StorageUnavailable
from perfile_core.services.public_tracking import PublicTracking, public_tracking
from receiver.delivery import request_id, state

bp = Blueprint("tracking_page", __name__)
# Nothing but our own inline style: no scripts, frames, images or requests to other hosts.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@bp.get("/track/<path:number>")
def track(number: str) -> Response:
    g.request_id = request_id()
    try:
        tracking = public_tracking(state().perfile.db, number)
    except NotFound:
        return _page(None, "No shipment with this tracking number is tracked here.", 404)
    except StorageUnavailable:
        return _page(None, "Tracking is not available right now; try again in a minute.", 503)
    except PerfileError as exc:
        return _page(None, exc.detail, 400)
    return _page(tracking, "", 200)


def _page(tracking: PublicTracking | None, message: str, status: int) -> Response:
    response = make_response(render_template("track.html", tracking=tracking, message=message), status)
    response.headers.update(SECURITY_HEADERS)
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response
