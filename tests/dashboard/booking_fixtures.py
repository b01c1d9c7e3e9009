"""A database with bookable orders, the sandbox courier and a PostNord account pointed at a
local server speaking PostNord's format, served to the dashboard through the environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from perfile_core.db.engine import make_engine
from perfile_core.services import admin
from perfile_core.services.booking_status import order_to_book
from tests.actors import ADMIN
from tests.booking.conftest import order_factory
from tests.couriers.conftest import RATES

APP = str(Path(__file__).with_name("dialog_page.py"))
POSTNORD_BOOK = "/rest/shipment/v3/edi/labels/pdf"


def serve_booking_db(url: str, monkeypatch: pytest.MonkeyPatch, postnord_url: str | None) -> Iterator[Engine]:
    engine = make_engine(url)
    admin.configure_courier(engine, "sandbox", actor=ADMIN)
    if postnord_url is not None:
        admin.configure_courier(
            engine,
            "postnord",
            api_key="pn-key",
            base_url=postnord_url,
            settings={"customer_number": "1234567", "rates": RATES},
            actor=ADMIN,
        )
    monkeypatch.setenv("PERFILE_DATABASE_URL", url)
    monkeypatch.setenv("PERFILE_SMTP_HOST", "")
    monkeypatch.setenv("PERFILE_COURIER_TIMEOUT_SECONDS", "1")
    from ui.context import perfile

    perfile.clear()
    yield engine
    perfile().close()
    perfile.clear()
    engine.dispose()


def open_app(name: str, order_ids: list[int]) -> AppTest:
    from ui.dialogs import OPEN_DIALOG_KEY, OpenDialog

    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[OPEN_DIALOG_KEY] = OpenDialog(name, order_ids)
    return at.run()


def tracking_of(engine: Engine, order_id: int) -> str | None:
    return order_to_book(engine, order_id).tracking_number


def make_orders(engine: Engine) -> Callable[..., int]:
    return order_factory(engine)
