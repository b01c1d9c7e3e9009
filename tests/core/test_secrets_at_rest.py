"""Secrets at rest, on both databases: stored encrypted, re-encrypted with a new key, the previous
webhook secret verifying only within its window, and migration 0011 encrypting what was plain."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from perfile_core.db.migrate import downgrade, migrate
from perfile_core.db.secret_box import SecretBox, new_key
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain.errors import SecretKeyError, SignatureError
from perfile_core.services import admin
from perfile_core.services.stored_secrets import SecretPolicy, default_policy, rekey
from perfile_core.services.webhook_secrets import SecretCache, Source
from tests.actors import ADMIN

SHOP_SECRET = "shpss_plain-shop-secret-1234"
NEXT_SHOP_SECRET = "shpss_next-shop-secret-5678"
COURIER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
API_KEY = "pn-api-key-0123456789"
CREDENTIALS = {"uid": "ops@example.com", "password": "hunter2-courier"}
PLAIN = (SHOP_SECRET, NEXT_SHOP_SECRET, COURIER_SECRET, API_KEY, "hunter2-courier")
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _configure(db: Engine, policy: SecretPolicy | None = None) -> None:
    admin.add_store(
        db, key="fjall", name="Fjäll", platform="woocommerce", webhook_secret=SHOP_SECRET, policy=policy, actor=ADMIN
    )
    admin.rotate_store_secret(db, "fjall", NEXT_SHOP_SECRET, policy=policy, now=T0, actor=ADMIN)
    admin.configure_courier(
        db,
        "postnord",
        api_key=API_KEY,
        webhook_secret=COURIER_SECRET,
        credentials=CREDENTIALS,
        policy=policy,
        actor=ADMIN,
    )


def _raw_rows(db: Engine) -> str:
    """Every secret column as stored, read past the core."""
    with db.connect() as conn:
        shop = conn.execute(text("SELECT webhook_secret, webhook_secret_previous FROM stores")).all()
        courier = conn.execute(
            text("SELECT api_key, CAST(credentials AS TEXT), webhook_secret FROM courier_accounts")
        ).all()
    return json.dumps([list(row) for row in [*shop, *courier]])


def test_secrets_are_stored_encrypted_and_read_back_plain(db: Engine):
    _configure(db)
    raw = _raw_rows(db)
    for plain in [*PLAIN, "ops@example.com"]:
        assert plain not in raw
    assert raw.count('"gAAAAA') == 5  # Fernet tokens (version byte 0x80), the credentials' one included
    account = admin.get_courier_account(db, "postnord")
    assert (account.api_key, account.webhook_secret, account.credentials) == (API_KEY, COURIER_SECRET, CREDENTIALS)
    assert admin.store_webhook_secrets(db, "fjall", now=T0) == (NEXT_SHOP_SECRET, SHOP_SECRET)


def test_credentials_merge_with_the_stored_ones(db: Engine):
    _configure(db)
    admin.configure_courier(db, "postnord", credentials={"customer_number": "42"}, actor=ADMIN)
    assert admin.get_courier_account(db, "postnord").credentials == {**CREDENTIALS, "customer_number": "42"}


def test_rekey_re_encrypts_every_secret_so_only_the_new_key_is_needed(db: Engine):
    old, new = new_key(), new_key()
    _configure(db, SecretPolicy(SecretBox([old]), timedelta(hours=24)))
    before = _raw_rows(db)
    assert rekey(db, SecretBox([new, old]), actor=ADMIN) == 5  # 2 store secrets; courier secret, API key, credentials
    after = _raw_rows(db)
    assert after != before and all(plain not in after for plain in PLAIN)
    with_new = SecretPolicy(SecretBox([new]), timedelta(hours=24))
    account = admin.get_courier_account(db, "postnord", policy=with_new)
    assert (account.api_key, account.webhook_secret, account.credentials) == (API_KEY, COURIER_SECRET, CREDENTIALS)
    assert admin.store_webhook_secrets(db, "fjall", policy=with_new, now=T0) == (NEXT_SHOP_SECRET, SHOP_SECRET)
    with pytest.raises(SecretKeyError):
        admin.get_courier_account(db, "postnord", policy=SecretPolicy(SecretBox([old]), timedelta(hours=24)))


def _verify_with(secret: str):
    def check(source: Source) -> None:
        if secret not in source.secrets:
            raise SignatureError("no active secret matches")

    return check


def test_the_previous_secret_verifies_only_within_the_grace_period_then_is_dropped(db: Engine):
    _configure(db)  # rotated at T0; the default grace is 24 hours
    now = [T0 + timedelta(hours=23, minutes=59)]
    cache = SecretCache(db, ttl=3600, clock=lambda: now[0])
    cache.verified("store", "fjall", _verify_with(SHOP_SECRET))  # the previous secret, within its window
    assert admin.get_store(db, "fjall", now=now[0]).previous_secret_until == T0 + timedelta(hours=24)

    now[0] = T0 + timedelta(hours=24)  # the same cached entry: the window is checked at each delivery
    with pytest.raises(SignatureError):
        cache.verified("store", "fjall", _verify_with(SHOP_SECRET))
    cache.verified("store", "fjall", _verify_with(NEXT_SHOP_SECRET))
    with db.connect() as conn:  # the re-read that found it expired dropped it from the row
        assert conn.execute(select(stores.c.webhook_secret_previous)).scalar() is None
    assert admin.get_store(db, "fjall", now=now[0]).previous_secret_until is None


def test_reads_leave_out_an_expired_previous_secret_and_writes_prune_it(db: Engine):
    _configure(db)
    admin.configure_courier(db, "postnord", webhook_secret="whsec_" + "QUJD" * 8, now=T0, actor=ADMIN)
    within = admin.get_courier_account(db, "postnord", now=T0 + timedelta(hours=1))
    assert within.webhook_secrets == ("whsec_" + "QUJD" * 8, COURIER_SECRET)
    later = T0 + timedelta(hours=25)
    assert admin.get_courier_account(db, "postnord", now=later).webhook_secrets == ("whsec_" + "QUJD" * 8,)
    admin.configure_courier(db, "postnord", base_url="https://api.example.test", now=later, actor=ADMIN)
    with db.connect() as conn:
        assert conn.execute(select(courier_accounts.c.webhook_secret_previous)).scalar() is None


def test_the_grace_period_is_a_setting(db: Engine):
    _configure(db)
    short = SecretPolicy(default_policy().box, timedelta(hours=1))
    assert admin.store_webhook_secrets(db, "fjall", policy=short, now=T0 + timedelta(minutes=59)) == (
        NEXT_SHOP_SECRET,
        SHOP_SECRET,
    )
    assert admin.store_webhook_secrets(db, "fjall", policy=short, now=T0 + timedelta(hours=1)) == (NEXT_SHOP_SECRET,)


def test_migration_encrypts_plain_secrets_and_dates_a_kept_previous_one(db: Engine):
    downgrade(db, "0011-1")
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (id, key, name, platform, pickup_address, webhook_secret,"
                " webhook_secret_previous, created_at) VALUES (1, 'fjall', 'F', 'woocommerce', '{}', :s, :p, :t)"
            ),
            {"s": NEXT_SHOP_SECRET, "p": SHOP_SECRET, "t": T0},
        )
        conn.execute(
            text(
                "INSERT INTO courier_accounts (id, code, api_key, credentials, webhook_secret, settings, enabled,"
                " created_at, updated_at) VALUES (1, 'postnord', :k, :c, :s, '{}', true, :t, :t)"
            ),
            {"k": API_KEY, "c": json.dumps(CREDENTIALS), "s": COURIER_SECRET, "t": T0},
        )
    assert SHOP_SECRET in _raw_rows(db)
    before = datetime.now(UTC)
    migrate(db)
    raw = _raw_rows(db)
    assert all(plain not in raw for plain in PLAIN)
    account = admin.get_courier_account(db, "postnord")
    assert (account.api_key, account.webhook_secret, account.credentials) == (API_KEY, COURIER_SECRET, CREDENTIALS)
    store = admin.get_store(db, "fjall")
    # Kept forever until now: it expires one grace period after the upgrade.
    assert store.secret_rotated_at is not None and store.secret_rotated_at >= before - timedelta(seconds=1)
    assert admin.store_webhook_secrets(db, "fjall") == (NEXT_SHOP_SECRET, SHOP_SECRET)
    assert admin.store_webhook_secrets(db, "fjall", now=before + timedelta(hours=25)) == (NEXT_SHOP_SECRET,)

    downgrade(db, "0011-1")  # and back: plain again, as the older code reads them
    raw = _raw_rows(db)
    assert all(plain in raw for plain in PLAIN)
