"""The dashboard's push on PostgreSQL: one listener per process counts the receiver's NOTIFY
(`db.listen`), so a live tick with nothing changed needs no query."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.db.listen import OrderChanges, PostgresOrderChanges, make_order_changes
from perfile_core.services.orders import attach_tracking, create_order
from receiver import create_app
from tests.actors import ADMIN, person
from tests.receiver.helpers import SANDBOX_SECRET, configure_shopify_and_sandbox, unified_event
from tests.receiver.outage import end_sessions

T0 = datetime.now(UTC) - timedelta(hours=5)
SBX_LISTEN1 = tracking_number_for("LISTEN1")


def _moves_past(changes: OrderChanges, version: int | None, timeout: float = 5.0) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = changes.version()
        if now is not None and now != version:
            return now
        time.sleep(0.02)
    raise AssertionError(f"the version stayed {version} for {timeout} s")


def _courier_event(app, number: str, status: str, minutes: int) -> None:  # type: ignore[no-untyped-def]
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", number, status, T0 + timedelta(minutes=minutes))
    assert app.test_client().post("/webhooks/couriers/sandbox", data=body, headers=headers).status_code == 200


def test_a_receiver_write_moves_the_version_and_survives_a_database_restart(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    order = create_order(pg_db, {"store_key": "manual-store", "customer_name": "Kari"}, actor=ADMIN)
    attach_tracking(pg_db, order.id, SBX_LISTEN1, "sandbox", actor=person("test"))
    app = create_app({"DATABASE_URL": pg_url})
    changes = PostgresOrderChanges(pg_url, retry=0.1)
    try:
        assert changes.wait_listening(5.0)
        quiet = changes.version()
        time.sleep(0.3)
        assert changes.version() == quiet  # nothing written: nothing heard

        _courier_event(app, SBX_LISTEN1, "in_transit", 1)
        heard = _moves_past(changes, quiet)

        # The server ends every session (a restart): the listener reconnects by itself, its
        # version moves (what was sent meanwhile is lost, so readers must re-read) and it hears on.
        pid = changes.backend_pid
        dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        end_sessions(dsn)
        _moves_past(changes, heard)
        assert changes.wait_listening(5.0) and changes.backend_pid != pid
        before = changes.version()
        _courier_event(app, SBX_LISTEN1, "out_for_delivery", 2)
        _moves_past(changes, before)
    finally:
        changes.close()
        app.extensions["perfile"].perfile.close()


def test_sqlite_has_no_push_and_callers_poll(sqlite_url: str) -> None:
    changes = make_order_changes(sqlite_url)
    assert type(changes) is OrderChanges and changes.version() is None
