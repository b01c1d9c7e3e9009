"""What the webhook use cases share; the receiver builds it once per process from the
composition root's parts (perfile_core.bootstrap.Perfile)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.config import Settings
from perfile_core.db.direct import DirectConnections
from perfile_core.db.notify import ChangeNotifier
from perfile_core.services.webhook_secrets import SecretCache


@dataclass(frozen=True)
class WebhookContext:
    db: Engine
    secrets: SecretCache
    settings: Settings
    changes: ChangeNotifier  # told after each commit that changed orders
    direct: DirectConnections | None = None  # PostgreSQL: the courier-event fast path's connections
