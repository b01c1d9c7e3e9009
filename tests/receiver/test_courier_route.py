"""The courier route answered below Flask (receiver/courier_route.py), with every rule of the
Flask routes: the same answers, error bodies, limits and request ids; other paths reach Flask."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import Engine
from werkzeug.test import EnvironBuilder

from receiver.courier_route import courier_in
from tests.receiver.helpers import SANDBOX_SECRET, SHOP_DOMAIN, SHOPIFY_SECRET, counts, typed_number, unified_event
from tests.receiver.webshop_deliveries import shopify_order

NOW = datetime.now(UTC)
URL = "/webhooks/couriers/sandbox"


def _flask_requests(app: Flask) -> list[str]:
    seen: list[str] = []
    app.before_request(lambda: seen.append("flask") and None)
    return seen


def test_a_courier_event_is_answered_without_flask_and_a_webshop_order_with_it(app: Flask, client) -> None:
    flask_saw = _flask_requests(app)
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", typed_number("sandbox", "ROUTE1"), "in_transit", NOW)
    response = client.post(URL, data=body, headers={**headers, "X-Request-Id": "route-test-1"})
    assert (response.status_code, response.data) == (200, b'{"status":"accepted"}\n')
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Request-Id"] == "route-test-1"
    assert response.headers["Content-Length"] == str(len(response.data))
    assert flask_saw == []
    order_body, order_headers = shopify_order(SHOPIFY_SECRET, SHOP_DOMAIN, 4242, webhook_id="route-order")
    assert client.post("/webhooks/shopify", data=order_body, headers=order_headers).status_code == 200
    assert flask_saw == ["flask"]


def test_other_methods_on_a_courier_path_are_405_and_store_nothing(client, configured: Engine) -> None:
    before = counts(configured)
    for method in ("GET", "PUT", "DELETE"):
        response = client.open(URL, method=method, headers={"X-Request-Id": "m-1"})
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
        assert response.json == {
            "error": "method_not_allowed",
            "detail": "only POST is allowed here",
            "request_id": "m-1",
        }
    assert counts(configured) == before


def test_paths_around_the_courier_route_are_flasks(client) -> None:
    for path in (
        "/webhooks/couriers/",
        "/webhooks/couriers/sandbox/",
        "/webhooks/couriers/sandbox/x",
        "/webhooks/couriersx",
    ):
        response = client.post(path, data=b"{}")
        assert response.status_code == 404, path
        assert response.json["error"] == "not_found"


def test_a_courier_name_is_read_as_utf8_and_an_unknown_one_is_named(client) -> None:
    response = client.post("/webhooks/couriers/p%C3%A5st", data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "unknown_courier"
    assert "'påst'" in response.json["detail"]
    assert courier_in("/webhooks/couriers/p\xc3\xa5st") == "påst"  # PATH_INFO is UTF-8 bytes as latin-1


def _call(app: Flask, body: bytes, headers: dict[str, str], *, length: bool) -> tuple[str, dict[str, str], bytes]:
    environ = EnvironBuilder(path=URL, method="POST", data=body, headers=headers).get_environ()
    if not length:  # as a server passes a chunked body: no Content-Length, the stream ends by itself
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input_terminated"] = True
    environ["wsgi.input"] = io.BytesIO(body)
    answer: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        answer.update(status=status, headers=dict(response_headers))

    data = b"".join(app.wsgi_app(environ, start_response))
    return answer["status"], answer["headers"], data  # type: ignore[return-value]


def test_a_body_without_content_length_is_read_to_its_end_and_held_to_the_limit(app: Flask, configured: Engine) -> None:
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", typed_number("sandbox", "ROUTE2"), "in_transit", NOW)
    status, _, data = _call(app, body, headers, length=False)
    assert (status, json.loads(data)) == ("200 OK", {"status": "accepted"})
    before = counts(configured)
    huge = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    status, response_headers, data = _call(app, huge, {"Content-Type": "application/json"}, length=False)
    assert status == "413 Request Entity Too Large"
    assert json.loads(data)["error"] == "payload_too_large"
    assert json.loads(data)["detail"] == "body is larger than 1 MiB"
    assert response_headers["X-Request-Id"]
    assert counts(configured) == before
