"""Twenty operators (or double clicks) booking one order at once: exactly one courier booking."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from werkzeug import Response

from perfile_core.db.tables import booking_attempts, orders, shipment_labels
from perfile_core.domain.errors import Conflict
from perfile_core.services.booking import book_order
from tests.actors import person
from tests.booking.conftest import order_factory
from tests.couriers.helpers import pdf_label_b64, sample

BOOK = "/rest/shipment/v3/edi/labels/pdf"


def test_twenty_concurrent_bookings_make_one_courier_booking(pg_db, httpserver, postnord_registry):
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()

    def courier(_request):
        time.sleep(0.3)  # the courier takes its time: the other threads arrive meanwhile
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(BOOK, method="POST").respond_with_handler(courier)
    order_id = order_factory(pg_db)()
    start = threading.Barrier(20)

    def attempt(n: int) -> str:
        start.wait()
        try:
            result = book_order(pg_db, postnord_registry, order_id, "postnord", "19", actor=person(f"op{n}"))
        except Conflict:
            return "conflict"
        return "replayed" if result.replayed else "booked"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    assert sum(1 for request, _ in httpserver.log if request.path == BOOK) == 1
    assert outcomes.count("booked") == 1
    assert set(outcomes) <= {"booked", "conflict", "replayed"}
    with pg_db.connect() as conn:
        numbers = conn.execute(select(orders.c.tracking_number).where(orders.c.id == order_id)).scalars().all()
        statuses = conn.execute(select(booking_attempts.c.status)).scalars().all()
        labels = conn.execute(select(shipment_labels.c.id)).all()
    assert numbers == ["00373500454541020957"]
    assert statuses == ["confirmed"] and len(labels) == 1
    # A rerun afterwards returns the same booking instead of booking again.
    again = book_order(pg_db, postnord_registry, order_id, "postnord", "19", actor=person("late"))
    assert again.replayed and len(httpserver.log) == 1
