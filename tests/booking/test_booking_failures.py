"""Courier failure modes: each leaves the order unchanged and tells the operator what to do."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text, update
from werkzeug import Response

from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import booking_attempts
from perfile_core.domain.errors import Conflict, CourierError, StorageUnavailable
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from tests.actors import person
from tests.couriers.helpers import pdf_label_b64, sample

BOOK = "/rest/shipment/v3/edi/labels/pdf"


def answer() -> dict:
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    return body


def fail_inside_200() -> dict:
    body = answer()
    body["bookingResponse"]["idInformation"][0].update(status="FAIL", messages=[{"message": "Unknown postcode"}])
    return body


def _slow(_request):
    time.sleep(1.5)
    return Response("{}", content_type="application/json")


FAILURES = {
    "timeout": (
        lambda r: r.respond_with_handler(_slow),
        r"did not answer the booking within 1 s\. The order was not changed, but PostNord may have "
        r"created the shipment: check the PostNord portal",
    ),
    "5xx": (
        lambda r: r.respond_with_data("<html>Bad gateway</html>", status=502),
        r"PostNord had an internal error during the booking \(HTTP 502\).*try again in a few minutes",
    ),
    "4xx with error body": (
        lambda r: r.respond_with_json(
            {"compositeFault": {"faults": [{"faultCode": "E1", "explanationText": "consignee.postalCode invalid"}]}},
            status=400,
        ),
        r"rejected the booking \(HTTP 400\): consignee.postalCode invalid\. Correct the order",
    ),
    "malformed JSON": (
        lambda r: r.respond_with_data("{not json", content_type="application/json"),
        r"could not read PostNord's booking answer: its answer is not JSON\. PostNord may have",
    ),
    "FAIL inside 200": (
        lambda r: r.respond_with_json(fail_inside_200()),
        r"PostNord refused the shipment: Unknown postcode\. The order was not changed",
    ),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_failure_leaves_order_unchanged(db, httpserver, postnord_registry, make_order, failure):
    respond, message = FAILURES[failure]
    respond(httpserver.expect_oneshot_request(BOOK, method="POST"))
    order_id = make_order()
    with db.connect() as conn:
        before = get_order(conn, order_id)

    with pytest.raises(CourierError, match=message):
        book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))

    with db.connect() as conn:
        assert get_order(conn, order_id) == before
        attempt = conn.execute(select(booking_attempts)).one()
    assert attempt.status == "failed" and attempt.error and attempt.finished_at is not None
    # The operator can book again right away (a new attempt, a new courier call).
    httpserver.expect_oneshot_request(BOOK, method="POST").respond_with_json(answer())
    assert book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops")).tracking_number


@contextmanager
def database_refuses(db, table: str, column: str, when: str) -> Iterator[None]:
    """The database itself fails an UPDATE of `column` matching `when` (a trigger), as a full
    disk or a dropped connection would: no stand-in for our own code."""
    sqlite = db.dialect.name == "sqlite"
    with db.begin() as conn:
        if sqlite:
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE UPDATE OF {column} ON {table} FOR EACH ROW WHEN {when}"
                    " BEGIN SELECT RAISE(ABORT, 'storage failed'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
                    " AS $$ BEGIN RAISE EXCEPTION 'storage failed'; END $$"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE UPDATE OF {column} ON {table} FOR EACH ROW WHEN ({when})"
                    " EXECUTE FUNCTION refuse()"
                )
            )
    try:
        yield
    finally:
        with db.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse" if sqlite else f"DROP TRIGGER refuse ON {table}"))
            if not sqlite:
                conn.execute(text("DROP FUNCTION refuse()"))


def test_courier_booked_but_our_write_failed_is_finished_not_rebooked(db, httpserver, postnord_registry, make_order):
    httpserver.expect_request(BOOK, method="POST").respond_with_json(answer())
    order_id = make_order()
    with (
        database_refuses(db, "orders", "tracking_number", "NEW.tracking_number IS NOT NULL"),
        pytest.raises(StorageUnavailable, match="book it again"),
    ):
        book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))
    with db.connect() as conn:
        assert get_order(conn, order_id).order_status == Status.PENDING
        assert conn.execute(select(booking_attempts.c.status)).scalar_one() == "booked"

    result = book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))

    assert len(httpserver.log) == 1  # finished from the stored answer: no second booking
    with db.connect() as conn:
        order = get_order(conn, order_id)
    assert order.order_status == Status.CONFIRMED and order.tracking_number == result.tracking_number
    assert order.has_label


def test_abandoned_attempt_is_found_at_the_sandbox_or_reported(
    db, registry, sandbox, postnord_registry, make_order, httpserver
):
    def answer_lost():  # the courier booked; saving its answer fails
        return database_refuses(db, "booking_attempts", "status", "NEW.status = 'booked'")

    order_id = make_order()
    with answer_lost(), pytest.raises(StorageUnavailable, match="could not save it"):
        book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    with pytest.raises(Conflict, match="being booked right now"):
        book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    _age_attempts(db)
    result = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    assert sandbox.book_calls == 1 and not result.replayed  # found by reference, not booked again

    # PostNord cannot be asked: the operator is told to check its portal, then may book again.
    other = make_order()
    httpserver.expect_request(BOOK, method="POST").respond_with_json(answer())
    with answer_lost(), pytest.raises(StorageUnavailable, match="could not save it"):
        book_order(db, postnord_registry, other, "postnord", "19", actor=person("ops"))
    _age_attempts(db)
    with pytest.raises(Conflict, match=r"Check the PostNord portal for that reference"):
        book_order(db, postnord_registry, other, "postnord", "19", actor=person("ops"))
    assert book_order(db, postnord_registry, other, "postnord", "19", actor=person("ops")).tracking_number


def _age_attempts(db) -> None:
    from datetime import timedelta

    from perfile_core.clock import utcnow

    with db.begin() as conn:
        conn.execute(
            update(booking_attempts)
            .where(booking_attempts.c.status == "started")
            .values(created_at=utcnow() - timedelta(hours=1))
        )
