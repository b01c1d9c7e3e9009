"""`orders export|create|show|attach-tracking|delete`."""

from __future__ import annotations

import argparse
import json
import sys

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.cli.arguments import day
from perfile_core.clock import utcnow
from perfile_core.services import orders as order_service
from perfile_core.services.exports import export_row, export_rows, write_orders_csv
from perfile_core.services.order_detail import find_order, order_detail
from perfile_core.services.order_filters import OrderFilter, parse_statuses


def register(subparsers: argparse._SubParsersAction) -> None:
    orders = subparsers.add_parser("orders", help="list, export and change orders")
    commands = orders.add_subparsers(dest="orders_command", required=True, parser_class=type(orders))

    export = commands.add_parser("export", help="every matching order with its computed fields")
    export.add_argument("--format", choices=["csv", "json"], default="json")
    add_filter_arguments(export)
    export.set_defaults(handler=_export)

    create = commands.add_parser("create", help="create a manual order")
    create.add_argument("--store", required=True, dest="store_key")
    create.add_argument("--customer-name", required=True)
    create.add_argument("--order-number", help="generated when omitted")
    for name in ("customer-email", "customer-phone", "address-line1", "postal-code", "city", "country-code"):
        create.add_argument(f"--{name}")
    create.add_argument("--weight-grams", type=int)
    create.set_defaults(handler=_create)

    show = commands.add_parser("show", help="one order with its timeline")
    show.add_argument("order", help="order id, order number or tracking number")
    show.set_defaults(handler=_show)

    attach = commands.add_parser("attach-tracking", help="attach a tracking number by hand")
    attach.add_argument("order")
    attach.add_argument("--tracking-number", required=True)
    attach.add_argument(
        "--courier", help="courier code; default: the order's courier, else the one whose format the number has"
    )
    attach.set_defaults(handler=_attach)

    delete = commands.add_parser("delete", help="soft-delete an order (kept for audit)")
    delete.add_argument("order")
    delete.add_argument("--reason", required=True, help="why; kept in the audit log")
    delete.set_defaults(handler=_delete)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", action="append", default=[], help="repeat or comma-separate")
    parser.add_argument("--store", action="append", default=[], help="store key; repeatable")
    parser.add_argument("--courier", action="append", default=[], help="courier code; repeatable")
    parser.add_argument("--search", help="order number, tracking number or part of a name")
    parser.add_argument("--needs-action", action="store_true")
    parser.add_argument("--since", type=day, help="created on or after YYYY-MM-DD")
    parser.add_argument("--until", type=day, help="created on or before YYYY-MM-DD")


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def filter_from_args(args: argparse.Namespace) -> OrderFilter:
    return OrderFilter(
        statuses=parse_statuses(_split(args.status)),
        store_keys=_split(args.store),
        couriers=_split(args.courier),
        search=args.search,
        needs_action=args.needs_action,
        created_from=args.since,
        created_to=args.until,
    )


def _export(args: argparse.Namespace, app: Perfile) -> int:
    rows = export_rows(app.db, filter_from_args(args))
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        write_orders_csv(rows, sys.stdout)
    return 0


def _create(args: argparse.Namespace, app: Perfile) -> int:
    data = {
        key: value
        for key, value in vars(args).items()
        if key
        in (
            "store_key",
            "customer_name",
            "order_number",
            "customer_email",
            "customer_phone",
            "address_line1",
            "postal_code",
            "city",
            "country_code",
            "weight_grams",
        )
        and value is not None
    }
    order = order_service.create_order(app.db, data, actor=cli_actor(app.settings))
    print(f"order {order.order_number} created (id {order.id})")
    return 0


def _show(args: argparse.Namespace, app: Perfile) -> int:
    detail = order_detail(app.db, find_order(app.db, args.order))
    print(json.dumps(export_row(detail.order, utcnow()), indent=2, ensure_ascii=False))
    for entry in detail.timeline:
        print(f"{entry.at:%Y-%m-%d %H:%M}  {entry.kind:<12} {entry.title}  {entry.detail}")
    return 0


def _attach(args: argparse.Namespace, app: Perfile) -> int:
    order_id = find_order(app.db, args.order)
    order = order_service.attach_tracking(
        app.db, order_id, args.tracking_number, args.courier, actor=cli_actor(app.settings)
    )
    print(f"order {order.order_number}: {order.tracking_number} ({order.courier}), status {order.order_status}")
    return 0


def _delete(args: argparse.Namespace, app: Perfile) -> int:
    order_id = find_order(app.db, args.order)
    order_service.soft_delete_order(app.db, order_id, actor=cli_actor(app.settings), reason=args.reason)
    print(f"order {order_id} deleted")
    return 0
