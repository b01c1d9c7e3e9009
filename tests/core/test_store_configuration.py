"""Store and courier configuration is checked on the way in: secrets a courier's format can use,
store keys and shop domains in the one form every lookup uses. On both databases."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import Engine, select, text

from perfile_core.db.migrate import downgrade, migrate
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain.errors import Conflict, ValidationError
from perfile_core.services import admin
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.orders import create_order
from perfile_core.services.queries import count_orders
from perfile_core.services.stored_secrets import default_policy
from tests.actors import ADMIN

GOOD_SECRET = "whsec_" + base64.b64encode(b"k" * 24).decode()
OTHER_GOOD_SECRET = "whsec_" + base64.b64encode(b"q" * 32).decode()


def _stored_courier_secrets(db: Engine, code: str) -> tuple[str | None, str | None]:
    """The stored (encrypted) current and previous secret, decrypted."""
    with db.connect() as conn:
        row = conn.execute(
            select(courier_accounts.c.webhook_secret, courier_accounts.c.webhook_secret_previous).where(
                courier_accounts.c.code == code
            )
        ).one()
    box = default_policy().box
    return box.open_optional(row.webhook_secret), box.open_optional(row.webhook_secret_previous)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "starts with whsec_"),
        ("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", "starts with whsec_"),
        ("whsec_not base64!", "not valid base64"),
        ("whsec_abc", "not valid base64"),  # base64 needs padding to a multiple of 4
        ("whsec_" + base64.b64encode(b"short").decode(), "decodes to 5 bytes"),
        ("whsec_AAAA", "decodes to 3 bytes"),
    ],
)
@pytest.mark.parametrize("courier", ["sandbox", "postnord", "dhl"])
def test_unified_couriers_take_only_standard_webhooks_secrets(db: Engine, courier: str, secret: str, reason: str):
    admin.configure_courier(db, courier, webhook_secret=GOOD_SECRET, actor=ADMIN)
    with pytest.raises(ValidationError, match=reason) as error:
        admin.configure_courier(db, courier, webhook_secret=secret, actor=ADMIN)
    assert error.value.field == "webhook_secret"
    assert secret not in error.value.detail  # a secret is never echoed
    # A refused rotation changes nothing: the working secret stays, no 'previous' appears.
    assert _stored_courier_secrets(db, courier) == (GOOD_SECRET, None)


def test_a_valid_rotation_keeps_the_old_secret_as_previous(db: Engine):
    admin.configure_courier(db, "sandbox", webhook_secret=GOOD_SECRET, actor=ADMIN)
    admin.configure_courier(db, "sandbox", webhook_secret=f"  {OTHER_GOOD_SECRET}\n", actor=ADMIN)  # pasted with space
    assert _stored_courier_secrets(db, "sandbox") == (OTHER_GOOD_SECRET, GOOD_SECRET)


def test_bring_takes_its_plain_secret_header_value(db: Engine):
    """Bring Event Cast sends our configured header, not a Standard Webhooks signature."""
    account = admin.configure_courier(db, "bring", webhook_secret=" bring-eventcast-shared-3b9f ", actor=ADMIN)
    assert account.webhook_secret == "bring-eventcast-shared-3b9f"
    with pytest.raises(ValidationError, match="webhook_secret: cannot be empty"):
        admin.configure_courier(db, "bring", webhook_secret="   ", actor=ADMIN)


def test_shop_domain_and_key_are_stored_trimmed_and_in_lower_case(db: Engine):
    store = admin.add_store(
        db,
        key=" Up-Shop ",
        name="Up",
        platform="shopify",
        shop_domain=" Up-Shop.MyShopify.com ",
        webhook_secret="shpss_x",
        actor=ADMIN,
    )
    assert (store.key, store.shop_domain) == ("up-shop", "up-shop.myshopify.com")
    with db.connect() as conn:
        assert conn.execute(select(stores.c.key, stores.c.shop_domain)).one() == ("up-shop", "up-shop.myshopify.com")
    # Lookups by key in any case: the CLI's rotate-secret, orders for the store.
    assert admin.get_store(db, "UP-SHOP").id == store.id
    admin.rotate_store_secret(db, "Up-Shop", "shpss_y", actor=ADMIN)
    assert admin.store_webhook_secrets(db, "up-shop") == ("shpss_y", "shpss_x")
    assert create_order(db, {"store_key": "UP-shop", "customer_name": "Kari"}, actor=ADMIN).store_key == "up-shop"
    assert count_orders(db, OrderFilter(store_keys=("Up-Shop ",)))[0] == 1  # orders export --store


def test_a_key_or_domain_differing_only_in_case_is_taken(db: Engine):
    admin.add_store(db, key="nordic", name="N", platform="shopify", shop_domain="nordic.myshopify.com", actor=ADMIN)
    with pytest.raises(ValidationError, match="key: store 'nordic' already exists"):
        admin.add_store(db, key="NORDIC", name="N2", platform="manual", actor=ADMIN)
    with pytest.raises(ValidationError, match=re.escape("shop_domain: nordic.myshopify.com belongs to another store")):
        admin.add_store(db, key="other", name="O", platform="shopify", shop_domain="Nordic.MyShopify.com", actor=ADMIN)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "Kaffe Butik"}, "key: use 1-64 letters a-z, digits, - or _"),
        ({"key": "kaffe²"}, "key: use 1-64 letters a-z"),
        ({"key": "k" * 65}, "key: use 1-64"),
        ({"shop_domain": "https://up-shop.myshopify.com/"}, "shop_domain: must be a domain name alone"),
        ({"shop_domain": "up shop.myshopify.com"}, "shop_domain: must be a domain name alone"),
        ({"shop_domain": "shop.example.com"}, "shop_domain: must be the shop's .myshopify.com domain"),
        ({"shop_domain": "   "}, "shop_domain: Shopify stores are found by their shop domain"),
    ],
)
def test_store_names_that_cannot_work_are_refused(db: Engine, fields: dict[str, str], message: str):
    values = {"key": "up-shop", "name": "Up", "platform": "shopify", "shop_domain": "up-shop.myshopify.com"}
    with pytest.raises(ValidationError) as error:
        admin.add_store(db, **{**values, **fields}, actor=ADMIN)
    assert message in error.value.detail
    assert admin.list_stores(db) == []


def _insert_store(db: Engine, store_id: int, key: str, shop_domain: str | None) -> None:
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (id, key, name, platform, shop_domain, pickup_address, created_at)"
                " VALUES (:id, :key, 'S', 'shopify', :domain, '{}', '2026-01-01')"
            ),
            {"id": store_id, "key": key, "domain": shop_domain},
        )


def _store_names(db: Engine) -> list[tuple[str, str | None]]:
    with db.connect() as conn:
        return [tuple(row) for row in conn.execute(select(stores.c.key, stores.c.shop_domain).order_by(stores.c.id))]


def test_migration_normalises_stores_stored_as_typed(db: Engine):
    downgrade(db, "0004")
    _insert_store(db, 1, "Up-Shop", " Up-Shop.MyShopify.com ")
    _insert_store(db, 2, "nordic", "nordic.myshopify.com")
    _insert_store(db, 3, "Woo-Fjall", None)
    _insert_store(db, 4, "blank", " ")
    migrate(db)
    assert _store_names(db) == [
        ("up-shop", "up-shop.myshopify.com"),
        ("nordic", "nordic.myshopify.com"),
        ("woo-fjall", None),
        ("blank", None),
    ]
    assert admin.get_store(db, "Woo-Fjall").id == 3


def test_migration_refuses_stores_that_would_collide_and_changes_nothing(db: Engine):
    downgrade(db, "0004")
    _insert_store(db, 1, "Up-Shop", "Up-Shop.myshopify.com")
    _insert_store(db, 2, "up-shop", "up-shop.myshopify.com ")
    _insert_store(db, 3, "Other", None)
    with pytest.raises(Conflict) as error:
        migrate(db)
    assert "key 'Up-Shop', 'up-shop' would all become 'up-shop'" in error.value.detail
    assert "shop_domain 'Up-Shop.myshopify.com', 'up-shop.myshopify.com ' would all become" in error.value.detail
    assert _store_names(db) == [
        ("Up-Shop", "Up-Shop.myshopify.com"),
        ("up-shop", "up-shop.myshopify.com "),
        ("Other", None),
    ]
    with db.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
