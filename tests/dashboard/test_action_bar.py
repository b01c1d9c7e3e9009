"""The Orders page's action bar in AppTest: each action's state per status, the notification
result, and a selection that follows its order (by id) through ticks, filters and deletion."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from perfile_core.clock import utcnow
from perfile_core.config import load_settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.domain.order import Order, OrderAction
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.orders import create_order, soft_delete_order
from perfile_core.services.queries import list_orders
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import ADMIN, person
from tests.booking.conftest import order_factory
from tests.dashboard.conftest import serve_demo_orders
from ui.safe_text import md

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
# Bar label -> the action whose rule decides it.
BUTTONS = {
    "Book shipment": OrderAction.BOOK,
    "View details": OrderAction.DETAILS,
    "Print label": OrderAction.PRINT_LABEL,
    "Send notification": OrderAction.NOTIFY,
    "File claim": OrderAction.CLAIM,
    "Edit order": OrderAction.EDIT,
    "Cancel booking": OrderAction.CANCEL,
    "Delete order": OrderAction.DELETE,
}


@dataclass(frozen=True)
class Cases:
    url: str
    by_case: dict[str, int]  # case name -> order id
    bookable_order: Callable[..., int]


@pytest.fixture
def cases(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cases]:
    for url in serve_demo_orders(sqlite_url, monkeypatch, orders=40):
        from ui.context import perfile

        app = perfile()
        bookable_order = order_factory(app.db)  # in a store with a pickup address
        pending, confirmed, cancelled = (bookable_order() for _ in range(3))
        for order_id in (confirmed, cancelled):
            book_order(app.db, app.couriers, order_id, "sandbox", "home", actor=person("test"))
        _courier_event(app.db, cancelled, Status.CANCELLED)
        by_case = {
            "pending without tracking": pending,
            "confirmed with label": confirmed,
            "in transit": _orders(app.db, Status.IN_TRANSIT)[0].id,
            "delivered": _orders(app.db, Status.DELIVERED)[0].id,
            "exception": _orders(app.db, Status.EXCEPTION)[0].id,
            "cancelled": cancelled,
        }
        yield Cases(url, by_case, bookable_order)


def _orders(db, status: Status) -> list[Order]:  # type: ignore[no-untyped-def]
    return list_orders(db, OrderFilter(statuses=(status,)), limit=100).orders


def _order(order_id: int) -> Order:
    from perfile_core.db.orders_repo import get_order
    from ui.context import perfile

    with perfile().db.connect() as conn:
        return get_order(conn, order_id)


def _courier_event(db, order_id: int, status: Status) -> None:  # type: ignore[no-untyped-def]
    order = _order(order_id)
    now = utcnow()
    event = TrackingEvent(
        courier=order.courier or "sandbox",
        tracking_number=order.tracking_number or "",
        event_id=f"test-{order_id}-{status}",
        occurred_at=now + timedelta(seconds=1),
        status=status,
        description=f"Test {status}",
    )
    with db.begin() as conn:
        record_event(conn, event, now)


def select_ids(at: AppTest, *order_ids: int) -> AppTest:
    """What a click on the rows' checkboxes sends: their positions in the table as drawn."""
    shown = list(at.dataframe[0].value.index)
    rows = [shown.index(order_id) for order_id in order_ids]
    at.session_state["orders_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def checked_ids(at: AppTest) -> list[int]:
    """The orders the table shows as checked after the run."""
    shown = list(at.dataframe[0].value.index)
    return [shown[row] for row in at.session_state["orders_table"]["selection"]["rows"]]


def bar_title(at: AppTest) -> str:
    return next(md.value for md in at.markdown if md.value.startswith("**"))


def buttons(at: AppTest) -> dict[str, object]:
    return {button.label: button for button in at.button}


def opened(at: AppTest) -> tuple[str, list[int]] | None:
    dialog = at.session_state["open_dialog"] if "open_dialog" in at.session_state else None  # noqa: SIM401 (no .get)
    return None if dialog is None else (dialog.name, dialog.order_ids)


def assert_opened(at: AppTest, name: str, order_ids: list[int]) -> None:
    """The dialog is open for these order ids, and rendered without an error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert opened(at) == (name, order_ids)


@pytest.mark.parametrize(
    "case",
    ["pending without tracking", "confirmed with label", "in transit", "delivered", "exception", "cancelled"],
)
def test_each_action_is_enabled_by_the_orders_computed_fields(cases: Cases, case: str) -> None:
    order_id = cases.by_case[case]
    order = _order(order_id)
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    assert not at.exception, [e.value for e in at.exception]
    assert bar_title(at).startswith(f"**{md(order.order_number)}**")
    shown = buttons(at)
    bar = [label for label in shown if label != "New order"]  # New order sits in the page's header
    assert bar[0] == "Book shipment"  # first in the bar, and the primary one
    assert shown["Book shipment"].proto.type == "primary"
    for label, action in BUTTONS.items():
        why = order.why_not(action)  # the sandbox courier cancels by API: no instruction of its own
        button = shown[label]
        assert button.disabled is (why is not None), (label, why)
        if why:
            assert button.help == md(why), label
    download = next(d for d in at.get("download_button") if d.proto.label == "Download label")
    assert download.proto.disabled is (order.why_not(OrderAction.DOWNLOAD_LABEL) is not None)
    # Track: a link to our own tracking page when there is one, else a disabled button saying why.
    links = [e for e in at.get("link_button") if e.proto.label == "Track shipment"]
    if order.can_track:
        assert [link.proto.url for link in links] == [order.tracking_url]
    else:
        assert shown["Track shipment"].disabled and not links
    expected_enabled = {
        "pending without tracking": {"Book shipment", "View details", "Edit order", "Delete order"},
        "confirmed with label": {
            "View details",
            "Print label",
            "Send notification",
            "Edit order",
            "Cancel booking",
            "Delete order",
        },
        "in transit": {"View details", "Print label", "Send notification", "Edit order", "Delete order"},
        "delivered": {"View details", "Print label", "Send notification", "Delete order"},
        "exception": {"View details", "Print label", "Send notification", "File claim", "Edit order", "Delete order"},
        "cancelled": {"View details", "Print label", "Delete order"},
    }[case]
    demo_has_label = order.has_label  # demo orders were tracked by hand: no stored label
    if not demo_has_label:
        expected_enabled -= {"Print label"}
    if not order.customer_email:
        expected_enabled -= {"Send notification"}
    assert {label for label in BUTTONS if not shown[label].disabled} == expected_enabled


def test_a_disabled_action_says_why(cases: Cases) -> None:
    order_id = cases.by_case["pending without tracking"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    shown = buttons(at)
    assert "book the shipment first" in shown["Send notification"].help or "e-mail" in shown["Send notification"].help
    assert shown["Cancel booking"].help == "No shipment booked yet"
    assert shown["File claim"].help == "No shipment to claim for"
    assert "book the shipment first" in shown["Track shipment"].help


def test_buttons_open_their_dialog_for_the_selected_order_id(cases: Cases) -> None:
    order_id = cases.by_case["pending without tracking"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["Book shipment"].click().run()
    assert_opened(at, "book", [order_id])
    at.session_state["open_dialog"] = None
    at.run()
    buttons(at)["View details"].click().run()
    assert opened(at) == ("details", [order_id])
    assert not at.exception, [e.value for e in at.exception]
    # The drawer: the order, its tabs of events, e-mails, claims and audit, and its label button.
    order = _order(order_id)
    assert any(f"### {md(order.order_number)}" in element.value for element in at.markdown)
    assert [tab.label for tab in at.tabs] == ["Events", "E-mails", "Claims", "Audit"]
    assert any("No delivery date promised yet" in element.value for element in at.markdown)


def test_send_notification_says_it_waits_in_the_outbox(cases: Cases) -> None:
    order_id = cases.by_case["confirmed with label"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["Send notification"].click().run()
    assert not at.exception
    [toast] = [t.value for t in at.toast if "E-mail" in t.value]
    assert "is in the outbox: no mail server is configured" in toast


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def test_send_notification_says_it_went_out(cases: Cases, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.context import perfile

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PERFILE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PERFILE_SMTP_PORT", str(port))
        perfile().close()
        perfile.clear()
        order_id = cases.by_case["confirmed with label"]
        order = _order(order_id)
        at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
        buttons(at)["Send notification"].click().run()
    finally:
        controller.stop()
    assert not at.exception
    assert [t.value for t in at.toast if "E-mail" in t.value] == [f"E-mail sent to {md(order.customer_email)}"]
    assert [to for to, _ in inbox.messages] == [[order.customer_email]]


def test_selection_follows_its_order_when_new_orders_push_it_down(cases: Cases) -> None:
    from ui.context import perfile

    order_id = cases.by_case["in transit"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    before = checked_ids(at)
    position = list(at.dataframe[0].value.index).index(order_id)
    store = _order(order_id).store_key
    for index in range(3):  # newer orders sort first: every row below them moves down
        create_order(
            perfile().db, {"store_key": store, "order_number": f"NEW-{index}", "customer_name": "New"}, actor=ADMIN
        )
    at.run()  # a live tick
    assert not at.exception
    assert before == checked_ids(at) == [order_id]
    assert list(at.dataframe[0].value.index).index(order_id) == position + 3
    assert bar_title(at).startswith(f"**{md(_order(order_id).order_number)}**")


def test_selection_of_an_order_filtered_away_is_cleared_with_a_note(cases: Cases) -> None:
    order_id = cases.by_case["delivered"]
    number = _order(order_id).order_number
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    at.sidebar.multiselect(key="f_status").select("pending").run()
    assert not at.exception
    assert checked_ids(at) == [] and "Delete order" not in buttons(at)
    assert any(md(number) in info.value and "Selection cleared" in info.value for info in at.info)
    # The order does not come back checked when the filter is removed.
    at.sidebar.multiselect(key="f_status").unselect("pending").run()
    assert checked_ids(at) == []


def test_selection_of_a_deleted_order_is_cleared_with_a_note(cases: Cases) -> None:
    from ui.context import perfile

    order_id = cases.by_case["exception"]
    number = _order(order_id).order_number
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    soft_delete_order(perfile().db, order_id, actor=person("someone else"), reason="duplicate")
    at.run()
    assert checked_ids(at) == []
    assert any(md(number) in info.value and "deleted" in info.value for info in at.info)


def test_several_selected_orders_offer_booking_those_without_tracking(cases: Cases) -> None:
    pending = cases.by_case["pending without tracking"]
    shipped = cases.by_case["in transit"]
    other = cases.bookable_order()
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), pending, shipped, other)
    assert sorted(checked_ids(at)) == sorted([pending, shipped, other])
    assert any("3 orders selected" in element.value and "1 already booked" in element.value for element in at.markdown)
    buttons(at)["Book 2 selected"].click().run()
    assert_opened(at, "bulk_book", [pending, other])


def test_the_order_page_offers_the_same_actions(cases: Cases) -> None:
    order_id = cases.by_case["confirmed with label"]
    at = AppTest.from_file(str(ROOT / "pages" / "1_Order.py"), default_timeout=30)
    at.query_params["order"] = str(order_id)
    at.run()
    assert not at.exception
    assert set(BUTTONS) <= set(buttons(at))
    buttons(at)["View details"].click().run()
    assert opened(at) == ("details", [order_id])
    assert [tab.label for tab in at.tabs] == ["Events", "E-mails", "Claims", "Audit"]


def test_the_drawer_shows_the_exception_and_the_queued_email(cases: Cases) -> None:
    order_id = cases.by_case["exception"]
    order = _order(order_id)
    assert order.customer_email and order.latest_event_description  # the demo data's exception
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["Send notification"].click().run()
    buttons(at)["View details"].click().run()
    assert not at.exception, [e.value for e in at.exception]
    reason = order.exception_reason.value.replace("_", " ") if order.exception_reason else ""
    assert any(w.value.startswith(f"Exception: {md(reason)}") for w in at.warning), [w.value for w in at.warning]
    events, emails, _, audit = at.tabs
    assert any(md(order.latest_event_description) in m.value for m in events.markdown)
    assert any(md("E-mail to") in m.value and "outbox" in m.value for m in emails.markdown)
    who = load_settings().local_actor().name  # local mode: the named local user acts
    assert any(md(f"Tracking e-mail sent to the customer by {who}") in m.value for m in audit.markdown)


def test_print_label_shows_the_stored_label(cases: Cases) -> None:
    order_id = cases.by_case["confirmed with label"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["Print label"].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert opened(at) == ("print_label", [order_id])
    assert any("Print with the viewer's print button" in c.value for c in at.caption)
    assert [d.proto.label for d in at.get("download_button")].count("Download label") == 2  # bar and dialog


def test_flash_messages_from_dialogs_appear_once_on_both_pages(cases: Cases) -> None:
    for script in (APP, str(ROOT / "pages" / "1_Order.py")):
        at = AppTest.from_file(script, default_timeout=30)
        at.query_params["order"] = str(cases.by_case["delivered"])
        at.session_state["flash"] = ["Booked #1001: SBX123"]
        at.run()
        assert [t.value for t in at.toast if "Booked" in t.value] == ["Booked #1001: SBX123"], script
        at.run()
        assert not [t.value for t in at.toast if "Booked" in t.value], script


def test_cancel_booking_with_a_courier_without_cancel_api_gives_its_instruction(cases: Cases, httpserver) -> None:  # type: ignore[no-untyped-def]
    """Booked with PostNord (a real HTTP exchange with a local server speaking its API), the bar
    does not offer Cancel booking and says, in PostNord's words, what ops must do instead."""
    import requests

    from perfile_core.couriers.postnord.adapter import PostNordCourier
    from perfile_core.couriers.postnord.client import PostNordClient
    from perfile_core.couriers.postnord.settings import PostNordSettings
    from tests.couriers.conftest import RATES
    from tests.couriers.helpers import pdf_label_b64, sample
    from ui.context import perfile

    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    httpserver.expect_request("/rest/shipment/v3/edi/labels/pdf").respond_with_json(body)
    settings = PostNordSettings(
        api_key="pn-key", base_url=httpserver.url_for(""), customer_number="1234567", rates=RATES, timeout=1.0
    )
    order_id = cases.bookable_order()
    with requests.Session() as session:
        registry = CourierRegistry([PostNordCourier(PostNordClient(settings, session))])
        booked = book_order(perfile().db, registry, order_id, "postnord", "19", actor=person("test"))
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    cancel = buttons(at)["Cancel booking"]
    assert cancel.disabled
    assert "Ops must cancel the shipment manually in the PostNord portal" in cancel.help.replace("\\", "")
    assert booked.tracking_number in cancel.help


def test_new_order_button_on_the_orders_page_opens_the_form(cases: Cases) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    buttons(at)["New order"].click().run()
    assert_opened(at, "new_order", [])


def test_deleting_from_the_order_page_returns_to_the_table_with_undo(cases: Cases) -> None:
    order_id = cases.by_case["pending without tracking"]
    number = _order(order_id).order_number
    at = AppTest.from_file(APP, default_timeout=30)  # the entrypoint: it knows the pages to go back to
    at.switch_page("pages/1_Order.py")
    at.query_params["order"] = str(order_id)
    at.run()
    assert [title.value for title in at.title] == ["Order"]
    buttons(at)["Delete order"].click().run()
    at.text_input(key=f"delete_reason_{order_id}").input("customer ordered twice").run()
    [confirm] = [b for b in at.button if b.label == "Delete order" and b.key != f"delete_{order_id}"]
    confirm.click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title] == ["Orders"]  # back on the table, not a "not found" page
    assert not at.warning, [w.value for w in at.warning]
    assert any(f"{md(number)}** deleted" in m.value for m in at.markdown)
    assert any("deleted" in t.value for t in at.toast)
    # AppTest keeps rerunning the page it started on; the browser's URL is the Orders page now.
    at.switch_page("pages/0_Orders.py").run()
    buttons(at)["Undo"].click().run()
    assert _order(order_id).order_number == number
