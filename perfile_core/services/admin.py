"""Stores and courier accounts: the configuration operators and the CLI manage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.push import checked_webhook_secret
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain import store_names
from perfile_core.domain.courier_ownership import SPEAKS_FOR, check_speaks_for
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import NotFound, ValidationError

PLATFORMS = ("shopify", "woocommerce", "manual")


@dataclass(frozen=True)
class Store:
    id: int
    key: str
    name: str
    platform: str
    shop_domain: str | None
    pickup_address: dict[str, Any]
    has_webhook_secret: bool


def add_store(
    db: Engine,
    *,
    key: str,
    name: str,
    platform: str,
    shop_domain: str | None = None,
    webhook_secret: str | None = None,
    pickup_address: dict[str, Any] | None = None,
) -> Store:
    key = store_names.checked_store_key(key)
    if not name.strip():
        raise ValidationError("name", "cannot be empty")
    if platform not in PLATFORMS:
        raise ValidationError("platform", f"must be one of {', '.join(PLATFORMS)}")
    typed_domain = (shop_domain or "").strip()
    if platform == "shopify" and not typed_domain:
        raise ValidationError("shop_domain", "Shopify stores are found by their shop domain")
    shop_domain = store_names.checked_shop_domain(typed_domain, platform) if typed_domain else None
    with db.begin() as conn:
        if conn.execute(select(stores.c.id).where(stores.c.key == key)).first():
            raise ValidationError("key", f"store {key!r} already exists")
        if shop_domain and conn.execute(select(stores.c.id).where(stores.c.shop_domain == shop_domain)).first():
            raise ValidationError("shop_domain", f"{shop_domain} belongs to another store")
        conn.execute(
            stores.insert().values(
                key=key,
                name=name.strip(),
                platform=platform,
                shop_domain=shop_domain,
                webhook_secret=webhook_secret or None,
                webhook_secret_set_at=utcnow() if webhook_secret else None,
                pickup_address=pickup_address or {},
                created_at=utcnow(),
            )
        )
    return get_store(db, key)


def rotate_store_secret(db: Engine, key: str, new_secret: str) -> None:
    """The old secret stays valid as 'previous' (Shopify signs with it for up to an hour)."""
    key = store_names.store_key(key)
    with db.begin() as conn:
        current = conn.execute(select(stores.c.webhook_secret).where(stores.c.key == key)).first()
        if current is None:
            raise NotFound(f"unknown store {key!r}")
        conn.execute(
            stores.update()
            .where(stores.c.key == key)
            .values(
                webhook_secret=new_secret,
                webhook_secret_previous=current.webhook_secret,
                webhook_secret_set_at=utcnow(),
            )
        )


def _store(row: Any) -> Store:
    return Store(
        id=row.id,
        key=row.key,
        name=row.name,
        platform=row.platform,
        shop_domain=row.shop_domain,
        pickup_address=row.pickup_address or {},
        has_webhook_secret=bool(row.webhook_secret),
    )


def get_store(db: Engine, key: str) -> Store:
    key = store_names.store_key(key)
    with db.connect() as conn:
        row = conn.execute(select(stores).where(stores.c.key == key)).first()
    if row is None:
        raise NotFound(f"unknown store {key!r}")
    return _store(row)


def list_stores(db: Engine) -> list[Store]:
    with db.connect() as conn:
        return [_store(row) for row in conn.execute(select(stores).order_by(stores.c.key))]


def configure_courier(
    db: Engine,
    code: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    webhook_secret: str | None = None,
    credentials: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> CourierAccount:
    """Create or update a courier account; only the given values change.

    A new webhook secret keeps the old one as 'previous' so in-flight deliveries verify.
    """
    if code not in COURIER_NAMES:
        raise ValidationError("code", f"unknown courier {code!r}; known: {', '.join(COURIER_NAMES)}")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ValidationError("base_url", "must start with http:// or https://")
    if webhook_secret is not None:
        webhook_secret = checked_webhook_secret(code, webhook_secret)
    if settings is not None and SPEAKS_FOR in settings:
        check_speaks_for(settings[SPEAKS_FOR])
    now = utcnow()
    with db.begin() as conn:
        existing = conn.execute(select(courier_accounts).where(courier_accounts.c.code == code)).first()
        values: dict[str, Any] = {"updated_at": now}
        if api_key is not None:
            values["api_key"] = api_key
        if base_url is not None:
            values["base_url"] = base_url.rstrip("/")
        if webhook_secret is not None:
            values["webhook_secret"] = webhook_secret
            if existing is None or existing.webhook_secret != webhook_secret:
                values["webhook_secret_set_at"] = now
            if existing is not None and existing.webhook_secret != webhook_secret:
                values["webhook_secret_previous"] = existing.webhook_secret
        if credentials is not None:
            values["credentials"] = {**((existing.credentials or {}) if existing else {}), **credentials}
        if settings is not None:
            values["settings"] = {**((existing.settings or {}) if existing else {}), **settings}
        if existing is None:
            conn.execute(
                courier_accounts.insert().values(
                    **{"credentials": {}, "settings": {}, **values}, code=code, created_at=now, enabled=True
                )
            )
        else:
            conn.execute(courier_accounts.update().where(courier_accounts.c.code == code).values(**values))
    return get_courier_account(db, code)


def courier_account_in(conn: Connection, code: str) -> CourierAccount | None:
    row = conn.execute(select(courier_accounts).where(courier_accounts.c.code == code)).first()
    if row is None:
        return None
    return CourierAccount(
        code=row.code,
        api_key=row.api_key,
        base_url=row.base_url,
        webhook_secret=row.webhook_secret,
        webhook_secret_previous=row.webhook_secret_previous,
        credentials=row.credentials or {},
        settings=row.settings or {},
        enabled=row.enabled,
    )


def get_courier_account(db: Engine, code: str) -> CourierAccount:
    with db.connect() as conn:
        account = courier_account_in(conn, code)
    if account is None:
        raise NotFound(f"courier {code!r} is not configured")
    return account


def list_courier_accounts(db: Engine) -> list[CourierAccount]:
    with db.connect() as conn:
        codes = conn.execute(select(courier_accounts.c.code).order_by(courier_accounts.c.code)).scalars().all()
        return [account for code in codes if (account := courier_account_in(conn, code))]
