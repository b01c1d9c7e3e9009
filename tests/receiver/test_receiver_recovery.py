"""After a database outage no delivery pays for a pooled connection that died meanwhile.

Both pools the receiver uses are warmed with several connections each: the courier fast
path's own psycopg pool (db/direct.py, unified events) and SQLAlchemy's (Shopify orders and
every other path). Their server side then goes away; once the database answers again, every
delivery must be accepted on its first try. While it is still away, deliveries answer 503 +
Retry-After at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url

from perfile_core.config import load_settings
from perfile_core.db.engine import make_engine
from perfile_core.db.tables import stores, webhook_inbox
from perfile_core.domain.errors import StorageUnavailable
from perfile_core.services.orders import attach_tracking, create_order
from perfile_core.services.webhooks import run_in_transaction
from receiver import create_app
from tests.actors import ADMIN, person
from tests.receiver.helpers import (
    SANDBOX_SECRET,
    SHOP_DOMAIN,
    SHOPIFY_SECRET,
    configure_shopify_and_sandbox,
    typed_number,
    unified_event,
)
from tests.receiver.outage import end_sessions, other_sessions, until
from tests.receiver.tcp_proxy import TcpProxy
from tests.receiver.webshop_deliveries import shopify_order

WARM = 6  # deliveries of each kind in flight at once: six connections in each pool
T0 = datetime.now(UTC) - timedelta(hours=5)
COURIER_URL = "/webhooks/couriers/sandbox"
SHOPIFY_URL = "/webhooks/shopify"

Delivery = tuple[str, bytes, dict[str, str]]


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pool_number(n: int) -> str:
    return typed_number("sandbox", f"POOL{n}")


def _setup(pg_db: Engine) -> None:
    configure_shopify_and_sandbox(pg_db)
    for n in range(WARM):
        order = create_order(pg_db, {"store_key": "manual-store", "customer_name": "Kari"}, actor=ADMIN)
        attach_tracking(pg_db, order.id, _pool_number(n), "sandbox", actor=person("test"))
    pg_db.dispose()  # from here on, the database's other sessions are the receiver's


def _deliveries(round_: int) -> list[Delivery]:
    """WARM unified courier events (fast path) and WARM Shopify orders (SQLAlchemy's pool)."""
    events = [
        (
            COURIER_URL,
            *unified_event(SANDBOX_SECRET, "sandbox", _pool_number(n), "in_transit", T0 + timedelta(hours=round_)),
        )
        for n in range(WARM)
    ]
    orders = [
        (SHOPIFY_URL, *shopify_order(SHOPIFY_SECRET, SHOP_DOMAIN, 1000 + n, webhook_id=f"round-{round_}-{n}"))
        for n in range(WARM)
    ]
    return events + orders


def _post(app: Flask, delivery: Delivery) -> int:
    url, body, headers = delivery
    return app.test_client().post(url, data=body, headers=headers).status_code


def _warm(app: Flask, dsn: str) -> None:
    """All deliveries of a round in flight at once, so each holds a connection of its pool:
    a lock on the inbox holds them until every one is waiting, then they all go through."""
    deliveries = _deliveries(0)
    with psycopg.connect(dsn) as locker, ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
        locker.execute("LOCK TABLE webhook_inbox IN SHARE MODE")
        answers = [pool.submit(_post, app, delivery) for delivery in deliveries]
        until(lambda: _lock_waiters(dsn) == len(deliveries), "every delivery waits on the inbox")
        locker.commit()
        assert [answer.result() for answer in answers] == [200] * len(deliveries)
    # Six stay in the fast path's pool; SQLAlchemy's keeps pool_size (5) and closes the overflow.
    assert len(other_sessions(dsn)) >= WARM + 5


def _lock_waiters(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return row[0] if row else 0


def _inbox(pg_db: Engine) -> int:
    with pg_db.connect() as conn:
        return conn.execute(select(func.count()).select_from(webhook_inbox)).scalar_one()


def _first_tries(app: Flask, round_: int) -> dict[str, list[int]]:
    """Each next delivery sent once, one after another, as a sender that does not retry."""
    answers: dict[str, list[int]] = {COURIER_URL: [], SHOPIFY_URL: []}
    for delivery in _deliveries(round_):
        answers[delivery[0]].append(_post(app, delivery))
    return answers


def _receiver(url: str) -> Flask:
    # A generous statement timeout: the warm-up holds deliveries behind a lock on purpose.
    return create_app({"SETTINGS": load_settings(database_url=url, webhook_statement_timeout_ms=60_000)})


@contextmanager
def _closing(app: Flask) -> Iterator[Flask]:
    try:
        yield app
    finally:
        app.extensions["perfile"].perfile.close()


def test_connections_the_server_ended_cost_no_delivery_a_503(pg_db: Engine, pg_url: str) -> None:
    """pg_terminate_backend on every receiver session, as a restart or a failover does."""
    _setup(pg_db)
    dsn = _dsn(pg_url)
    with _closing(_receiver(pg_url)) as app:
        _warm(app, dsn)
        assert len(end_sessions(dsn)) >= WARM + 5

        answers = _first_tries(app, 1)

        assert answers == {COURIER_URL: [200] * WARM, SHOPIFY_URL: [200] * WARM}
        assert app.extensions["perfile"].perfile.db.pool._pre_ping is False  # no round trip per checkout
        assert _inbox(pg_db) == 4 * WARM


def test_after_an_outage_every_delivery_is_accepted_on_its_first_try(pg_db: Engine, pg_url: str) -> None:
    """The database unreachable (connections dropped, new ones refused), then back at the same address."""
    _setup(pg_db)
    target = make_url(pg_url)
    proxy = TcpProxy(target.port or 5432)
    app_url = target.set(port=proxy.port).render_as_string(hide_password=False)
    with _closing(_receiver(app_url)) as app:
        _warm(app, _dsn(app_url))
        proxy.cut()
        # During the outage: 503 + Retry-After at once, never a hang (one delivery of each kind).
        for delivery in (_deliveries(1)[0], _deliveries(1)[-1]):
            started = time.monotonic()
            url, body, headers = delivery
            response = app.test_client().post(url, data=body, headers=headers)
            assert response.status_code == 503, (url, response.json)
            assert response.headers["Retry-After"] == "5"
            assert time.monotonic() - started < 2.0
        back = TcpProxy(target.port or 5432, port=proxy.port)  # the database is back at the same address
        try:
            answers = _first_tries(app, 2)
        finally:
            back.cut()

        assert answers == {COURIER_URL: [200] * WARM, SHOPIFY_URL: [200] * WARM}
        assert _inbox(pg_db) == 4 * WARM  # the refused deliveries stored nothing


def test_connections_dropped_without_a_word_cost_at_most_one_delivery(pg_db: Engine, pg_url: str) -> None:
    """A firewall forgot the receiver's connections: nothing shows on their sockets, a client
    learns it when it sends. A transaction that failed before its COMMIT runs again on a fresh
    connection (certain: the server kept nothing of it), so webshop deliveries are accepted at
    once. The fast path's statement commits itself, and the same error follows a server that
    committed it: that one delivery answers 503 (its sender's retry is applied), and its pool
    closes the other idle connections with the broken one, so no other delivery pays."""
    _setup(pg_db)
    target = make_url(pg_url)
    proxy = TcpProxy(target.port or 5432)
    app_url = target.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        with _closing(_receiver(app_url)) as app:
            _warm(app, _dsn(app_url))
            proxy.forget()
            deliveries = _deliveries(1)
            answers: dict[str, list[int]] = {COURIER_URL: [], SHOPIFY_URL: []}
            for delivery in deliveries:
                answers[delivery[0]].append(_post(app, delivery))

            assert answers == {COURIER_URL: [503] + [200] * (WARM - 1), SHOPIFY_URL: [200] * WARM}
            assert _inbox(pg_db) == 4 * WARM - 1  # the refused delivery stored nothing
            assert _post(app, deliveries[0]) == 200  # its sender's retry
            assert _inbox(pg_db) == 4 * WARM
    finally:
        proxy.cut()


def test_a_transaction_runs_again_only_when_its_connection_died_before_commit(pg_db: Engine, pg_url: str) -> None:
    """services.webhooks.run_in_transaction on a real database behind a proxy that forgets
    connections: before COMMIT the work runs once more on a fresh connection; at COMMIT it
    does not (the server may have committed), and the caller gets StorageUnavailable."""
    target = make_url(pg_url)
    proxy = TcpProxy(target.port or 5432)
    engine = make_engine(target.set(port=proxy.port).render_as_string(hide_password=False), pre_ping=False)
    runs: list[str] = []

    def add_store(key: str, *, forget_before_commit: bool = False) -> Callable[[Connection], None]:
        def work(conn: Connection) -> None:
            runs.append(key)
            conn.execute(stores.insert().values(key=key, name=key, platform="manual", created_at=T0))
            if forget_before_commit:
                proxy.forget()

        return work

    try:
        with engine.connect():
            pass  # one pooled connection
        proxy.forget()
        run_in_transaction(engine, add_store("before-commit"))
        assert runs == ["before-commit", "before-commit"]

        with pytest.raises(StorageUnavailable):
            run_in_transaction(engine, add_store("at-commit", forget_before_commit=True))
        assert runs[2:] == ["at-commit"]
    finally:
        engine.dispose()
        proxy.cut()
    with pg_db.connect() as conn:
        assert conn.execute(select(stores.c.key)).scalars().all() == ["before-commit"]
