"""Login and roles in the dashboard (AppTest with `at.user` and an [auth] section): nothing renders
before login, an address without a role sees only "No access", and each role sees only what it may
do. The core refuses the same writes whatever the page shows (tests/booking/test_roles.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perfile_core.services.order_detail import order_detail
from tests.booking.conftest import order_factory
from tests.dashboard.conftest import serve_demo_orders
from tests.dashboard.test_action_bar import select_ids
from ui.dialogs import OPEN_DIALOG_KEY, OpenDialog

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests-only",
    "client_id": "perfile-dashboard",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = {"boss@perfile.se": "admin", "anna@perfile.se": "operator", "perfile.se": "analyst"}
WRITE_BUTTONS = {"Book shipment", "Send notification", "File claim", "Edit order", "Cancel booking", "Delete order"}


@pytest.fixture
def order_id(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    for _ in serve_demo_orders(sqlite_url, monkeypatch, orders=5):
        from ui.context import perfile

        yield order_factory(perfile().db)(customer_name="Karin Role-Test")


def app_as(user: dict, *, page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["roles"] = ROLES
    at.user = user
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def person(email: str, name: str) -> dict:
    return {"is_logged_in": True, "email": email, "name": name}


def labels(at: AppTest) -> set[str]:
    return {button.label for button in at.button}


def rendered_text(at: AppTest) -> str:
    parts = [str(element.value) for kind in ("markdown", "caption", "title", "text_input") for element in at.get(kind)]
    return " ".join(parts)


def test_before_login_only_the_login_page_renders(order_id):
    at = app_as({"is_logged_in": False})
    assert not at.exception
    assert "Log in" in labels(at)
    assert not at.dataframe  # no orders table
    assert "Karin Role-Test" not in rendered_text(at)


def test_a_deep_link_to_an_order_shows_nothing_before_login(order_id):
    number = order_detail(__import__("ui.context", fromlist=["perfile"]).perfile().db, order_id).order.order_number
    at = app_as({"is_logged_in": False}, query={"order": str(order_id)})
    assert "Log in" in labels(at) and not at.dataframe
    text = rendered_text(at)
    assert number not in text and "Karin Role-Test" not in text and "Timeline" not in text


def test_an_address_without_a_role_sees_no_access(order_id):
    at = app_as(person("eve@evil.example", "Eve"))
    assert not at.exception
    assert [title.value for title in at.title] == ["No access"]
    assert "Log out" in labels(at) and not at.dataframe
    assert "eve" in at.error[0].value


def test_analyst_reads_orders_but_has_no_write_buttons(order_id):
    at = app_as(person("kari@perfile.se", "Kari Analyst"))
    assert any("Kari Analyst" in caption.value and "(analyst)" in caption.value for caption in at.caption)
    at = select_ids(at, order_id)
    assert not at.exception
    shown = labels(at)
    assert "View details" in shown
    assert not shown & WRITE_BUTTONS, shown & WRITE_BUTTONS
    assert "New order" not in shown and "Mark seen" not in shown
    assert "Download CSV" in {button.label for button in at.get("download_button")}  # read and export


def test_analyst_cannot_open_a_write_dialog_by_session_state(order_id):
    at = select_ids(app_as(person("kari@perfile.se", "Kari Analyst")), order_id)
    at.session_state[OPEN_DIALOG_KEY] = OpenDialog("delete", [order_id])
    at.run()
    assert not at.exception
    assert "Delete order" not in labels(at)  # no confirm button
    assert f"delete_reason_{order_id}" not in [field.key for field in at.text_input]  # no reason field
    assert OPEN_DIALOG_KEY not in at.session_state


def test_analyst_order_page_has_no_attach_form(order_id):
    at = app_as(person("kari@perfile.se", "Kari"), page="pages/1_Order.py", query={"order": str(order_id)})
    assert not at.exception
    assert "Timeline" in [header.value for header in at.subheader]
    assert "Attach tracking number" not in labels(at) and not labels(at) & WRITE_BUTTONS


def test_operator_sees_the_write_buttons_and_not_more(order_id):
    at = app_as(person("anna@perfile.se", "Anna Berg"))
    assert any("Anna Berg" in caption.value and "(operator)" in caption.value for caption in at.caption)
    assert {"Log out", "New order"} <= labels(at)
    at = select_ids(at, order_id)
    assert not at.exception
    assert {"Book shipment", "Edit order", "Delete order", "Mark seen"} <= labels(at)


def test_operator_delete_is_audited_with_their_name(order_id):
    at = select_ids(app_as(person("anna@perfile.se", "Anna Berg")), order_id)
    next(button for button in at.button if button.label == "Delete order").click().run()
    at.text_input(key=f"delete_reason_{order_id}").input("customer cancelled by phone")
    [button for button in at.button if button.label == "Delete order"][-1].click().run()
    assert not at.exception
    from perfile_core.services.audit_log import audit_entries
    from ui.context import perfile

    entries = audit_entries(perfile().db, person="anna@perfile.se", actions=["order.deleted"])
    assert [(e.order_id, e.actor, e.actor_role) for e in entries] == [(order_id, "Anna Berg", "operator")]
