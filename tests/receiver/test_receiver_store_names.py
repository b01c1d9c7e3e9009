"""Stores are found however their domain or key was typed: a Shopify store added as
' Up-Shop.MyShopify.com ' takes the deliveries Shopify sends, and a WooCommerce URL finds its
store in any case. On both databases, through the real receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine

from perfile_core.services import admin
from receiver import create_app
from tests.actors import ADMIN
from tests.receiver.helpers import counts
from tests.receiver.webshop_deliveries import shopify_order, woocommerce_order

SHOPIFY_SECRET = "shpss_up-shop-secret"
WOO_SECRET = "wc-fjall-secret"


@pytest.fixture
def app(db: Engine, db_url: str) -> Iterator[Flask]:
    admin.add_store(
        db,
        key="up-shop",
        name="Up",
        platform="shopify",
        shop_domain=" Up-Shop.MyShopify.com ",
        webhook_secret=SHOPIFY_SECRET,
        actor=ADMIN,
    )
    admin.add_store(db, key=" Fjall-Woo ", name="Fjäll", platform="woocommerce", webhook_secret=WOO_SECRET, actor=ADMIN)
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    yield app
    app.extensions["perfile"].perfile.close()


@pytest.mark.parametrize("header", ["up-shop.myshopify.com", "Up-Shop.MyShopify.COM", " up-shop.myshopify.com"])
def test_a_shopify_store_added_with_capitals_and_space_takes_shopifys_deliveries(
    app: Flask, db: Engine, header: str
) -> None:
    body, headers = shopify_order(SHOPIFY_SECRET, header, 4101, webhook_id="w-1")
    response = app.test_client().post("/webhooks/shopify", data=body, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == {"status": "accepted"}
    assert counts(db)["orders"] == 1
    # The same delivery under the domain in another spelling is the same delivery.
    body, headers = shopify_order(SHOPIFY_SECRET, "UP-SHOP.myshopify.com", 4101, webhook_id="w-1")
    assert app.test_client().post("/webhooks/shopify", data=body, headers=headers).json == {"status": "duplicate"}


@pytest.mark.parametrize("key", ["fjall-woo", "FJALL-WOO", "Fjall-Woo"])
def test_a_woocommerce_url_finds_its_store_in_any_case(app: Flask, db: Engine, key: str) -> None:
    body, headers = woocommerce_order(WOO_SECRET, 77)
    response = app.test_client().post(f"/webhooks/woocommerce/{key}", data=body, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == {"status": "accepted"}
    assert counts(db)["orders"] == 1
