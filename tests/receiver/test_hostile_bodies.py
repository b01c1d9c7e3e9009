"""No hostile body gets a 5xx, on SQLite and PostgreSQL (issue 11, item 3).

Structural garbage (bad timestamps, NaN/Infinity/huge numbers, excessive nesting, wrong
types) answers 4xx with the JSON error shape and stores nothing. Text no database can
store (NUL, lone surrogates) inside an otherwise valid order or event is replaced with
U+FFFD and the delivery applied; the raw body stays byte-exact in the inbox.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from werkzeug.test import TestResponse

from perfile_core.db.tables import orders, tracking_events, webhook_inbox
from perfile_core.services.orders import attach_tracking, create_order
from tests.actors import ADMIN, person
from tests.receiver.helpers import SANDBOX_SECRET, counts, unified_event
from tests.receiver.hostile import (
    BRING_NUMBER,
    STRICT_FIELDS,
    TARGETS,
    UNIFIED_NUMBER,
    UNSTORABLE,
    Path,
    Raw,
    base_body,
    encode,
    paths,
    replaced,
    signed,
    value_at,
)

RESULTS = {"accepted", "duplicate", "ignored"}
DEEPER = "nests deeper than 64 levels"


@pytest.fixture
def courier_orders(configured: Engine) -> Engine:
    """Orders the Bring and unified events are for, so events are applied, not only kept."""
    for number, courier in ((BRING_NUMBER, "bring"), (UNIFIED_NUMBER, "sandbox")):
        order = create_order(configured, {"store_key": "manual-store", "customer_name": "Kari Nordmann"}, actor=ADMIN)
        attach_tracking(configured, order.id, number, courier, actor=person("test"))
    return configured


def _counts(db: Engine) -> dict[str, int]:
    """helpers.counts in one round trip: the sweeps below count around a thousand times."""
    tables = (orders, tracking_events, webhook_inbox)
    query = select(*(select(func.count()).select_from(table).scalar_subquery() for table in tables))
    with db.connect() as conn:
        return dict(zip((table.name for table in tables), conn.execute(query).one(), strict=True))


def _send(client: FlaskClient, db: Engine, target: str, body: bytes) -> tuple[TestResponse, dict[str, int]]:
    """Send a correctly signed body; the answer and how the row counts moved."""
    url, headers = signed(target, body)
    before = _counts(db)
    response = client.post(url, data=body, headers=headers)
    after = _counts(db)
    return response, {name: after[name] - before[name] for name in after}


def _assert_contract(response: TestResponse, grown: dict[str, int]) -> None:
    """Never 5xx; 2xx with a result, or 4xx with the error shape and nothing stored."""
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 200:
        assert response.json["status"] in RESULTS, response.json
        assert grown["webhook_inbox"] in (0, 1)
    else:
        assert 400 <= response.status_code < 500
        assert set(response.json) == {"error", "detail", "request_id"}, response.json
        assert response.json["request_id"] and response.json["detail"]
        assert grown == {name: 0 for name in grown}, (response.json, grown)


def _rejected(client: FlaskClient, db: Engine, target: str, body: bytes, code: str) -> str:
    response, grown = _send(client, db, target, body)
    _assert_contract(response, grown)
    assert (response.status_code, response.json["error"]) == (400, code), response.json
    return response.json["detail"]


# -- structural garbage: 4xx, nothing stored -------------------------------------------


BAD_STAMPS = ["1" + "0" * 400, "-1700000000", "now", "1700000000.5", "1_700_000_000", "1700000000\u00b2", "0x65a1b2c3"]


def test_bad_webhook_timestamps_are_401_before_any_arithmetic(client, configured: Engine) -> None:
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", UNIFIED_NUMBER, "in_transit", datetime.now(UTC))
    before = counts(configured)
    for stamp in BAD_STAMPS:
        unsigned = {**headers, "webhook-timestamp": stamp, "webhook-signature": "v1,AAAA"}
        response = client.post("/webhooks/couriers/sandbox", data=body, headers=unsigned)
        assert response.status_code == 401, (stamp, response.get_data(as_text=True))
        assert response.json["error"] == "invalid_signature"
        assert response.json["detail"] == "webhook-timestamp must be unix seconds: 1 to 12 ASCII digits"
    assert counts(configured) == before


NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
NUMBER_FIELDS: dict[str, Path] = {
    "shopify": ("total_weight",),
    "woocommerce": ("meta_data", 0, "id"),
    "bring": ("pushed",),
    "unified": ("data", "location", "lat"),
}


def test_nan_infinity_and_huge_numbers_are_400_naming_the_field(client, courier_orders: Engine) -> None:
    for target, path in NUMBER_FIELDS.items():
        for literal in NON_FINITE:
            body = encode(replaced(base_body(target), path, Raw(literal)))
            detail = _rejected(client, courier_orders, target, body, "invalid_payload")
            assert detail.startswith(".".join(map(str, path)) + ": not a finite number"), (literal, detail)


ABSURD_NUMBERS: list[tuple[str, Path, Any]] = [
    ("shopify", ("total_weight",), -1),
    ("shopify", ("total_weight",), 1e300),
    ("shopify", ("total_weight",), 10**30),
    ("shopify", ("id",), 10**30),
    ("shopify", ("id",), 1.5),
    ("shopify", ("id",), "9" * 4000),
    ("shopify", ("id",), "\u00b2"),  # isdigit(), but int() refuses it
    ("woocommerce", ("id",), "\u0663\u0664"),  # Arabic-Indic digits
    ("woocommerce", ("id",), -5),
]


def test_absurd_numbers_where_a_number_is_required_are_400(client, configured: Engine) -> None:
    for target, path, value in ABSURD_NUMBERS:
        body = encode(replaced(base_body(target), path, value))
        detail = _rejected(client, configured, target, body, "invalid_payload")
        assert detail.startswith(f"{path[0]}: must be"), (value, detail)
    body = encode(replaced(base_body("shopify"), ("total_weight",), Raw("9" * 5000)))
    detail = _rejected(client, configured, "shopify", body, "invalid_payload")
    assert detail.startswith("body is not valid JSON: Exceeds the limit (4300 digits)"), detail
    assert "sys.set_int_max_str_digits" not in detail


def test_excessive_nesting_is_400_without_blowing_the_stack(client, courier_orders: Engine) -> None:
    for target in TARGETS:
        for depth in (100_000, 1_000):
            body = encode(replaced(base_body(target), ("extra",), Raw("[" * depth + "]" * depth)))
            assert _rejected(client, courier_orders, target, body, "invalid_payload") == f"body {DEEPER}"
    # The limit counts the body as level 1, so a list at its top level may nest 63 deep.
    allowed = encode(replaced(base_body("shopify"), ("extra",), Raw("[" * 63 + "]" * 63)))
    response, grown = _send(client, courier_orders, "shopify", allowed)
    assert (response.status_code, response.json, grown["orders"]) == (200, {"status": "accepted"}, 1)
    for deeper in ("[" * 64 + "]" * 64, '{"a":' * 64 + "1" + "}" * 64):
        body = encode(replaced(base_body("shopify"), ("extra",), Raw(deeper)))
        assert _rejected(client, courier_orders, "shopify", body, "invalid_payload") == f"body {DEEPER}"


# -- text no database can store: U+FFFD, delivery applied ------------------------------

# (target, field in the body, where it is stored, the stored value for "A<bad>B")
STORED_TEXT = [
    ("unified", ("data", "description"), "event.description", "A\ufffdB"),
    ("unified", ("data", "location", "city"), "event.location", "A\ufffdB, SE"),
    ("unified", ("data", "raw_status"), "event.raw_status", "A\ufffdB"),
    ("unified", ("data", "description"), "order.latest_event_description", "A\ufffdB"),
    ("unified", ("data", "location", "city"), "order.latest_event_location", "A\ufffdB, SE"),
    ("bring", ("status",), "event.raw_status", "A\ufffdB"),
    ("bring", ("status",), "event.description", "A\ufffdb"),
    ("shopify", ("fulfillments", 0, "tracking_company"), "order.courier_name", "A\ufffdB"),
    ("shopify", ("shipping_address", "name"), "order.customer_name", "A\ufffdB"),
    ("shopify", ("shipping_address", "address1"), "order.address_line1", "A\ufffdB"),
    ("shopify", ("shipping_address", "city"), "order.city", "A\ufffdB"),
    ("shopify", ("note",), "order.notes", "A\ufffdB"),
    ("woocommerce", ("meta_data", 0, "value", 0, "tracking_provider"), "order.courier_name", "A\ufffdB"),
    ("woocommerce", ("shipping", "first_name"), "order.customer_name", "A\ufffdB de Vries"),
    ("woocommerce", ("shipping", "address_1"), "order.address_line1", "A\ufffdB"),
    ("woocommerce", ("shipping", "city"), "order.city", "A\ufffdB"),
    ("woocommerce", ("customer_note",), "order.notes", "A\ufffdB"),
]


@pytest.mark.parametrize("target", TARGETS)
def test_unstorable_text_is_replaced_and_the_delivery_applied(
    client, app: Flask, courier_orders: Engine, target: str
) -> None:
    if target == "unified":  # on PostgreSQL it goes through the one-statement fast path
        uses_fast_path = app.extensions["perfile"].context.direct is not None
        assert uses_fast_path == (courier_orders.dialect.name == "postgresql")
    for field_target, path, column, expected in STORED_TEXT:
        if field_target != target:
            continue
        for bad in ("\x00", "\udc80"):
            body = encode(replaced(base_body(target), path, f"A{bad}B"))
            assert b"\\u0000" in body or b"\\udc80" in body  # as a sender writes it: a JSON escape
            response, grown = _send(client, courier_orders, target, body)
            assert response.json == {"status": "accepted"}, (path, bad, response.json)
            assert grown["webhook_inbox"] == 1
            assert _stored(courier_orders, column) == (body, expected), (path, bad)


def _stored(db: Engine, column: str) -> tuple[bytes, Any]:
    """The newest inbox body, and `column` ("order.city", "event.description") of the newest row."""
    table, name = column.split(".")
    with db.connect() as conn:
        body = conn.execute(select(webhook_inbox.c.body).order_by(webhook_inbox.c.id.desc())).first()[0]
        if table == "event":
            row = conn.execute(select(tracking_events).order_by(tracking_events.c.id.desc())).mappings().first()
            assert row["order_id"] is not None  # applied to its order, not only kept
        else:
            row = conn.execute(select(orders).order_by(orders.c.change_cursor.desc())).mappings().first()
    return bytes(body), row[name]


def test_unstorable_text_in_ids_is_refused_not_collapsed(client, courier_orders: Engine) -> None:
    # Two events "e\udc80" and "e\udc81" must not become one "e\ufffd" (the second a duplicate).
    for target, path in (("bring", ("id",)), ("unified", ("data", "tracking_number")), ("shopify", ("id",))):
        body = encode(replaced(base_body(target), path, "E\udc80"))
        detail = _rejected(client, courier_orders, target, body, "invalid_payload")
        assert detail.startswith(".".join(map(str, path)) + ": "), detail


def test_unstorable_characters_in_headers_and_urls(client, configured: Engine) -> None:
    body = encode(base_body("woocommerce"))
    url, headers = signed("woocommerce", body)
    before = counts(configured)
    # Percent-decoded from the URL, so gunicorn passes it on as NUL.
    response = client.post("/webhooks/woocommerce/demo%00woo", data=body, headers=headers)
    assert (response.status_code, response.json["error"]) == (401, "unknown_source")
    shopify = encode(base_body("shopify"))
    url, headers = signed("shopify", shopify)
    response = client.post(url, data=shopify, headers={**headers, "X-Shopify-Shop-Domain": "demo\x00shop"})
    assert (response.status_code, response.json["error"]) == (401, "unknown_source")
    assert counts(configured) == before
    response = client.post(url, data=shopify, headers={**headers, "X-Forwarded-For": "10.0.0.1\x00"})
    assert response.json == {"status": "accepted"}
    with configured.connect() as conn:
        stored = conn.execute(select(webhook_inbox.c.headers)).scalar_one()
    assert stored["x-forwarded-for"] == "10.0.0.1\ufffd"


# -- every field of every format, and random hostile values anywhere --------------------

SWEEP_VALUES: list[Any] = [
    "A\x00B",
    "A\udc80B",
    Raw("NaN"),
    Raw("1e400"),
    10**400,
    Raw("[" * 200 + "]" * 200),
    {"unexpected": ["object"]},
    True,
]


def _must_apply(target: str, base: dict[str, Any], path: Path, value: Any) -> bool:
    """Unstorable characters put into a free-text field: the delivery must still be applied."""
    unstorable = isinstance(value, str) and any(char in value for char in UNSTORABLE)
    return unstorable and isinstance(value_at(base, path), str) and path not in STRICT_FIELDS[target]


def _check_field(client: FlaskClient, db: Engine, target: str, path: Path, value: Any) -> None:
    base = base_body(target)
    response, grown = _send(client, db, target, encode(replaced(base, path, value)))
    _assert_contract(response, grown)
    if _must_apply(target, base, path, value):
        assert response.status_code == 200 and grown["webhook_inbox"] == 1, (path, response.json)
    if response.status_code != 200:
        detail = response.json["detail"]
        assert str(path[-1]) in detail or DEEPER in detail, (path, value, detail)


@pytest.mark.parametrize("target", TARGETS)
def test_every_field_of_every_format_survives_every_hostile_value(client, courier_orders: Engine, target: str) -> None:
    for path in paths(base_body(target)):
        for value in SWEEP_VALUES:
            _check_field(client, courier_orders, target, path, value)


HOSTILE_TEXT = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.text(max_size=8),
    st.sampled_from([*UNSTORABLE, "\x01", "\x1b", "\x7f", "\u2028", "\ufffd", "\U0010ffff", "<b>"]),
    st.text(max_size=8),
)
HOSTILE_NUMBERS = st.sampled_from(
    [*(Raw(literal) for literal in NON_FINITE), 10**400, -(10**30), 2**63, -1, 0, 1e308, -0.0, Raw("9" * 5000)]
)
DEEP = st.integers(60, 300).map(lambda depth: Raw("[" * depth + "]" * depth)) | st.just(
    Raw("[" * 100_000 + "]" * 100_000)
)
WRONG_TYPES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
HOSTILE = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBERS, DEEP, WRONG_TYPES)


@pytest.mark.parametrize("target", TARGETS)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_hostile_values_in_random_fields_never_5xx(
    client, courier_orders: Engine, target: str, data: st.DataObject
) -> None:
    base = base_body(target)
    changes = data.draw(st.lists(st.tuples(st.sampled_from(paths(base)), HOSTILE), min_size=1, max_size=3))
    body = base
    for path, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):  # an earlier change replaced a parent
            body = replaced(body, path, value)
    response, grown = _send(client, courier_orders, target, encode(body))
    _assert_contract(response, grown)
    if all(_must_apply(target, base, path, value) for path, value in changes):
        assert response.status_code == 200 and grown["webhook_inbox"] == 1, (changes, response.json)
