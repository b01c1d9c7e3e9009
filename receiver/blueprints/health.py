"""GET /healthz (the process answers) and GET /readyz (the database answers too)."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from perfile_core.domain.errors import StorageUnavailable
from perfile_core.services.webhooks import check_database
from receiver import errors
from receiver.delivery import request_id, state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    g.request_id = request_id()
    try:
        check_database(state().perfile.db)
    except StorageUnavailable as exc:
        return errors.for_exception(exc)
    return jsonify(status="ready")
