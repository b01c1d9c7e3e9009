"""The Orders table's columns in AppTest: indicators per computed fields (🔔 until the operator
looks), the ETA countdown tags, the column choice kept for the session, no "None" on any page with
sparse orders, attaching a tracking number in the drawer, and only the Undo bar after a delete."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from streamlit.testing.v1 import AppTest

from perfile_core.clock import utcnow
from perfile_core.config import load_settings
from perfile_core.db.orders_repo import update_order
from perfile_core.domain.indicators import Indicator
from perfile_core.domain.status import Status
from perfile_core.services import orders as order_service
from tests.actors import person
from tests.dashboard import test_action_bar
from tests.dashboard.test_action_bar import APP, ROOT, Cases, _courier_event, _order, buttons, select_ids
from ui.orders_frame import INDICATOR_GLYPHS, NO_LINK, NO_TRACKING_HINT, OVERDUE_COLOR, column_config

UPDATED = INDICATOR_GLYPHS[Indicator.UPDATED]
ACTION = INDICATOR_GLYPHS[Indicator.ACTION_NEEDED]
cases = test_action_bar.cases  # the fixture: orders in each state, in a fresh database
NONE_WORD = re.compile(r"\bNone\b|\bnan\b|\bNaT\b")


def signal_of(at: AppTest, order_id: int) -> str:
    return at.dataframe[0].value.loc[order_id, "signal"]


def test_indicators_follow_the_orders_computed_fields(cases: Cases) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert signal_of(at, cases.by_case["pending without tracking"]) == ACTION  # nothing to book with yet
    assert signal_of(at, cases.by_case["exception"]) == ACTION
    assert signal_of(at, cases.by_case["delivered"]) == ""
    assert signal_of(at, cases.by_case["cancelled"]) == ""
    assert signal_of(at, cases.by_case["confirmed with label"]) == ""  # booked, waiting for the first scan


def test_a_change_is_marked_until_the_operator_opens_the_order(cases: Cases) -> None:
    from ui.context import perfile

    moving, other = cases.by_case["in transit"], cases.by_case["confirmed with label"]
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not signal_of(at, moving).startswith(UPDATED)
    _courier_event(perfile().db, moving, Status.OUT_FOR_DELIVERY)
    _courier_event(perfile().db, other, Status.PICKED_UP)
    for _tick in range(3):  # not one tick: it stays
        at.run()
        assert signal_of(at, moving) == UPDATED + INDICATOR_GLYPHS[Indicator.LIVE_ARRIVING]
        assert signal_of(at, other) == UPDATED + INDICATOR_GLYPHS[Indicator.LIVE_IN_TRANSIT]
    # Opening the details drawer is looking at it.
    select_ids(at, moving)
    buttons(at)["View details"].click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()
    assert signal_of(at, moving) == INDICATOR_GLYPHS[Indicator.LIVE_ARRIVING]
    assert signal_of(at, other).startswith(UPDATED)
    # Dismissing it from the action bar too, without opening it.
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), other)
    buttons(at)["Mark seen"].click().run()
    assert signal_of(at, other) == INDICATOR_GLYPHS[Indicator.LIVE_IN_TRANSIT]
    # Another change brings the mark back.
    _courier_event(perfile().db, other, Status.IN_TRANSIT)
    at.run()
    assert signal_of(at, other).startswith(UPDATED)


def test_the_eta_column_counts_down_and_is_red_when_late(cases: Cases) -> None:
    from ui.context import perfile

    late, soon = cases.by_case["in transit"], cases.by_case["confirmed with label"]
    today = utcnow().date()  # Stockholm's day may differ from UTC's by one around midnight
    with perfile().db.begin() as conn:
        update_order(conn, late, {"estimated_delivery": today - timedelta(days=3), "country_code": "SE"}, utcnow())
        update_order(conn, soon, {"estimated_delivery": today + timedelta(days=5), "country_code": "SE"}, utcnow())
    at = AppTest.from_file(APP, default_timeout=30).run()
    frame = at.dataframe[0].value
    assert frame.loc[late, "eta"][0] in ("3 days late", "2 days late", "4 days late")
    assert frame.loc[soon, "eta"][0] in ("in 5 days", "in 4 days", "in 6 days")
    assert list(frame.loc[cases.by_case["delivered"], "eta"]) == []
    colours = {option.value: option.color for option in _eta_options(at)}
    assert colours[frame.loc[late, "eta"][0]] == OVERDUE_COLOR
    assert colours[frame.loc[soon, "eta"][0]] != OVERDUE_COLOR


def test_a_quiet_tick_redraws_the_table_only_when_a_shown_text_changes_with_time(  # type: ignore[no-untyped-def]
    cases: Cases, monkeypatch
) -> None:
    """The table's frame is rebuilt when a countdown's day turns, an order goes 48 h without
    news or a latest event's age turns ("47h ago" to "2d ago"), not on every tick, nor every minute."""
    import time

    from perfile_core.domain.order import STALE_AFTER
    from perfile_core.domain.time_utils import local_day, next_local_day
    from ui import orders_table
    from ui.context import perfile
    from ui.live import FRAME_KEY

    # A clock of our own (both clocks the app reads), moved by the test: at 12:00 in Stockholm,
    # days after the demo orders' news, so that only the orders set up here turn during the test.
    start = next_local_day(utcnow() + timedelta(days=3), "SE") + timedelta(hours=12)
    offset = [start - utcnow()]
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0].total_seconds())
    monkeypatch.setattr(orders_table, "utcnow", lambda: utcnow() + offset[0])
    builds = []
    build = orders_table.orders_frame
    monkeypatch.setattr(orders_table, "orders_frame", lambda *a, **k: builds.append(1) or build(*a, **k))

    def tick(to: Any) -> int:
        """Frames built by a run at `to`."""
        offset[0] = to - utcnow()
        before = len(builds)
        at.run()
        assert not at.exception
        return len(builds) - before

    due, quiet = cases.by_case["confirmed with label"], cases.by_case["in transit"]
    with perfile().db.begin() as conn:
        tomorrow = local_day(start, "SE") + timedelta(days=1)
        update_order(conn, due, {"estimated_delivery": tomorrow, "country_code": "SE"}, utcnow())
        news = start - STALE_AFTER + timedelta(minutes=20)  # no news for 48 h twenty minutes from now
        update_order(conn, quiet, {"latest_event_at": news, "estimated_delivery": None}, utcnow())
    at = AppTest.from_file(APP, default_timeout=30)
    assert tick(start) == 1
    assert at.dataframe[0].value.loc[due, "eta"][0] == "tomorrow"
    assert ACTION not in signal_of(at, quiet)
    # Minutes pass and nothing on screen would change: no rebuild until the first shown text turns
    # (a demo order's "3d ago" may turn meanwhile: ui.timefmt.ago_changes_at).
    first_turn = at.session_state[FRAME_KEY][1]
    assert first_turn > start
    assert tick(min(start + timedelta(minutes=10), first_turn - timedelta(seconds=1))) == 0
    assert tick(start + timedelta(minutes=21)) == 1  # 48 h without news: action needed
    assert signal_of(at, quiet).endswith(ACTION)
    until = at.session_state[FRAME_KEY][1]
    assert until <= next_local_day(start, "SE")  # the first midnight of the page's delivery zones
    assert tick(until - timedelta(seconds=1)) == 0
    assert tick(next_local_day(start, "SE") + timedelta(seconds=1)) >= 1  # midnight in Stockholm: the day turns
    assert at.dataframe[0].value.loc[due, "eta"][0] == "today"


def _eta_options(at: AppTest) -> list[Any]:
    """The ETA column's tags as sent to the browser (the dataframe proto's column config)."""
    import json

    config = json.loads(at.dataframe[0].proto.columns)["eta"]["type_config"]["options"]
    return [type("Option", (), {"value": o["value"], "color": o["color"]}) for o in config]


def test_column_choice_and_width_last_the_session(cases: Cases) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    pills = at.pills(key="_table_columns")
    pills.set_value([*(name for name in pills.value if name != "store"), "customer"]).run()
    at.pills(key="_table_width").set_value("Wide").run()
    at.switch_page("pages/1_Order.py").run()  # the widgets are not drawn there, and forgotten
    at.switch_page("pages/0_Orders.py").run()
    assert not at.exception
    order = list(at.dataframe[0].proto.column_order)
    assert order[:3] == ["signal", "status", "order_number"] and "customer" in order and "store" not in order
    sent = __import__("json").loads(at.dataframe[0].proto.columns)
    assert sent["latest_event"]["width"] == round(column_config()["latest_event"]["width"] * 1.3)
    assert all(sent[name]["pinned"] is True for name in ("signal", "status", "order_number"))


def sparse_orders(cases: Cases) -> list[int]:
    """Orders with nothing but what is required, and one with a courier only the webshop names."""
    from perfile_core.services.tracking import confirm_shipment
    from ui.context import perfile

    db = perfile().db
    bare = order_service.create_order(db, {"store_key": "coffee", "customer_name": "Bare"}, actor=person("test")).id
    unknown = order_service.create_order(db, {"store_key": "coffee", "customer_name": "Odd"}, actor=person("test")).id
    with db.begin() as conn:
        now = utcnow()
        values = {"tracking_number": "LOCAL123", "courier": None, "courier_name": "Bygdens Bud", "service_type": None}
        update_order(conn, unknown, values, now)
        confirm_shipment(conn, unknown, now)
    return [bare, unknown]


def shown_texts(at: AppTest) -> list[str]:
    kinds = (at.markdown, at.caption, at.info, at.warning, at.error, at.success, at.text, at.title, at.subheader)
    texts = [str(element.value) for kind in kinds for element in kind]
    texts += [str(tab.label) for tab in at.tabs]
    return texts


def test_no_none_anywhere_with_sparse_orders(cases: Cases) -> None:
    sparse = sparse_orders(cases)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    frame = at.dataframe[0].value
    # Only a link can be missing, where there is no tracking page; the grid draws it as the placeholder.
    missing = frame.drop(columns=["tracking_page"]).isna()
    assert not missing.any().any(), missing.sum()
    assert all(
        (value is None or value != value) == (_order(i).tracking_url is None)
        for i, value in frame["tracking_page"].items()
    )
    assert at.dataframe[0].proto.placeholder == NO_LINK
    assert frame.loc[sparse[0], "tracking"] == NO_TRACKING_HINT
    for cell in frame.drop(columns=["tracking_page"]).astype(str).to_numpy().ravel():
        assert not NONE_WORD.search(cell), cell
    assert not [text for text in shown_texts(at) if NONE_WORD.search(text)]
    for order_id in sparse:
        select_ids(at, order_id)
        buttons(at)["View details"].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert not [text for text in shown_texts(at) if NONE_WORD.search(text)], order_id
        page = AppTest.from_file(str(ROOT / "pages" / "1_Order.py"), default_timeout=30)
        page.query_params["order"] = str(order_id)
        page.run()
        assert not page.exception
        assert not [text for text in shown_texts(page) if NONE_WORD.search(text)], order_id
        at = AppTest.from_file(APP, default_timeout=30).run()
    analytics = AppTest.from_file(str(ROOT / "pages" / "2_Analytics.py"), default_timeout=30).run()
    assert not analytics.exception
    assert not [text for text in shown_texts(analytics) if NONE_WORD.search(text)]
    for table in analytics.dataframe:  # groups without deliveries have no delivery time: never "None"
        assert not [cell for cell in table.value.astype(str).to_numpy().ravel() if NONE_WORD.search(cell)]


def test_attach_in_the_drawer_checks_the_number_and_takes_the_courier_from_its_format(cases: Cases) -> None:
    order_id = cases.by_case["pending without tracking"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["View details"].click().run()
    at.text_input(key=f"drawer_attach_number_{order_id}").input("abc")
    at.selectbox(key=f"drawer_attach_courier_{order_id}").set_value("postnord")
    next(b for b in at.button if b.label == "Attach").click().run()
    assert not at.exception
    assert any("not a PostNord tracking number" in c.value for c in at.caption), [c.value for c in at.caption]
    assert not _order(order_id).has_tracking
    at.text_input(key=f"drawer_attach_number_{order_id}").input("70438101268018539")  # Bring's format only
    at.selectbox(key=f"drawer_attach_courier_{order_id}").set_value("")  # detect
    next(b for b in at.button if b.label == "Attach").click().run()
    assert not at.exception
    attached = _order(order_id)
    assert (attached.tracking_number, attached.courier) == ("70438101268018539", "bring")
    assert any(
        f"Tracking number 70438101268018539 (Bring) attached by {load_settings().local_actor().name} (was none)"
        in m.value.replace("\\", "")
        for m in at.markdown
    )


def test_a_delete_shows_the_undo_bar_and_no_selection_note(cases: Cases) -> None:
    order_id = cases.by_case["exception"]
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["Delete order"].click().run()
    at.text_input(key=f"delete_reason_{order_id}").input("duplicate").run()
    [confirm] = [b for b in at.button if b.label == "Delete order" and b.key != f"delete_{order_id}"]
    confirm.click().run()
    assert not at.exception
    assert "Undo" in [button.label for button in at.button]
    assert not [info.value for info in at.info if "Selection cleared" in info.value]


def test_the_drawer_names_the_service_not_its_code(cases: Cases) -> None:
    order_id = cases.by_case["confirmed with label"]  # booked with the sandbox courier's "home" service
    at = select_ids(AppTest.from_file(APP, default_timeout=30).run(), order_id)
    buttons(at)["View details"].click().run()
    assert not at.exception
    texts = [m.value.replace("\\", "") for m in at.markdown]
    assert "Sandbox Express · Home delivery" in texts, texts
    assert "Sandbox Express · home" not in texts


def test_every_page_has_a_title(cases: Cases) -> None:
    for page in sorted((ROOT / "pages").glob("*.py")):
        at = AppTest.from_file(str(page), default_timeout=30).run()
        assert not at.exception, page.name
        assert [title.value for title in at.title], f"{page.name} has no title"
