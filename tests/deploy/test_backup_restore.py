"""Backups as docs/DEPLOY.md takes them: pg_dump's custom format, pg_restore into an empty
database, and the restored database carries on (same rows, migrations current, the change
cursor continuing above every restored order so live dashboards see new writes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from perfile_core.db.engine import make_engine
from perfile_core.db.tables import metadata, orders
from perfile_core.services.orders import create_order
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.ci import unavailable


def _libpq(url: str) -> str:
    """The URL without SQLAlchemy's driver name, as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_pg_dump_and_pg_restore_bring_back_a_working_database(pg_url: str, empty_pg_url: str, tmp_path: Path) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        unavailable("pg_dump / pg_restore are missing (Debian's postgresql-client)")
    source = make_engine(pg_url)
    seed_demo(source, orders_count=40, seed=3, actor=ADMIN)
    before = _rows(source)
    dump = tmp_path / "perfile.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", _libpq(pg_url)], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(empty_pg_url)}", str(dump)], check=True
    )
    restored = make_engine(empty_pg_url)
    try:
        assert _rows(restored) == before
        migrated = subprocess.run(
            [sys.executable, "-m", "perfile_core", "migrate"],
            env={**os.environ, "PERFILE_DATABASE_URL": empty_pg_url},
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stdout + migrated.stderr
        store = before["stores"][0][1]
        with restored.connect() as conn:
            highest = conn.execute(select(func.max(orders.c.change_cursor))).scalar_one()
        order = create_order(restored, {"store_key": store, "customer_name": "After the restore"}, actor=ADMIN)
        with restored.connect() as conn:
            cursor = conn.execute(select(orders.c.change_cursor).where(orders.c.id == order.id)).scalar_one()
        assert cursor > highest
    finally:
        source.dispose()
        restored.dispose()


def _rows(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def,type-arg]
    """Every table's rows in key order, and the migration the database is at."""
    with engine.connect() as conn:
        rows = {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in metadata.sorted_tables
        }
        rows["alembic_version"] = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows
