"""What only PostgreSQL can prove: concurrent deliveries, NOTIFY, and a database outage."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from perfile_core.config import load_settings
from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.db.notify import PostgresChangeNotifier
from perfile_core.db.tables import orders, tracking_events, webhook_inbox
from perfile_core.services import admin
from perfile_core.services.notifications import list_notifications
from perfile_core.services.orders import attach_tracking, create_order
from receiver import create_app
from tests.actors import ADMIN, person
from tests.receiver.helpers import (
    EVENT_COLUMNS,
    SANDBOX_SECRET,
    bring_sample,
    configure_shopify_and_sandbox,
    counts,
    load_sample,
    order_row,
    typed_number,
    unified_event,
)
from tests.receiver.outage import end_sessions
from tests.receiver.tcp_proxy import TcpProxy

# Numbers typed for an order must be in the courier's format: the sandbox books SSCCs.
SBX_CONC1 = tracking_number_for("CONC1")
SBX_CONC2 = tracking_number_for("CONC2")
SBX_LOCKED1 = tracking_number_for("LOCKED1")
SBX_NOTIFY1 = tracking_number_for("NOTIFY1")
SBX_OUTAGE1 = tracking_number_for("OUTAGE1")
SBX_SERIAL2 = tracking_number_for("SERIAL2")

T0 = datetime.now(UTC) - timedelta(hours=5)


def _order(pg_db: Engine, number: str) -> int:
    order = create_order(pg_db, {"store_key": "manual-store", "customer_name": "Kari"}, actor=ADMIN)
    attach_tracking(pg_db, order.id, number, "sandbox", actor=person("test"))
    return order.id


def _post_all(app, url: str, deliveries: list[tuple[bytes, dict]]) -> list:  # type: ignore[no-untyped-def, type-arg]
    def send(item):  # type: ignore[no-untyped-def]
        response = app.test_client().post(url, data=item[0], headers=item[1])
        return response.status_code, response.json

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(send, deliveries))


def test_the_same_event_from_many_threads_is_applied_once(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    order_id = _order(pg_db, SBX_CONC1)
    cursor = order_row(pg_db, id=order_id)["change_cursor"]
    app = create_app({"DATABASE_URL": pg_url})
    delivery = unified_event(SANDBOX_SECRET, "sandbox", SBX_CONC1, "in_transit", T0, event_id="evt-same")
    results = _post_all(app, "/webhooks/couriers/sandbox", [delivery] * 16)
    statuses = sorted(body["status"] for code, body in results if code == 200)
    assert statuses == ["accepted"] + ["duplicate"] * 15
    with pg_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tracking_events)).scalar() == 1
        new_cursor = conn.execute(select(orders.c.change_cursor).where(orders.c.id == order_id)).scalar()
    assert new_cursor > cursor
    app.extensions["perfile"].perfile.close()


def test_concurrent_different_events_for_one_order_lose_nothing(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    _order(pg_db, SBX_CONC2)
    _order(pg_db, SBX_SERIAL2)
    app = create_app({"DATABASE_URL": pg_url})
    steps = [("picked_up", 1), ("in_transit", 2), ("exception", 3), ("out_for_delivery", 4), ("delivered", 5)]

    def events(number: str) -> list:  # type: ignore[type-arg]
        return [
            unified_event(
                SANDBOX_SECRET,
                "sandbox",
                number,
                status,
                T0 + timedelta(hours=hours),
                event_id=f"{number}-{hours}",
                exception_reason="delayed" if status == "exception" else None,
            )
            for status, hours in steps
        ]

    for body, headers in events(SBX_SERIAL2):
        app.test_client().post("/webhooks/couriers/sandbox", data=body, headers=headers)
    results = _post_all(app, "/webhooks/couriers/sandbox", events(SBX_CONC2) * 3)
    app.extensions["perfile"].perfile.close()
    # Each of the 5 events is stored and acknowledged as new exactly once; its 2 repeats are duplicates.
    assert sorted(body["status"] for code, body in results if code == 200) == ["accepted"] * 5 + ["duplicate"] * 10
    sent_ids = sorted(f"{SBX_CONC2}-{hours}" for _, hours in steps)
    with pg_db.connect() as conn:
        stored = conn.execute(
            select(tracking_events.c.event_id, tracking_events.c.applied_at).where(
                tracking_events.c.tracking_number == SBX_CONC2
            )
        ).all()
        inbox = conn.execute(
            select(webhook_inbox.c.dedupe_key, webhook_inbox.c.result).where(
                webhook_inbox.c.dedupe_key.like(f"%{SBX_CONC2}-%")
            )
        ).all()
    assert sorted(row.event_id for row in stored) == sent_ids
    assert all(row.applied_at is not None for row in stored)
    assert len(inbox) == 5 and {row.result for row in inbox} == {"accepted"}, inbox
    concurrent, serial = (
        order_row(pg_db, tracking_number=SBX_CONC2),
        order_row(pg_db, tracking_number=SBX_SERIAL2),
    )
    for column in EVENT_COLUMNS:
        assert concurrent[column] == serial[column], column


def test_concurrent_creates_of_one_webshop_order_make_one_order(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    app = create_app({"DATABASE_URL": pg_url})
    sample = load_sample("shopify_orders_create_with_tracking")
    deliveries = [(sample.body, {**sample.headers, "X-Shopify-Webhook-Id": f"retry-{n}"}) for n in range(8)]
    results = _post_all(app, "/webhooks/shopify", deliveries)
    assert all(code == 200 for code, _ in results), results
    assert counts(pg_db)["orders"] == 1
    app.extensions["perfile"].perfile.close()


def test_applied_changes_notify_listeners_on_commit(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    order_id = _order(pg_db, SBX_NOTIFY1)
    app = create_app({"DATABASE_URL": pg_url})
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN perfile_orders")
        body, headers = unified_event(SANDBOX_SECRET, "sandbox", SBX_NOTIFY1, "in_transit", T0)
        assert app.test_client().post("/webhooks/couriers/sandbox", data=body, headers=headers).status_code == 200
        received = [note.payload for note in listener.notifies(timeout=2.0, stop_after=1)]
    assert received == [str(order_id)]
    app.extensions["perfile"].perfile.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_unreachable_gives_503_with_retry_after() -> None:
    app = create_app({"DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/perfile"})
    client = app.test_client()
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", "SBX1", "in_transit", T0)
    response = client.post("/webhooks/couriers/sandbox", data=body, headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["error"] == "storage_unavailable"
    assert client.get("/readyz").status_code == 503
    sample = load_sample("shopify_orders_create_no_tracking")
    assert client.post("/webhooks/shopify", data=sample.body, headers=sample.headers).status_code == 503
    app.extensions["perfile"].perfile.close()


def test_database_lost_while_running_acknowledges_nothing_unstored(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    _order(pg_db, SBX_OUTAGE1)
    url = make_url(pg_url)
    proxy = TcpProxy(url.port or 5432)
    app = create_app({"DATABASE_URL": url.set(port=proxy.port).render_as_string(hide_password=False)})
    client = app.test_client()
    first = unified_event(SANDBOX_SECRET, "sandbox", SBX_OUTAGE1, "picked_up", T0)
    assert client.post("/webhooks/couriers/sandbox", data=first[0], headers=first[1]).json == {"status": "accepted"}
    before = counts(pg_db)
    proxy.cut()
    second = unified_event(SANDBOX_SECRET, "sandbox", SBX_OUTAGE1, "in_transit", T0 + timedelta(hours=1))
    response = client.post("/webhooks/couriers/sandbox", data=second[0], headers=second[1])
    assert response.status_code == 503, response.json
    assert "Retry-After" in response.headers
    assert counts(pg_db) == before
    assert order_row(pg_db, tracking_number=SBX_OUTAGE1)["order_status"] == "picked_up"
    app.extensions["perfile"].perfile.close()
    assert json.loads(response.data)["request_id"]


def test_fast_path_and_generic_record_event_reach_the_same_state(pg_db: Engine, pg_url: str) -> None:
    """The receiver's PostgreSQL fast path against services.tracking.record_event, same events."""
    import random

    from perfile_core.clock import utcnow
    from perfile_core.couriers.formats import standard_webhooks

    configure_shopify_and_sandbox(pg_db)
    admin.configure_courier(pg_db, "postnord", webhook_secret=SANDBOX_SECRET, actor=ADMIN)
    app = create_app({"DATABASE_URL": pg_url})
    client = app.test_client()
    rng = random.Random(7)
    statuses = [
        "confirmed",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "ready_for_pickup",
        "delivered",
        "exception",
        "returned",
        None,
    ]
    for round_ in range(6):
        courier = "postnord" if round_ % 2 else "sandbox"
        fast, generic = typed_number(courier, f"FAST{round_}"), typed_number(courier, f"GENERIC{round_}")
        ids = {}
        for number in (fast, generic):
            customer = {"customer_name": "Kari"} | ({"customer_email": "kari@example.com"} if round_ % 3 else {})
            order = create_order(pg_db, {"store_key": "manual-store", **customer}, actor=ADMIN)
            attach_tracking(pg_db, order.id, number, courier, actor=person("test"))
            ids[number] = (order.id, order.order_number)
        for step in range(rng.randint(3, 9)):
            status = rng.choice(statuses)
            extra = (
                {"exception_reason": rng.choice(["delayed", "failed_attempt", "damaged"])}
                if status == "exception"
                else {}
            )
            when = T0 + timedelta(minutes=rng.randint(0, 600))
            extra |= {
                "raw_status": rng.choice(["EN_ROUTE", "X"]),
                "estimated_delivery": f"2026-12-0{rng.randint(1, 9)}",
                "description": f"step {step}",
                "location": {"city": "Solna", "country_code": "SE"},
            }
            body, headers = unified_event(
                SANDBOX_SECRET, courier, fast, status, when, event_id=f"f{round_}-{step}", **extra
            )
            assert client.post(f"/webhooks/couriers/{courier}", data=body, headers=headers).status_code == 200
            payload = json.loads(body)
            payload["data"]["tracking_number"] = generic
            event = standard_webhooks.parse_event(courier, f"g{round_}-{step}", payload)
            assert event is not None
            from perfile_core.services.tracking import record_event

            with pg_db.begin() as conn:
                record_event(conn, event, utcnow())
        a, b = order_row(pg_db, tracking_number=fast), order_row(pg_db, tracking_number=generic)
        for column in EVENT_COLUMNS:
            assert a[column] == b[column], (round_, column)
        # The fast path's outbox e-mails are the ones the generic path queues (same composer).
        assert _mails(pg_db, *ids[fast], fast) == _mails(pg_db, *ids[generic], generic), round_
    app.extensions["perfile"].perfile.close()


def _mails(db: Engine, order_id: int, order_number: str, tracking_number: str) -> list[tuple[object, ...]]:
    rows = sorted(list_notifications(db, order_id=order_id), key=lambda row: row["id"])
    return [
        tuple(
            str(row[column]).replace(order_number, "N").replace(tracking_number, "T")
            for column in ("channel", "trigger", "to_address", "subject", "body", "status", "error")
        )
        for row in rows
    ]


def test_changes_close_together_reach_listeners_coalesced_after_commit(pg_db: Engine, pg_url: str) -> None:
    """Writers hand changed ids to the notifier after commit; it sends what arrives while it
    pauses between batches as one notification, so NOTIFY never serializes the writers."""
    notifier = PostgresChangeNotifier(pg_url, interval=0.3)
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN perfile_orders")
        for order_id in (1, 2, 3, 4, 5, 6):
            notifier.orders_changed([order_id])
        assert notifier.flush(timeout=5.0)
        received = [note.payload for note in listener.notifies(timeout=1.0)]
        notifier.close()
    ids = [int(value) for payload in received for value in payload.split(",")]
    assert sorted(ids) == [1, 2, 3, 4, 5, 6]
    assert len(received) <= 2, received  # the first id at once, the rest in the next batch


def test_notifier_survives_a_lost_connection(pg_db: Engine, pg_url: str) -> None:
    """A connection the server ended while idle is replaced before the next batch, so that
    batch reaches listeners too (a send that fails midway is dropped with a warning)."""
    notifier = PostgresChangeNotifier(pg_url, interval=0.01)
    notifier.orders_changed([1])
    assert notifier.flush(timeout=5.0)
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    end_sessions(dsn)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN perfile_orders")
        notifier.orders_changed([2])
        assert notifier.flush(timeout=5.0)
        notifier.orders_changed([3])
        assert notifier.flush(timeout=5.0)
        received = [note.payload for note in listener.notifies(timeout=1.0)]
        notifier.close()
    assert received == ["2", "3"]


def test_a_delivery_stuck_behind_a_lock_answers_503_in_time_and_stores_nothing(pg_db: Engine, pg_url: str) -> None:
    """Senders give up after a few seconds: past the statement timeout the receiver answers
    503 + Retry-After, stores nothing, and the retry goes through once the lock is gone."""
    configure_shopify_and_sandbox(pg_db)
    order_id = _order(pg_db, SBX_LOCKED1)
    admin.configure_courier(pg_db, "bring", webhook_secret="bring-secret", actor=ADMIN)
    _order_with_courier(pg_db, "70438101268018539", "bring")
    settings = load_settings(database_url=pg_url, webhook_statement_timeout_ms=300)
    app = create_app({"SETTINGS": settings})
    client = app.test_client()
    unified = unified_event(SANDBOX_SECRET, "sandbox", SBX_LOCKED1, "in_transit", T0)
    bring = (json.dumps(bring_sample()).encode(), {"X-Perfile-Secret": "bring-secret"})
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    before = counts(pg_db)
    pool = ThreadPoolExecutor(max_workers=1)
    with psycopg.connect(dsn) as locker:  # an operator's long transaction holding the orders
        locker.execute("SELECT id FROM orders FOR UPDATE").fetchall()
        try:
            for url, (body, headers) in (("/webhooks/couriers/sandbox", unified), ("/webhooks/couriers/bring", bring)):
                # Without a timeout the request would wait for the lock: fail, don't hang.
                response = pool.submit(client.post, url, data=body, headers=headers).result(timeout=3.0)
                assert response.status_code == 503, (url, response.json)
                assert response.headers["Retry-After"] == "5"
            assert counts(pg_db) == before
        finally:
            locker.rollback()  # lets a stuck request finish before the pool is shut down
            pool.shutdown()
    for url, (body, headers) in (("/webhooks/couriers/sandbox", unified), ("/webhooks/couriers/bring", bring)):
        assert client.post(url, data=body, headers=headers).json == {"status": "accepted"}
    assert order_row(pg_db, id=order_id)["order_status"] == "in_transit"
    app.extensions["perfile"].perfile.close()


def _order_with_courier(pg_db: Engine, number: str, courier: str) -> int:
    order = create_order(pg_db, {"store_key": "manual-store", "customer_name": "Kari"}, actor=ADMIN)
    attach_tracking(pg_db, order.id, number, courier, actor=person("test"))
    return order.id
