"""Bring against a real local HTTP server answering in the documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from werkzeug import Response

from perfile_core.couriers.base import BookedShipment
from perfile_core.domain.errors import CourierError
from perfile_core.domain.status import Status
from tests.couriers.helpers import pdf_label, sample, shipment

HEADERS = {
    "X-MyBring-API-Uid": "ops@coffee.se",
    "X-MyBring-API-Key": "bring-key",
    "X-Bring-Client-URL": "https://perfile.example",
}
CONSIGNMENT = "70438101268018539"


def test_quote_asks_the_shipping_guide_for_our_products(httpserver, bring):
    answer = sample("bring_shippingguide_v2_products_response")
    answer["consignments"][0]["products"][0]["expectedDelivery"] = {
        "workingDays": "2",
        "expectedDeliveryDate": {"year": "2026", "month": "03", "day": "12"},
    }
    httpserver.expect_oneshot_request(
        "/shippingguide/api/v2/products", method="POST", headers=HEADERS
    ).respond_with_json(answer)

    (quote,) = bring.quote(shipment("PICKUP_PARCEL"))

    assert (quote.service, quote.service_name, quote.delivery_type) == (
        "PICKUP_PARCEL",
        "Til hentested",
        "service_point",
    )
    assert (quote.price, quote.currency) == (Decimal("129.00"), "NOK")
    assert (quote.estimated_delivery, quote.transit_days) == (date(2026, 3, 12), 2)
    ((request, _),) = httpserver.log
    sent = json.loads(request.data)
    assert sent["withPrice"] and sent["withExpectedDelivery"]
    (consignment,) = sent["consignments"]
    assert (consignment["fromPostalCode"], consignment["toPostalCode"], consignment["toCountryCode"]) == (
        "11147",
        "41103",
        "SE",
    )
    assert consignment["packages"][0]["grossWeight"] == 1200
    assert [p["id"] for p in consignment["products"]] == ["5600", "5800", "5000"]


def test_book_follows_the_label_redirect(httpserver, bring):
    answer = sample("bring_booking_response")
    label_url = httpserver.url_for("/booking/labels/2968466") + "?auth-token=t0k3n"
    answer["consignments"][0]["confirmation"]["links"]["labels"] = label_url
    httpserver.expect_oneshot_request("/booking/api/booking", method="POST", headers=HEADERS).respond_with_json(answer)
    httpserver.expect_oneshot_request("/booking/labels/2968466", query_string="auth-token=t0k3n").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/storage/label-2968466.pdf")})
    )
    httpserver.expect_oneshot_request("/storage/label-2968466.pdf").respond_with_data(
        pdf_label(CONSIGNMENT), content_type="application/pdf"
    )

    booked = bring.book(shipment("HOME_DELIVERY_PARCEL", reference="order-9-booking-1"))

    assert booked.tracking_number == CONSIGNMENT
    assert booked.label_pdf == pdf_label(CONSIGNMENT)
    assert booked.estimated_delivery == date(2026, 3, 12)  # 1773309600000 ms, Oslo calendar day
    assert booked.tracking_url == f"http://sporing.bring.no/sporing.html?q={CONSIGNMENT}"
    assert booked.metadata["bring_package_numbers"] == ["370438101268058536"]
    booking_request = httpserver.log[0][0]
    sent = json.loads(booking_request.data)["consignments"][0]
    assert sent["correlationId"] == "order-9-booking-1"
    assert sent["product"] == {"id": "5600", "customerNumber": "PARCELS_NORWAY-100"}
    assert sent["packages"][0]["weightInKg"] == 1.2
    assert sent["parties"]["recipient"]["postalCode"] == "41103"
    # The storage host never sees our API key.
    assert "X-MyBring-API-Key" not in httpserver.log[2][0].headers


def test_booking_errors_inside_the_answer(httpserver, bring):
    body = {
        "consignments": [
            {
                "confirmation": None,
                "correlationId": "x",
                "errors": [
                    {
                        "uniqueId": "1",
                        "code": "BOOK-INPUT-010",
                        "messages": [{"lang": "en", "message": "Invalid postal code"}],
                    }
                ],
            }
        ]
    }
    httpserver.expect_oneshot_request("/booking/api/booking", method="POST").respond_with_json(body, status=400)
    with pytest.raises(CourierError, match=r"rejected the booking \(HTTP 400\): Invalid postal code"):
        bring.book(shipment("PICKUP_PARCEL"))
    httpserver.expect_oneshot_request("/booking/api/booking", method="POST").respond_with_json(body)
    with pytest.raises(CourierError, match="Bring refused the shipment: Invalid postal code"):
        bring.book(shipment("PICKUP_PARCEL"))


def test_track(httpserver, bring):
    answer = {
        "consignmentSet": [
            {
                "consignmentId": CONSIGNMENT,
                "packageSet": [
                    {
                        "packageNumber": "370438101268058536",
                        "eventSet": [
                            {
                                "description": "Delivered",
                                "status": "DELIVERED",
                                "dateIso": "2026-03-12T14:02:00+01:00",
                                "city": "OSLO",
                                "postalCode": "0150",
                                "countryCode": "NO",
                            },
                            {
                                "description": "Handed in",
                                "status": "HANDED_IN",
                                "dateIso": "2026-03-10T16:00:00+01:00",
                                "city": "STOCKHOLM",
                                "countryCode": "SE",
                            },
                        ],
                    }
                ],
            }
        ]
    }
    httpserver.expect_request(
        "/tracking/api/v2/tracking.json", query_string={"q": CONSIGNMENT}, headers=HEADERS
    ).respond_with_json(answer)
    events = bring.track(CONSIGNMENT)
    assert [e.status for e in events] == [Status.PICKED_UP, Status.DELIVERED]
    assert events[1].occurred_at == datetime(2026, 3, 12, 13, 2, tzinfo=UTC)
    assert [e.event_id for e in events] == [e.event_id for e in bring.track(CONSIGNMENT)]


def test_cancel_sends_the_consignment_number(httpserver, bring):
    httpserver.expect_oneshot_request(
        "/booking-api/api/booking/cancel", method="POST", headers=HEADERS
    ).respond_with_json({})
    bring.cancel(BookedShipment("bring", "PICKUP_PARCEL", CONSIGNMENT, CONSIGNMENT))
    assert json.loads(httpserver.log[0][0].data) == {
        "consignmentNumber": CONSIGNMENT,
        "customerNumber": "PARCELS_NORWAY-100",
    }
    assert {"quote", "book", "label", "track", "cancel", "parse_webhook"} <= set(bring.capabilities())
