"""Running Alembic migrations from code (CLI, tests, make run)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from perfile_core.config import PROJECT_ROOT


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the database to `revision` (by default the newest), in one transaction."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to `revision`: a test of a migration starts from the one before it."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        step(config, revision)
