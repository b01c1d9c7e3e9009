"""What the webhook use cases share, built once per receiver process from the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.bootstrap import Perfile
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

    @classmethod
    def from_perfile(cls, perfile: Perfile, *, secret_ttl_seconds: float = 5.0) -> WebhookContext:
        return cls(
            db=perfile.db,
            secrets=SecretCache(perfile.db, ttl=secret_ttl_seconds),
            settings=perfile.settings,
            changes=perfile.changes,
            direct=perfile.direct_connections,
        )
