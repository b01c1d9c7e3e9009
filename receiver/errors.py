"""The one table mapping domain errors to HTTP answers, and the JSON error body.

Body: {"error": code, "detail": text, "request_id": id}. Details come from the core's
exceptions, which never contain secrets.
"""

from __future__ import annotations

from flask import Flask, Response, g, jsonify
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


def error_response(code: str, detail: str, status: int) -> Response:
    response = jsonify(error=code, detail=detail, request_id=g.get("request_id", ""))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def for_exception(exc: PerfileError) -> Response:
    return error_response(exc.code, exc.detail, status_for(exc))


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = "body is larger than 1 MiB" if status == 413 else (exc.description or exc.name)
        return error_response(HTTP_CODES.get(status, exc.name.lower().replace(" ", "_")), detail, status)
