"""`stores add|list|rotate-secret` and `couriers configure|list`; secrets via secret_input."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.cli.secret_input import add_secret_arguments, read_stdin, secret_values
from perfile_core.domain.errors import ValidationError
from perfile_core.services import admin


def register(subparsers: argparse._SubParsersAction) -> None:
    stores = subparsers.add_parser("stores", help="webshops that send us orders")
    store_commands = stores.add_subparsers(dest="stores_command", required=True, parser_class=type(stores))
    add = store_commands.add_parser("add", help="add a store")
    add.add_argument("--key", required=True, help="short id used in URLs, e.g. nordic-coffee")
    add.add_argument("--name", required=True)
    add.add_argument("--platform", required=True, choices=admin.PLATFORMS)
    add.add_argument("--shop-domain", help="Shopify: the *.myshopify.com domain")
    add_secret_arguments(add, "webhook_secret", "the secret the webshop signs webhooks with")
    add.set_defaults(handler=_add_store)
    listing = store_commands.add_parser("list", help="list stores")
    listing.set_defaults(handler=_list_stores)
    rotate = store_commands.add_parser(
        "rotate-secret", help="new webhook secret; the old one stays valid for PERFILE_SECRET_ROTATION_GRACE_HOURS"
    )
    rotate.add_argument("key")
    add_secret_arguments(rotate, "webhook_secret", "the new secret")
    rotate.set_defaults(handler=_rotate)

    couriers = subparsers.add_parser("couriers", help="courier accounts")
    courier_commands = couriers.add_subparsers(dest="couriers_command", required=True, parser_class=type(couriers))
    configure = courier_commands.add_parser("configure", help="create or update a courier account")
    configure.add_argument("code", help="courier code, e.g. postnord, bring, dhl, sandbox")
    add_secret_arguments(configure, "api_key", "the courier's API key")
    configure.add_argument("--base-url")
    add_secret_arguments(
        configure,
        "webhook_secret",
        "the webhook secret (unified-format couriers: whsec_ + base64, Standard Webhooks; bring: the header value)",
    )
    add_secret_arguments(configure, "credentials", 'extra credentials as a JSON object, e.g. {"uid": "..."}')
    configure.add_argument("--settings", type=_json_object, help="courier settings as JSON (e.g. a rate table)")
    configure.set_defaults(handler=_configure)
    listing = courier_commands.add_parser("list", help="list courier accounts (secrets hidden)")
    listing.set_defaults(handler=_list_couriers)


def _json_object(value: str) -> dict:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return parsed


def _add_store(args: argparse.Namespace, app: Perfile) -> int:
    store = admin.add_store(
        app.db,
        key=args.key,
        name=args.name,
        platform=args.platform,
        shop_domain=args.shop_domain,
        webhook_secret=secret_values(args, "webhook_secret")["webhook_secret"],
        actor=cli_actor(app.settings),
    )
    print(f"store {store.key} added ({store.platform})")
    return 0


def _list_stores(args: argparse.Namespace, app: Perfile) -> int:
    rows = admin.list_stores(app.db)
    print(f"{'KEY':<20} {'PLATFORM':<12} {'SHOP DOMAIN':<40} {'NAME':<30} WEBHOOK SECRET")
    for s in rows:
        secret = _secret_state(s.has_webhook_secret, s.secret_rotated_at, s.previous_secret_until)
        print(f"{s.key:<20} {s.platform:<12} {s.shop_domain or '-':<40} {s.name:<30} {secret}")
    return 0


def _rotate(args: argparse.Namespace, app: Perfile) -> int:
    # Without --webhook-secret-env the new secret comes from standard input (a hidden prompt on a terminal).
    new_secret = secret_values(args, "webhook_secret")["webhook_secret"] or read_stdin("webhook_secret")
    store = admin.rotate_store_secret(app.db, args.key, new_secret, actor=cli_actor(app.settings))
    until = f" until {_utc(store.previous_secret_until)}" if store.previous_secret_until else ""
    print(f"store {store.key}: new secret active; the previous one is accepted{until}")
    return 0


def _configure(args: argparse.Namespace, app: Perfile) -> int:
    values = secret_values(args, "api_key", "webhook_secret", "credentials")
    credentials = values["credentials"]
    account = admin.configure_courier(
        app.db,
        args.code,
        api_key=values["api_key"],
        base_url=args.base_url,
        webhook_secret=values["webhook_secret"],
        credentials=_credentials(credentials) if credentials is not None else None,
        settings=args.settings,
        actor=cli_actor(app.settings),
    )
    print(f"courier {account.code} configured")
    return 0


def _credentials(value: str) -> dict:
    try:
        return _json_object(value)
    except argparse.ArgumentTypeError as exc:
        raise ValidationError("credentials", str(exc)) from None  # the value is a secret: not repeated


def _list_couriers(args: argparse.Namespace, app: Perfile) -> int:
    print(f"{'CODE':<12} {'API KEY':<8} {'BASE URL':<40} WEBHOOK SECRET")
    for a in admin.list_courier_accounts(app.db):
        api_key = "set" if a.api_key else "-"
        secret = _secret_state(bool(a.webhook_secret), a.secret_rotated_at, a.previous_secret_until)
        print(f"{a.code:<12} {api_key:<8} {a.base_url or '(default)':<40} {secret}")
    return 0


def _secret_state(is_set: bool, rotated_at: datetime | None, previous_until: datetime | None) -> str:
    """Whether a secret is set and when it was rotated; never the secret."""
    if not is_set:
        return "-"
    state = f"set, rotated at {_utc(rotated_at)}" if rotated_at else "set"
    return f"{state} (previous valid until {_utc(previous_until)})" if previous_until else state


def _utc(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"
