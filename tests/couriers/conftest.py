from __future__ import annotations

import pytest
import requests

from perfile_core.couriers.postnord.adapter import PostNordCourier
from perfile_core.couriers.postnord.client import PostNordClient
from perfile_core.couriers.postnord.settings import PostNordSettings

RATES = [
    {
        "service": "17",
        "countries": ["SE"],
        "max_weight_grams": 20000,
        "price": "89.00",
        "per_kg_over_1": "4.00",
        "currency": "SEK",
        "transit_days": 2,
    },
    {
        "service": "19",
        "countries": ["SE"],
        "max_weight_grams": 20000,
        "price": "59.00",
        "currency": "SEK",
        "transit_days": 2,
    },
    {
        "service": "19",
        "countries": ["NO", "DK", "FI"],
        "max_weight_grams": 20000,
        "price": "149.00",
        "currency": "SEK",
        "transit_days": 4,
    },
]


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture
def postnord(httpserver, session) -> PostNordCourier:
    settings = PostNordSettings(
        api_key="pn-key",
        base_url=httpserver.url_for(""),
        customer_number="1234567",
        rates=RATES,
        timeout=1.0,
        retries=1,
    )
    return PostNordCourier(PostNordClient(settings, session))


@pytest.fixture
def bring(httpserver, session):
    from perfile_core.couriers.bring.adapter import BringCourier
    from perfile_core.couriers.bring.client import BringClient
    from perfile_core.couriers.bring.settings import BringSettings

    settings = BringSettings(
        uid="ops@coffee.se",
        api_key="bring-key",
        customer_number="PARCELS_NORWAY-100",
        client_url="https://perfile.example",
        base_url=httpserver.url_for(""),
        timeout=1.0,
        retries=1,
    )
    return BringCourier(BringClient(settings, session))
