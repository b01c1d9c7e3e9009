"""The composition root: builds the engine and shared services from settings, once.

Entry points (CLI, dashboard, receiver) call `build()` and pass its parts to services;
nothing else creates engines or reads configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.config import Settings, load_settings
from perfile_core.db.engine import make_engine


@dataclass
class Perfile:
    settings: Settings
    db: Engine

    def close(self) -> None:
        self.db.dispose()


def build(settings: Settings | None = None) -> Perfile:
    settings = settings or load_settings()
    return Perfile(settings=settings, db=make_engine(settings.database_url))
