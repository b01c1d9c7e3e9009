"""Stores and courier accounts: the configuration operators and the CLI manage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.couriers.account import CourierAccount
from perfile_core.couriers.push import checked_webhook_secret
from perfile_core.db import audit_repo
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain import store_names
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.courier_ownership import SPEAKS_FOR, check_speaks_for
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import NotFound, ValidationError
from perfile_core.services.stored_secrets import SecretPolicy, default_policy, prune_expired

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
    secret_rotated_at: datetime | None = None
    previous_secret_until: datetime | None = None  # the previous secret still verifies until then


def add_store(
    db: Engine,
    *,
    key: str,
    name: str,
    platform: str,
    shop_domain: str | None = None,
    webhook_secret: str | None = None,
    pickup_address: dict[str, Any] | None = None,
    actor: Actor,
    policy: SecretPolicy | None = None,
) -> Store:
    """`webhook_secret` is stored encrypted (services/stored_secrets.py)."""
    require(actor, Permission.MANAGE_STORES)
    if webhook_secret is not None:
        require(actor, Permission.MANAGE_SECRETS)
    policy = policy or default_policy()
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
                webhook_secret=policy.box.seal_optional(webhook_secret),
                webhook_secret_set_at=utcnow() if webhook_secret else None,
                pickup_address=pickup_address or {},
                created_at=utcnow(),
            )
        )
        after = {"key": key, "name": name.strip(), "platform": platform, "shop_domain": shop_domain}
        audit_repo.record(
            conn, actor, "store.added", None, {"store": key}, utcnow(), after={**after, **_secret_fact(webhook_secret)}
        )
    return get_store(db, key, policy=policy)


def rotate_store_secret(
    db: Engine,
    key: str,
    new_secret: str,
    *,
    actor: Actor,
    policy: SecretPolicy | None = None,
    now: datetime | None = None,
) -> Store:
    """The old secret stays valid as 'previous' for the policy's grace period (Shopify signs with
    it for up to an hour), then is dropped."""
    require(actor, Permission.MANAGE_SECRETS)
    policy = policy or default_policy()
    now = now or utcnow()
    key = store_names.store_key(key)
    if not new_secret.strip():
        raise ValidationError("webhook_secret", "cannot be empty")
    with db.begin() as conn:
        prune_expired(conn, stores, policy, now)
        current = conn.execute(select(stores.c.webhook_secret).where(stores.c.key == key)).first()
        if current is None:
            raise NotFound(f"unknown store {key!r}")
        values = policy.rotation_values(current.webhook_secret, new_secret, now)
        conn.execute(stores.update().where(stores.c.key == key).values(**values))
        audit_repo.record(
            conn,
            actor,
            "store.secret_rotated",
            None,
            {"store": key},
            now,
            before=_secret_fact(current.webhook_secret),
            after={"webhook_secret": "rotated"},
        )
    return get_store(db, key, policy=policy, now=now)


def _secret_fact(value: Any) -> dict[str, str]:
    """What the audit keeps of a secret: whether one was set, never the value."""
    return {"webhook_secret": "set" if value else "none"}


_SECRET_FIELDS = ("api_key", "webhook_secret", "credentials")


def _courier_facts(source: Any, changed: dict[str, Any]) -> dict[str, Any]:
    """The changed fields of a courier account for the audit: secrets as "set"/"none", the rest as they are."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name, None)
    facts: dict[str, Any] = {}
    for name in changed:
        if name in ("updated_at", "webhook_secret_previous", "webhook_secret_rotated_at", "webhook_secret_set_at"):
            continue
        value = get(name)
        facts[name] = ("set" if value else "none") if name in _SECRET_FIELDS else value
    return facts


def _store(row: Any, policy: SecretPolicy, now: datetime) -> Store:
    until = policy.previous_until(row)
    return Store(
        id=row.id,
        key=row.key,
        name=row.name,
        platform=row.platform,
        shop_domain=row.shop_domain,
        pickup_address=row.pickup_address or {},
        has_webhook_secret=bool(row.webhook_secret),
        secret_rotated_at=row.webhook_secret_rotated_at,
        previous_secret_until=until if until is not None and now < until else None,
    )


def get_store(db: Engine, key: str, *, policy: SecretPolicy | None = None, now: datetime | None = None) -> Store:
    key = store_names.store_key(key)
    with db.connect() as conn:
        row = conn.execute(select(stores).where(stores.c.key == key)).first()
    if row is None:
        raise NotFound(f"unknown store {key!r}")
    return _store(row, policy or default_policy(), now or utcnow())


def list_stores(db: Engine, *, policy: SecretPolicy | None = None, now: datetime | None = None) -> list[Store]:
    policy, now = policy or default_policy(), now or utcnow()
    with db.connect() as conn:
        return [_store(row, policy, now) for row in conn.execute(select(stores).order_by(stores.c.key))]


def store_webhook_secrets(
    db: Engine, key: str, *, policy: SecretPolicy | None = None, now: datetime | None = None
) -> tuple[str, ...]:
    """The plain secrets that verify the store's deliveries now (current first): for the simulator."""
    with db.connect() as conn:
        row = conn.execute(select(stores).where(stores.c.key == store_names.store_key(key))).first()
    if row is None:
        raise NotFound(f"unknown store {key!r}")
    return (policy or default_policy()).webhook_secrets(row, now or utcnow())


def configure_courier(
    db: Engine,
    code: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    webhook_secret: str | None = None,
    credentials: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    actor: Actor,
    policy: SecretPolicy | None = None,
    now: datetime | None = None,
) -> CourierAccount:
    """Create or update a courier account; only the given values change.

    The API key, credentials and webhook secrets are stored encrypted. A new webhook secret keeps
    the old one as 'previous' for the policy's grace period, so in-flight deliveries verify.
    """
    require(actor, Permission.MANAGE_COURIERS)
    if api_key is not None or webhook_secret is not None or credentials is not None:
        require(actor, Permission.MANAGE_SECRETS)
    policy = policy or default_policy()
    if code not in COURIER_NAMES:
        raise ValidationError("code", f"unknown courier {code!r}; known: {', '.join(COURIER_NAMES)}")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ValidationError("base_url", "must start with http:// or https://")
    if webhook_secret is not None:
        webhook_secret = checked_webhook_secret(code, webhook_secret)
    if settings is not None and SPEAKS_FOR in settings:
        check_speaks_for(settings[SPEAKS_FOR])
    now = now or utcnow()
    with db.begin() as conn:
        prune_expired(conn, courier_accounts, policy, now)
        existing = conn.execute(select(courier_accounts).where(courier_accounts.c.code == code)).first()
        values: dict[str, Any] = {"updated_at": now}
        if api_key is not None:
            values["api_key"] = policy.box.seal_optional(api_key)
        if base_url is not None:
            values["base_url"] = base_url.rstrip("/")
        current = policy.box.open_optional(existing.webhook_secret) if existing is not None else None
        if webhook_secret is not None and webhook_secret != current:
            values.update(policy.rotation_values(existing.webhook_secret if existing else None, webhook_secret, now))
        if credentials is not None:
            stored = policy.opened_credentials(existing.credentials) if existing else {}
            values["credentials"] = policy.sealed_credentials({**stored, **credentials})
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
        audit_repo.record(
            conn,
            actor,
            "courier.configured",
            None,
            {"courier": code},
            now,
            before=_courier_facts(existing, values) if existing is not None else None,
            after=_courier_facts(values, values),
        )
    return get_courier_account(db, code, policy=policy, now=now)


def courier_account_in(
    conn: Connection, code: str, *, policy: SecretPolicy | None = None, now: datetime | None = None
) -> CourierAccount | None:
    """The account with its secrets decrypted; a previous webhook secret past its window is left out."""
    row = conn.execute(select(courier_accounts).where(courier_accounts.c.code == code)).first()
    if row is None:
        return None
    return _courier_account(row, policy or default_policy(), now or utcnow())


def _courier_account(row: Any, policy: SecretPolicy, now: datetime) -> CourierAccount:
    secrets = policy.webhook_secrets(row, now)
    until = policy.previous_until(row)
    return CourierAccount(
        code=row.code,
        api_key=policy.box.open_optional(row.api_key),
        base_url=row.base_url,
        webhook_secret=secrets[0] if row.webhook_secret else None,
        webhook_secret_previous=secrets[1] if len(secrets) > 1 else None,
        credentials=policy.opened_credentials(row.credentials),
        settings=row.settings or {},
        enabled=row.enabled,
        secret_rotated_at=row.webhook_secret_rotated_at,
        previous_secret_until=until if len(secrets) > 1 else None,
    )


def get_courier_account(
    db: Engine, code: str, *, policy: SecretPolicy | None = None, now: datetime | None = None
) -> CourierAccount:
    with db.connect() as conn:
        account = courier_account_in(conn, code, policy=policy, now=now)
    if account is None:
        raise NotFound(f"courier {code!r} is not configured")
    return account


def list_courier_accounts(
    db: Engine, *, policy: SecretPolicy | None = None, now: datetime | None = None
) -> list[CourierAccount]:
    policy, now = policy or default_policy(), now or utcnow()
    with db.connect() as conn:
        rows = conn.execute(select(courier_accounts).order_by(courier_accounts.c.code)).all()
    return [_courier_account(row, policy, now) for row in rows]
