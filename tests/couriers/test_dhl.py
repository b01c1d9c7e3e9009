"""DHL unified tracking against a real local server: track only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from perfile_core.couriers.dhl.adapter import DhlCourier
from perfile_core.couriers.dhl.client import DhlClient
from perfile_core.couriers.dhl.settings import DhlSettings
from perfile_core.domain.errors import NotSupported
from perfile_core.domain.status import Status
from tests.couriers.helpers import sample, shipment

NUMBER = "00340434292135100124"


@pytest.fixture
def dhl(httpserver, session) -> DhlCourier:
    return DhlCourier(DhlClient(DhlSettings("dhl-key", httpserver.url_for(""), timeout=1.0, retries=1), session))


def test_track(httpserver, dhl):
    httpserver.expect_request(
        "/track/shipments", query_string={"trackingNumber": NUMBER}, headers={"DHL-API-Key": "dhl-key"}
    ).respond_with_json(sample("dhl_unified_tracking_response"))
    events = dhl.track(NUMBER)
    assert [e.status for e in events] == [Status.CONFIRMED, Status.IN_TRANSIT]
    assert events[1].occurred_at == datetime(2026, 3, 11, 6, 41, tzinfo=UTC)
    assert events[1].location == "Vantaa, FI" and events[1].estimated_delivery == date(2026, 3, 12)


def test_unknown_number_is_no_events(httpserver, dhl):
    httpserver.expect_request("/track/shipments").respond_with_json(
        {"title": "No result found", "status": 404, "detail": "No shipment with given tracking number found."},
        status=404,
    )
    assert dhl.track("JVGL0000000000000001") == []


def test_dhl_is_track_only(dhl):
    assert dhl.capabilities() == ["track", "parse_webhook"]
    for call in (lambda: dhl.book(shipment()), lambda: dhl.quote(shipment())):
        with pytest.raises(NotSupported, match="DHL does not support"):
            call()
