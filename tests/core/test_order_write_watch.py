"""Committed order writes are handed on (to NOTIFY and this process's listener); rolled back ones are not."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.db.order_writes import watch_order_writes
from perfile_core.db.orders_repo import update_order
from perfile_core.domain.errors import PerfileError
from perfile_core.services import admin
from perfile_core.services.orders import attach_tracking, create_order
from tests.actors import ADMIN, person

CUSTOMER = {"store_key": "watch-store", "customer_name": "Kari"}


def test_committed_writes_are_handed_on_once_and_rolled_back_ones_never(db: Engine) -> None:
    admin.add_store(db, key="watch-store", name="Watch", platform="manual", actor=ADMIN)
    heard: list[set[int]] = []
    watch_order_writes(db, heard.append)
    order = create_order(db, CUSTOMER, actor=ADMIN)
    assert heard == [{order.id}]
    with pytest.raises(PerfileError):
        attach_tracking(db, order.id, "abc", "postnord", actor=person("test"))  # refused: rolled back
    with pytest.raises(RuntimeError), db.begin() as conn:
        update_order(conn, order.id, {"customer_name": "Never"}, utcnow())
        raise RuntimeError("the use case failed after writing")
    assert heard == [{order.id}]
    with db.connect() as conn:  # rolled back, then a read-only transaction on the same connection
        update_order(conn, order.id, {"customer_name": "Never"}, utcnow())
        conn.rollback()
        conn.exec_driver_sql("SELECT 1")
        conn.commit()
    assert heard == [{order.id}]
