"""The receiver's one-statement fast path applies exactly the domain's forward-only rule.

domain/status.py defines the rule; db/forward_only_sql.py restates it as SQL for the fast
path, and domain/courier_ownership.py's rule that couriers move only their own shipments is
restated in db/courier_ownership_sql.py. Random event sequences (every status, informational
events, ties in time, PostNord's context-dependent EN_ROUTE, exceptions with reasons, ETAs,
courier metadata, events from the order's courier and from another, orders of a known and of an
unknown courier, with and without an e-mail address) go through both writers onto twin orders;
the outcomes, the orders (their courier included) and the e-mails they queue must be identical.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from perfile_core.clock import utcnow
from perfile_core.db.direct import DirectConnections
from perfile_core.db.tables import notifications, orders, tracking_events, webhook_inbox
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.tracking_numbers import make_s10
from perfile_core.services import admin
from perfile_core.services.notifications import list_notifications
from perfile_core.services.order_detail import order_detail
from perfile_core.services.orders import attach_tracking, attach_tracking_in, create_order
from perfile_core.services.tracking import EventResult, TrackingEvent, record_event
from perfile_core.services.webhook_fastpath import FastEvent, record_event_fast
from perfile_core.services.webhooks import Delivery
from tests.actors import ADMIN, person
from tests.receiver.helpers import EVENT_COLUMNS, stored_events, typed_number

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
_ids = itertools.count()


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "status": draw(st.sampled_from([*Status, None])),
        "raw_code": draw(st.sampled_from([None, None, "EN_ROUTE"])),  # PostNord: meaning depends on the order
        "minutes": draw(st.integers(0, 4)),  # a small range, so ties happen
        "reason": draw(st.sampled_from([None, *ExceptionReason])),
        "eta": draw(st.sampled_from([None, date(2026, 11, 27), date(2026, 11, 30)])),
        "description": draw(st.sampled_from([None, "Sorted at terminal", "x" * 600])),
        "raw_status": draw(st.sampled_from([None, "EN_ROUTE", "Arrived"])),
        "location": draw(st.sampled_from([None, "Solna, SE"])),
        "metadata": draw(st.sampled_from([{}, {"pickup_point": "Ica Nära"}, {"service": "home", "leg": 2}])),
        "courier": draw(st.sampled_from(["postnord", "postnord", "sandbox"])),  # sandbox: a foreign courier
    }


@pytest.fixture()
def twins(pg_db: Engine, pg_url: str) -> Iterator[tuple[Engine, DirectConnections]]:
    admin.add_store(pg_db, key="manual-store", name="Manual Store", platform="manual", actor=ADMIN)
    direct = DirectConnections(pg_url)
    yield pg_db, direct
    direct.close()


def _order(db: Engine, number: str, email: str | None, courier: str | None = "postnord") -> int:
    """A confirmed order with the tracking number; courier None: a webshop's unknown courier name."""
    customer = {"customer_name": "Kari Nordmann"} | ({"customer_email": email} if email else {})
    order = create_order(db, {"store_key": "manual-store", **customer}, actor=ADMIN)
    if courier is not None:
        attach_tracking(db, order.id, number, courier, actor=person("test"))
    else:
        with db.begin() as conn:
            attach_tracking_in(conn, order.id, number, None, utcnow(), courier_name="Hemleverans Syd")
    return order.id


def _spec(status: Status, description: str) -> dict[str, Any]:
    """One plain main-line event, as `events()` draws them."""
    return {
        "status": status,
        "raw_code": None,
        "minutes": 5,
        "reason": None,
        "eta": None,
        "description": description,
        "raw_status": None,
        "location": None,
        "metadata": {},
        "courier": "postnord",
    }


def _event(spec: dict[str, Any], number: str, event_id: str) -> TrackingEvent:
    return TrackingEvent(
        courier=spec["courier"],
        tracking_number=number,
        event_id=event_id,
        occurred_at=T0 + timedelta(minutes=spec["minutes"]),
        status=spec["status"],
        exception_reason=spec["reason"] if spec["status"] == Status.EXCEPTION else None,
        raw_code=spec["raw_code"],
        raw_status=spec["raw_status"],
        description=spec["description"] and spec["description"][:500],
        location=spec["location"],
        estimated_delivery=spec["eta"],
        metadata=spec["metadata"],
    )


def _mails(db: Engine, order_id: int, order: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = sorted(list_notifications(db, order_id=order_id), key=lambda row: row["id"])
    mask = (order["order_number"], order["tracking_number"])
    return [
        tuple(
            str(row[column]).replace(mask[0], "N").replace(mask[1], "T")
            for column in ("channel", "trigger", "to_address", "subject", "body", "status", "error")
        )
        for row in rows
    ]


def _order_row(db: Engine, order_id: int) -> dict[str, Any]:
    with db.connect() as conn:
        return dict(conn.execute(select(orders).where(orders.c.id == order_id)).mappings().one())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sequence=st.lists(events(), min_size=1, max_size=8),
    email=st.sampled_from([None, "kari@example.com"]),
    courier=st.sampled_from(["postnord", "postnord", None]),  # None: the webshop named an unknown courier
)
def test_fast_path_reaches_the_generic_paths_state_and_emails(
    twins: tuple[Engine, DirectConnections], sequence: list[dict[str, Any]], email: str | None, courier: str | None
) -> None:
    db, direct = twins
    run = next(_ids)
    fast_number, generic_number = make_s10("FP", run, "SE"), make_s10("GP", run, "SE")
    fast_id, generic_id = _order(db, fast_number, email, courier), _order(db, generic_number, email, courier)
    for step, spec in enumerate(sequence):
        now = utcnow()
        event = _event(spec, fast_number, f"fast-{run}-{step}")
        delivery = Delivery(headers={}, body=b"{}", request_id=uuid.uuid4().hex)
        with direct.cursor() as cursor:
            fast = record_event_fast(cursor, FastEvent(event, delivery, f"courier:{spec['courier']}", None, now))
        with db.begin() as conn:
            generic = record_event(conn, _event(spec, generic_number, f"generic-{run}-{step}"), now)
        assert fast is not None and fast.result in (EventResult.APPLIED, EventResult.IGNORED)
        assert (fast.result, fast.detail) == (generic.result, generic.detail), (step, sequence)
        assert (fast.order_id, generic.order_id) == ((fast_id, generic_id) if fast.order_id else (None, None))
    fast_row, generic_row = _order_row(db, fast_id), _order_row(db, generic_id)
    for column in (*EVENT_COLUMNS, "courier"):
        assert fast_row[column] == generic_row[column], (column, sequence)
    assert _mails(db, fast_id, fast_row) == _mails(db, generic_id, generic_row), sequence
    # An ignored event leaves no row; the others are stored alike (linked to the twin or not).
    assert _linked(stored_events(db, fast_number)) == _linked(stored_events(db, generic_number)), sequence


def _linked(events: list[tuple[str, str | None, int | None]]) -> list[tuple[str, str | None, bool]]:
    return [(courier, status, order_id is not None) for courier, status, order_id in events]


def test_outcome_reports_the_status_change_the_statement_made(twins: tuple[Engine, DirectConnections]) -> None:
    db, direct = twins
    number = typed_number("postnord", "FPOUTCOME1")
    order_id = _order(db, number, "kari@example.com")
    spec = _spec(Status.OUT_FOR_DELIVERY, "Out with the driver")
    delivery = Delivery(headers={}, body=b"{}", request_id="r1")
    with direct.cursor() as cursor:
        item = FastEvent(_event(spec, number, "o-1"), delivery, "courier:postnord", None, utcnow())
        outcome = record_event_fast(cursor, item)
        assert record_event_fast(cursor, item) is None  # the same delivery again: a duplicate
    assert outcome is not None
    assert (outcome.result, outcome.order_id) == (EventResult.APPLIED, order_id)
    # (attaching the tracking number confirmed the order)
    assert (outcome.old_status, outcome.new_status) == (Status.CONFIRMED, Status.OUT_FOR_DELIVERY)
    with db.connect() as conn:
        stored = conn.execute(select(notifications).where(notifications.c.order_id == order_id)).mappings().one()
    # Queued inside the statement with the order's facts; the text is composed on first read.
    assert stored["subject"] is None and stored["facts"]["order_status"] == "out_for_delivery"
    (listed,) = list_notifications(db, order_id=order_id)
    assert listed["subject"].endswith("is out for delivery today")
    assert "Kind regards,\nManual Store" in listed["body"]
    # The order page's timeline shows the composed subject too.
    titles = [entry.title for entry in order_detail(db, order_id).timeline if entry.kind == "notification"]
    assert titles == [f"E-mail to kari@example.com: {listed['subject']}"]


def test_an_event_recorded_before_by_polling_stores_the_delivery_and_changes_nothing(
    twins: tuple[Engine, DirectConnections],
) -> None:
    """The statement's INSERTs have no ON CONFLICT: a unique violation undoes all of it; the
    delivery is then stored on its own, and a repeated delivery changes nothing at all."""
    db, direct = twins
    number = typed_number("postnord", "FPPOLLED01")
    order_id = _order(db, number, "kari@example.com")
    spec = _spec(Status.IN_TRANSIT, "Sorted")
    event = _event(spec, number, "shared-id-1")
    with db.begin() as conn:
        record_event(conn, event, utcnow())  # the poller got it first, with the same event id
    before = _order_row(db, order_id)
    delivery = Delivery(headers={}, body=b'{"pushed": true}', request_id="r-polled")
    item = FastEvent(event, delivery, "courier:postnord", None, utcnow())
    with direct.cursor() as cursor:
        outcome = record_event_fast(cursor, item)
        assert outcome is not None and outcome.result is EventResult.DUPLICATE
        assert record_event_fast(cursor, item) is None  # the same delivery again
    with db.connect() as conn:
        stored = conn.execute(
            select(webhook_inbox.c.body, webhook_inbox.c.detail).where(
                webhook_inbox.c.dedupe_key == "postnord:shared-id-1"
            )
        ).all()
        events = conn.execute(select(func.count()).select_from(tracking_events)).scalar_one()
    assert stored == [(b'{"pushed": true}', "event recorded before")]
    assert events == 1
    assert _order_row(db, order_id)["change_cursor"] == before["change_cursor"]
