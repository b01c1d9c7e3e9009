"""Reading a delivery from the request, calling its use case, answering and logging.

Order per request: raw body first (413 over the limit), then the core verifies the
signature over those bytes, parses, stores and applies; we answer only after its commit.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request

from perfile_core.domain.errors import PerfileError, StorageUnavailable
from perfile_core.services.webhooks import Delivery, Receipt, Result
from receiver import errors, logs

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TOPIC_HEADERS = ("x-shopify-topic", "x-wc-webhook-topic")
# What jsonify(status=...) answers, encoded once: the same bytes without Flask's JSON provider per request.
_RESULT_BODIES = {result: json.dumps({"status": result.value}, separators=(",", ":")) + "\n" for result in Result}


def state():  # type: ignore[no-untyped-def]
    return current_app.extensions["perfile"]


def request_id() -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def handle(source: str, use_case: Callable[[Delivery], Receipt]) -> Response:
    started = time.perf_counter()
    g.request_id = request_id()
    body = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    delivery = Delivery(
        headers=_lower_case_headers(request.environ),
        body=body,
        request_id=g.request_id,
        remote_addr=request.remote_addr,
    )
    fields: dict[str, object] = {"request_id": g.request_id, "source": source}
    try:
        receipt = use_case(delivery)
    except PerfileError as exc:
        response = errors.for_exception(exc)
        fields.update(topic=_topic(delivery), result=exc.code, detail=exc.detail)
        if not isinstance(exc, StorageUnavailable):  # with the database down, nothing can be recorded
            _record(source, "rejected", response.status_code, exc.code, exc.detail)
    except Exception:
        response = errors.error_response("internal_error", "unexpected error; it was logged", 500)
        fields.update(topic=_topic(delivery), result="internal_error")
        _log(fields, response, started, exc_info=True)
        return response
    else:
        response = Response(_RESULT_BODIES[receipt.result], mimetype="application/json")
        fields.update(source=receipt.source, topic=receipt.topic, result=receipt.result.value)
        if receipt.detail:
            fields["detail"] = receipt.detail
        if receipt.order_ids:
            fields["order_ids"] = list(receipt.order_ids)
        if receipt.result is Result.DUPLICATE:
            _record(receipt.source, "duplicate", 200, None, receipt.detail)
    _log(fields, response, started)
    return response


def _record(source: str, result: str, status: int, code: str | None, detail: str | None) -> None:
    """Duplicates and refusals leave nothing in the inbox: the Integrations page reads them here."""
    state().refusals.record(
        source=source, result=result, status=status, code=code, detail=detail, request_id=g.request_id
    )


def _log(fields: dict[str, object], response: Response, started: float, *, exc_info: bool = False) -> None:
    response.headers["X-Request-Id"] = str(fields["request_id"])
    fields["status"] = response.status_code
    fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    logs.delivery(fields, exc_info=exc_info)


def _lower_case_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers by lower-case name, read from the WSGI environ directly (as
    werkzeug's EnvironHeaders does, without building its wrapper per request)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


def _topic(delivery: Delivery) -> str | None:
    for name in TOPIC_HEADERS:
        if name in delivery.headers:
            return delivery.headers[name][:100]
    return None
