"""The composition root: builds the engine and shared services from settings, once.

Entry points (CLI, dashboard, receiver) call `build()` and pass its parts to services;
nothing else creates engines or reads configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from perfile_core.config import Settings, load_settings
from perfile_core.db.engine import make_engine

if TYPE_CHECKING:
    from perfile_core.couriers.registry import CourierRegistry


@dataclass
class Perfile:
    settings: Settings
    db: Engine
    _couriers: CourierRegistry | None = field(default=None, repr=False)

    @property
    def couriers(self) -> CourierRegistry:
        """The courier registry, built from courier_accounts on first use (after migrations)."""
        if self._couriers is None:
            from perfile_core.couriers.registry import build_registry
            from perfile_core.services.admin import list_courier_accounts

            self._couriers = build_registry(list_courier_accounts(self.db), self.settings)
        return self._couriers

    def reload_couriers(self) -> None:
        """Forget the registry so the next use reads changed courier accounts."""
        self._couriers = None

    def close(self) -> None:
        self.db.dispose()


def build(settings: Settings | None = None, *, pre_ping: bool = True) -> Perfile:
    """`pre_ping=False`: see make_engine (the receiver answers a dead connection with a 503)."""
    settings = settings or load_settings()
    return Perfile(settings=settings, db=make_engine(settings.database_url, pre_ping=pre_ping))
