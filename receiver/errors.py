"""The one table mapping domain errors to HTTP answers, and the JSON error body.

Body: {"error": code, "detail": text, "request_id": id}. Details come from the core's
exceptions, which never contain secrets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException

from perfile_core.domain.errors import (
    Conflict,
    NotFound,
    PayloadError,
    PerfileError,
    SignatureError,
    StorageUnavailable,
    UnknownCourier,
    ValidationError,
)

# Looked up along the exception's MRO, so subclasses (MissingSignature, StaleTimestamp,
# UnknownSource) share their parent's status and keep their own code.
STATUS: dict[type[PerfileError], int] = {
    SignatureError: 401,
    PayloadError: 400,
    ValidationError: 400,
    UnknownCourier: 404,
    NotFound: 404,
    Conflict: 409,
    StorageUnavailable: 503,
    PerfileError: 400,
}
RETRY_AFTER_SECONDS = "5"
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def status_for(exc: PerfileError) -> int:
    for klass in type(exc).__mro__:
        if klass in STATUS:
            return STATUS[klass]
    return 400


@dataclass
class Answer:
    """An HTTP answer: the courier route hands it to WSGI as it is, Flask routes as a Response."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


JSON_TYPE = ("Content-Type", "application/json")


def error_answer(code: str, detail: str, status: int, request_id: str) -> Answer:
    body = json.dumps({"detail": detail, "error": code, "request_id": request_id}, separators=(",", ":")) + "\n"
    answer = Answer(status, body.encode(), [JSON_TYPE])
    if status == 503:
        answer.headers.append(("Retry-After", RETRY_AFTER_SECONDS))
    return answer


def answer_for(exc: PerfileError, request_id: str) -> Answer:
    return error_answer(exc.code, exc.detail, status_for(exc), request_id)


def too_large_detail(limit: int) -> str:
    return (
        f"body is larger than {limit // 1024} KiB"
        if limit % (1024 * 1024)
        else f"body is larger than {limit >> 20} MiB"
    )


def error_response(code: str, detail: str, status: int) -> Response:
    answer = error_answer(code, detail, status, g.get("request_id", ""))
    return Response(answer.body, status=answer.status, headers=answer.headers)


def for_exception(exc: PerfileError) -> Response:
    return error_response(exc.code, exc.detail, status_for(exc))


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = too_large_detail(app.config["MAX_CONTENT_LENGTH"]) if status == 413 else exc.description or exc.name
        return error_response(HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")), detail, status)
