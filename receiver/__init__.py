"""The webhook receiver: a thin Flask app. Request in, one core call, respond.

Run it with `gunicorn -c receiver/gunicorn_conf.py 'receiver:create_app()'`. Every rule lives
in `perfile_core`; this package reads requests, maps errors (errors.py) and logs one line per
delivery (logs.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from perfile_core.bootstrap import Perfile, build
from perfile_core.config import Settings, load_settings
from perfile_core.services.stored_secrets import policy_for
from perfile_core.services.webhook_context import WebhookContext
from perfile_core.services.webhook_refusals import RefusalRecorder
from perfile_core.services.webhook_secrets import SecretCache
from receiver import errors, logs
from receiver.blueprints import health, shopify, tracking_page, woocommerce
from receiver.courier_route import CourierRoute

__all__ = ["create_app"]


@dataclass
class ReceiverState:
    perfile: Perfile
    context: WebhookContext
    refusals: RefusalRecorder
    max_body_bytes: int


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; tests pass {"DATABASE_URL": ...}, production reads PERFILE_* variables."""
    app = Flask(__name__)
    app.config.from_mapping(config or {})
    settings = app.config.get("SETTINGS") or _settings(app.config)
    # No pre-ping round trip per request: a pooled connection the server ended is found without
    # one (db/liveness.py); a transaction whose connection broke before COMMIT runs again on a
    # fresh one, and one that may have committed answers 503 + Retry-After (the sender retries).
    # A sender waits a few seconds (Shopify: 5 s): a statement stuck behind a lock answers 503
    # + Retry-After in time rather than holding a worker thread until the sender gives up.
    perfile = build(settings, pre_ping=False, statement_timeout_ms=settings.webhook_statement_timeout_ms)
    app.config["MAX_CONTENT_LENGTH"] = settings.webhook_max_body_bytes
    secret_ttl = float(app.config.get("SECRET_CACHE_SECONDS", 5.0))
    context = WebhookContext(
        db=perfile.db,
        secrets=SecretCache(perfile.db, ttl=secret_ttl, policy=policy_for(settings)),
        settings=settings,
        changes=perfile.changes,
        direct=perfile.direct_connections,
    )
    receiver = ReceiverState(perfile, context, RefusalRecorder(perfile.db), settings.webhook_max_body_bytes)
    app.extensions["perfile"] = receiver
    logs.configure()
    errors.register(app)
    for blueprint in (shopify.bp, woocommerce.bp, health.bp, tracking_page.bp):
        app.register_blueprint(blueprint)
    app.wsgi_app = CourierRoute(app.wsgi_app, receiver)  # type: ignore[method-assign]
    return app


def _settings(config: Mapping[str, Any]) -> Settings:
    overrides = {}
    if config.get("DATABASE_URL"):
        overrides["database_url"] = config["DATABASE_URL"]
    return load_settings(**overrides)
