"""`stores add|list` and `couriers configure|list`."""

from __future__ import annotations

import argparse
import json

from perfile_core.bootstrap import Perfile
from perfile_core.services import admin


def register(subparsers: argparse._SubParsersAction) -> None:
    stores = subparsers.add_parser("stores", help="webshops that send us orders")
    store_commands = stores.add_subparsers(dest="stores_command", required=True, parser_class=type(stores))
    add = store_commands.add_parser("add", help="add a store")
    add.add_argument("--key", required=True, help="short id used in URLs, e.g. nordic-coffee")
    add.add_argument("--name", required=True)
    add.add_argument("--platform", required=True, choices=admin.PLATFORMS)
    add.add_argument("--shop-domain", help="Shopify: the *.myshopify.com domain")
    add.add_argument("--webhook-secret", help="the secret the webshop signs webhooks with")
    add.set_defaults(handler=_add_store)
    listing = store_commands.add_parser("list", help="list stores")
    listing.set_defaults(handler=_list_stores)
    rotate = store_commands.add_parser("rotate-secret", help="new webhook secret; the old one stays valid")
    rotate.add_argument("key")
    rotate.add_argument("--webhook-secret", required=True)
    rotate.set_defaults(handler=_rotate)

    couriers = subparsers.add_parser("couriers", help="courier accounts")
    courier_commands = couriers.add_subparsers(dest="couriers_command", required=True, parser_class=type(couriers))
    configure = courier_commands.add_parser("configure", help="create or update a courier account")
    configure.add_argument("code", help="courier code, e.g. postnord, bring, dhl, sandbox")
    configure.add_argument("--api-key")
    configure.add_argument("--base-url")
    configure.add_argument(
        "--webhook-secret", help="unified-format couriers: whsec_ + base64 (Standard Webhooks); bring: the header value"
    )
    configure.add_argument("--credentials", type=_json_object, help='extra credentials as JSON, e.g. {"uid": "..."}')
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
        webhook_secret=args.webhook_secret,
    )
    print(f"store {store.key} added ({store.platform})")
    return 0


def _list_stores(args: argparse.Namespace, app: Perfile) -> int:
    rows = admin.list_stores(app.db)
    print(f"{'KEY':<20} {'PLATFORM':<12} {'SECRET':<7} {'SHOP DOMAIN':<40} NAME")
    for s in rows:
        secret = "yes" if s.has_webhook_secret else "no"
        print(f"{s.key:<20} {s.platform:<12} {secret:<7} {s.shop_domain or '-':<40} {s.name}")
    return 0


def _rotate(args: argparse.Namespace, app: Perfile) -> int:
    admin.rotate_store_secret(app.db, args.key, args.webhook_secret)
    print(f"store {args.key}: new secret active; the previous one is still accepted")
    return 0


def _configure(args: argparse.Namespace, app: Perfile) -> int:
    account = admin.configure_courier(
        app.db,
        args.code,
        api_key=args.api_key,
        base_url=args.base_url,
        webhook_secret=args.webhook_secret,
        credentials=args.credentials,
        settings=args.settings,
    )
    print(f"courier {account.code} configured")
    return 0


def _list_couriers(args: argparse.Namespace, app: Perfile) -> int:
    print(f"{'CODE':<12} {'API KEY':<8} {'WEBHOOK SECRET':<15} BASE URL")
    for a in admin.list_courier_accounts(app.db):
        api_key = "set" if a.api_key else "-"
        secret = "set" if a.webhook_secret else "-"
        print(f"{a.code:<12} {api_key:<8} {secret:<15} {a.base_url or '(default)'}")
    return 0
