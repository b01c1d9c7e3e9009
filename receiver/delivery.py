"""Reading a delivery from the request, calling its use case, answering and logging.

Order per request: raw body first (413 over the limit), then the core verifies the
signature over those bytes, parses, stores and applies; we answer only after its commit.

`answer_delivery` works on the WSGI environ alone, so the courier route can skip Flask's
request and response objects (courier_route.py) and the Flask routes share every rule.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request

from perfile_core.domain.errors import PerfileError, StorageUnavailable
from perfile_core.services.webhooks import Delivery, Receipt, Result
from receiver import errors, logs
from receiver.errors import JSON_TYPE, Answer

if TYPE_CHECKING:
    from receiver import ReceiverState

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TOPIC_HEADERS = ("x-shopify-topic", "x-wc-webhook-topic")
# Each result's answer, encoded once.
_RESULT_BODIES = {
    result: (json.dumps({"status": result.value}, separators=(",", ":")) + "\n").encode() for result in Result
}


def state() -> ReceiverState:
    return current_app.extensions["perfile"]  # type: ignore[no-any-return]


def request_id_of(environ: Mapping[str, Any]) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def request_id() -> str:
    return request_id_of(request.environ)


def handle(source: str, use_case: Callable[[Delivery], Receipt]) -> Response:
    """A Flask route's delivery: answer_delivery's answer as a Flask response."""
    answer = answer_delivery(state(), source, use_case, request.environ)
    return Response(answer.body, status=answer.status, headers=answer.headers)


def answer_delivery(
    receiver: ReceiverState, source: str, use_case: Callable[[Delivery], Receipt], environ: Mapping[str, Any]
) -> Answer:
    started = time.perf_counter()
    logs.delivery_started()
    try:
        answer, fields, exc_info = _answer(receiver, source, use_case, environ, started)
    except BaseException:  # not answered (the client went away mid-body): no line, but no longer in flight
        logs.delivery_abandoned()
        raise
    logs.delivery(fields, exc_info=exc_info)
    return answer


def _answer(
    receiver: ReceiverState,
    source: str,
    use_case: Callable[[Delivery], Receipt],
    environ: Mapping[str, Any],
    started: float,
) -> tuple[Answer, dict[str, object], bool]:
    request_id = request_id_of(environ)
    fields: dict[str, object] = {"request_id": request_id, "source": source}
    body = _body(environ, receiver.max_body_bytes)
    if body is None:
        answer = errors.error_answer(
            "payload_too_large", errors.too_large_detail(receiver.max_body_bytes), 413, request_id
        )
        fields["result"] = "payload_too_large"
        return _finished(fields, answer, started)
    delivery = Delivery(
        headers=_lower_case_headers(environ), body=body, request_id=request_id, remote_addr=environ.get("REMOTE_ADDR")
    )
    try:
        receipt = use_case(delivery)
    except PerfileError as exc:
        answer = errors.answer_for(exc, request_id)
        fields.update(topic=_topic(delivery), result=exc.code, detail=exc.detail)
        if not isinstance(exc, StorageUnavailable):  # with the database down, nothing can be recorded
            # Duplicates and refusals leave nothing in the inbox: the Integrations page reads them here.
            receiver.refusals.record(
                source=source,
                result="rejected",
                status=answer.status,
                code=exc.code,
                detail=exc.detail,
                request_id=request_id,
            )
    except Exception:
        answer = errors.error_answer("internal_error", "unexpected error; it was logged", 500, request_id)
        fields.update(topic=_topic(delivery), result="internal_error")
        return _finished(fields, answer, started, exc_info=True)
    else:
        answer = Answer(200, _RESULT_BODIES[receipt.result], [JSON_TYPE])
        fields.update(source=receipt.source, topic=receipt.topic, result=receipt.result.value)
        if receipt.detail:
            fields["detail"] = receipt.detail
        if receipt.order_ids:
            fields["order_ids"] = list(receipt.order_ids)
        if receipt.result is Result.DUPLICATE:
            receiver.refusals.record(
                source=receipt.source,
                result="duplicate",
                status=200,
                code=None,
                detail=receipt.detail,
                request_id=request_id,
            )
    return _finished(fields, answer, started)


def _body(environ: Mapping[str, Any], limit: int) -> bytes | None:
    """The raw body, or None past `limit` (read no further than limit + 1 bytes). Without a
    Content-Length, only a server that ends the stream (chunked, `wsgi.input_terminated`) has one."""
    stream = environ["wsgi.input"]
    announced = environ.get("CONTENT_LENGTH")
    if announced:
        try:
            length = max(int(announced), 0)
        except ValueError:
            length = 0
        if length > limit:
            return None
        return stream.read(length) if length else b""
    if not environ.get("wsgi.input_terminated"):
        return b""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def _finished(
    fields: dict[str, object], answer: Answer, started: float, *, exc_info: bool = False
) -> tuple[Answer, dict[str, object], bool]:
    answer.headers.append(("X-Request-Id", str(fields["request_id"])))
    fields["status"] = answer.status
    fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return answer, fields, exc_info


def _lower_case_headers(environ: Mapping[str, Any]) -> dict[str, str]:
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
