"""PostNord against a real local HTTP server answering in the documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from werkzeug import Response

from perfile_core.couriers.base import Parcel
from perfile_core.domain.errors import CourierError, NotSupported
from perfile_core.domain.status import Status
from tests.couriers.helpers import pdf_label, pdf_label_b64, sample, shipment

BOOK = "/rest/shipment/v3/edi/labels/pdf"
NUMBER = "00373500454541020957"


def booking_answer() -> dict:
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    return body


def test_book_sends_the_edi_instruction_and_reads_the_inline_label(httpserver, postnord):
    httpserver.expect_oneshot_request(
        BOOK, method="POST", query_string={"apikey": "pn-key", "paperSize": "LABEL"}
    ).respond_with_json(booking_answer())

    booked = postnord.book(shipment("19", reference="order-7-booking-1"))

    assert booked.tracking_number == NUMBER
    assert booked.courier_reference == "3YSFH8NG0LNREZO38UIN68B3RRWL4X"
    assert booked.label_pdf == pdf_label(NUMBER)
    assert booked.tracking_url == f"https://tracking.postnord.com/se/?id={NUMBER}"
    assert booked.estimated_delivery == date(2026, 3, 12)  # rate table: 2 business days
    ((request, _),) = httpserver.log
    sent = json.loads(request.data)
    assert sent["messageId"] == "order-7-booking-1"
    (ship,) = sent["shipment"]
    assert ship["service"]["basicServiceCode"] == "19"
    assert ship["totalGrossWeight"] == {"value": 1.2, "unit": "KGM"}
    assert {"referenceNo": "PF-1", "referenceType": "CU"} in ship["references"]
    consignor, consignee = ship["parties"]["consignor"], ship["parties"]["consignee"]
    assert consignor["partyIdentification"]["partyId"] == "1234567"
    assert consignee["party"]["address"] == {
        "streets": ["Storgatan 1"],
        "postalCode": "41103",
        "city": "Göteborg",
        "countryCode": "SE",
    }
    assert consignee["party"]["contact"]["emailAddress"] == "anna@example.se"


def test_fail_inside_a_200_is_an_error(httpserver, postnord):
    body = booking_answer()
    body["bookingResponse"]["idInformation"][0]["status"] = "FAIL"
    body["bookingResponse"]["idInformation"][0]["messages"] = [{"message": "Invalid postal code 99999"}]
    httpserver.expect_oneshot_request(BOOK, method="POST").respond_with_json(body)
    with pytest.raises(CourierError, match="PostNord refused the shipment: Invalid postal code 99999") as caught:
        postnord.book(shipment())
    assert not caught.value.retryable


def test_4xx_fault_text_reaches_the_operator(httpserver, postnord):
    fault = {"compositeFault": {"faults": [{"faultCode": "API-001", "explanationText": "Weight exceeds 20 kg"}]}}
    httpserver.expect_oneshot_request(BOOK, method="POST").respond_with_json(fault, status=400)
    with pytest.raises(CourierError, match=r"rejected the booking \(HTTP 400\): Weight exceeds 20 kg"):
        postnord.book(shipment())


def test_booking_is_never_retried_but_tracking_is(httpserver, postnord):
    httpserver.expect_request(BOOK, method="POST").respond_with_data("busy", status=503)
    with pytest.raises(CourierError, match="internal error"):
        postnord.book(shipment())
    assert len(httpserver.log) == 1  # a repeated POST could book twice
    path = f"/rest/shipment/v7/trackandtrace/id/{NUMBER}/public"
    httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(path).respond_with_json(
        sample("postnord_trackandtrace_v7_findbyidentifier_response")
    )
    assert len(postnord.track(NUMBER)) == 3


def test_track_parses_events_in_utc_with_deterministic_ids(httpserver, postnord):
    path = f"/rest/shipment/v7/trackandtrace/id/{NUMBER}/public"
    answer = sample("postnord_trackandtrace_v7_findbyidentifier_response")
    httpserver.expect_request(path, query_string={"apikey": "pn-key", "locale": "en"}).respond_with_json(answer)

    first, second = postnord.track(NUMBER), postnord.track(NUMBER)

    assert [e.event_id for e in first] == [e.event_id for e in second]
    assert [e.raw_code for e in first] == ["INFORMED", "EN_ROUTE", "AVAILABLE_FOR_DELIVERY"]
    assert [e.status for e in first] == [Status.CONFIRMED, Status.IN_TRANSIT, Status.READY_FOR_PICKUP]
    assert first[0].occurred_at == datetime(2026, 3, 9, 13, 5, 31, tzinfo=UTC)  # 14:05 in Stockholm (CET)
    assert first[-1].estimated_delivery == date(2026, 3, 12)
    assert first[-1].location == "GÖTEBORG, SE"


def test_cancel_is_not_supported_and_says_what_to_do(postnord):
    from perfile_core.couriers.base import BookedShipment

    with pytest.raises(NotSupported, match="cancel the shipment manually in the PostNord portal"):
        postnord.cancel(BookedShipment("postnord", "19", NUMBER, "x"))
    assert "cancel" not in postnord.capabilities()
    assert {"quote", "book", "track"} <= set(postnord.capabilities())


def test_quotes_come_from_the_rate_table(postnord):
    quotes = postnord.quote(shipment(parcel=Parcel(2500)))
    assert [(q.service, q.price) for q in quotes] == [("19", Decimal("59.00")), ("17", Decimal("97.00"))]
    assert quotes[0].estimated_delivery == date(2026, 3, 12)


def test_timeout_is_reported_with_what_to_check(httpserver, postnord):
    def slow(_request):
        import time

        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_oneshot_request(BOOK, method="POST").respond_with_handler(slow)
    with pytest.raises(CourierError, match=r"did not answer the booking within 1 s.*check the PostNord portal"):
        postnord.book(shipment())
