"""`book`, `label`, `quote`, `cancel-booking`, `poll-tracking`, `send-notifications`,
`notify`, `claim` and `couriers`: the booking side of the CLI. Each handler calls one service."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.cli.files import write_new_file
from perfile_core.cli.repeat import run_passes
from perfile_core.domain.access import Actor
from perfile_core.services import claims as claim_service
from perfile_core.services import notifications
from perfile_core.services.booking import book_order
from perfile_core.services.bulk_booking import book_orders
from perfile_core.services.cancellation import cancel_booking
from perfile_core.services.order_detail import find_order
from perfile_core.services.poller import poll_tracking
from perfile_core.services.quotes import quote_order
from perfile_core.services.shipment_labels import get_label


def _actor(args: argparse.Namespace, app: Perfile) -> Actor:
    return cli_actor(app.settings, args.actor)


def register(subparsers: argparse._SubParsersAction) -> None:
    def add(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help_text)
        parser.add_argument("--actor", help="who is acting (audit log); default cli:<user>")
        parser.set_defaults(handler=handler)
        return parser

    book = add("book", "book shipments: one order, or many with one courier/service", _book)
    book.add_argument("orders", nargs="+", metavar="ORDER", help="order id, order number or tracking number")
    book.add_argument("--courier", required=True)
    book.add_argument("--service", required=True)
    book.add_argument("--workers", type=int, default=4, help="parallel courier calls for many orders")

    label = add("label", "write the order's shipping label PDF to stdout (or --output)", _label)
    label.add_argument("order", metavar="ORDER")
    label.add_argument("--output", type=Path, help="write the PDF here (never through a symlink)")
    label.add_argument("--force", action="store_true", help="replace an existing file at --output")

    quote = add("quote", "prices, ETAs and regional performance of every courier for an order", _quote)
    quote.add_argument("order", metavar="ORDER")
    quote.add_argument("--json", action="store_true")

    cancel = add("cancel-booking", "cancel a booked shipment before pickup", _cancel)
    cancel.add_argument("order", metavar="ORDER")
    cancel.add_argument("--reason", default="")

    poll = add("poll-tracking", "refresh shipments of couriers that do not push (PostNord, DHL)", _poll)
    poll.add_argument("--limit", type=int, default=500)
    poll.add_argument("--every", type=float, help="keep polling, this many seconds apart")

    send = add("send-notifications", "send queued customer e-mails over SMTP", _send)
    send.add_argument("--limit", type=int, default=200)
    send.add_argument("--every", type=float, help="keep sending, this many seconds apart")

    notify = add("notify", "send the tracking e-mail for an order now", _notify)
    notify.add_argument("order", metavar="ORDER")

    claim = add("claim", "file a claim for an order", _claim)
    claim.add_argument("order", metavar="ORDER")
    claim.add_argument("--type", required=True, choices=claim_service.CLAIM_TYPES, dest="claim_type")
    claim.add_argument("--description", required=True)
    claim.add_argument("--amount")
    claim.add_argument("--currency")

    status = add("claim-status", "move a claim along its workflow", _claim_status)
    status.add_argument("claim_id", type=int)
    status.add_argument("status", choices=claim_service.STATUSES)
    status.add_argument("--note", default="")

    add("courier-capabilities", "configured couriers and what each supports", _couriers)

    simulate = add("simulate-sandbox", "demo: push due sandbox journey events to the receiver", _simulate)
    simulate.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="courier hours sent per real hour (60 = 1 h/min); scans keep the journey's real dates",
    )
    simulate.add_argument("--every", type=float, help="keep simulating, this many seconds apart")


def _book(args: argparse.Namespace, app: Perfile) -> int:
    ids = [find_order(app.db, reference) for reference in args.orders]
    if len(ids) == 1:
        result = book_order(
            app.db, app.couriers, ids[0], args.courier, args.service, actor=_actor(args, app), settings=app.settings
        )
        again = " (already booked earlier)" if result.replayed else ""
        print(
            f"{result.order_number}: {result.tracking_number} via {result.courier}/{result.service}, "
            f"estimated delivery {result.estimated_delivery or 'unknown'}{again}"
        )
        return 0
    items = book_orders(
        app.db,
        app.couriers,
        ids,
        args.courier,
        args.service,
        actor=_actor(args, app),
        settings=app.settings,
        workers=args.workers,
    )
    for item in items:
        print(f"{item.order_id}\t{'ok' if item.ok else 'FAILED'}\t{item.message}")
    failed = sum(1 for item in items if not item.ok)
    print(f"{len(items) - failed} booked, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _label(args: argparse.Namespace, app: Perfile) -> int:
    pdf = get_label(app.db, app.couriers, find_order(app.db, args.order))
    if args.output:
        write_new_file(args.output, pdf, replace=args.force)
    else:
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
    return 0


def _quote(args: argparse.Namespace, app: Perfile) -> int:
    result = quote_order(app.db, app.couriers, find_order(app.db, args.order))
    rows = [
        {
            "courier": o.courier,
            "service": o.quote.service,
            "name": o.quote.service_name,
            "price": str(o.price),
            "currency": o.quote.currency,
            "estimated_delivery": o.estimated_delivery.isoformat() if o.estimated_delivery else None,
            "on_time_rate": o.performance.on_time_rate,
            "avg_delivery_hours": o.performance.avg_delivery_hours,
            "history": o.performance.delivered,
        }
        for o in result.options
    ]
    if args.json:
        print(json.dumps({"region": result.region, "options": rows, "errors": result.errors}, indent=2))
        return 0
    print(f"Region {result.region}")
    for r in rows:
        rate = f"{r['on_time_rate']:.0%}" if r["on_time_rate"] is not None else "-"
        hours = f"{r['avg_delivery_hours']}h" if r["avg_delivery_hours"] is not None else "-"
        print(
            f"{r['courier']:<9} {r['service']:<22} {r['price']:>9} {r['currency']}  "
            f"ETA {r['estimated_delivery']}  on time {rate} ({r['history']} delivered), avg {hours}"
        )
    for courier, why in result.errors.items():
        print(f"{courier}: {why}", file=sys.stderr)
    return 0


def _cancel(args: argparse.Namespace, app: Perfile) -> int:
    cancel_booking(app.db, app.couriers, find_order(app.db, args.order), actor=_actor(args, app), reason=args.reason)
    print("cancelled; the order is pending again")
    return 0


def _poll(args: argparse.Namespace, app: Perfile) -> int:
    def one_pass() -> int:
        report = poll_tracking(app.db, app.couriers, limit=args.limit)
        print(
            f"polled {report.shipments} shipments: {report.events_new} new events, "
            f"{report.status_changes} status changes, {len(report.errors)} errors",
            flush=True,
        )
        for order_number, message in report.errors:
            print(f"  {order_number}: {message}", file=sys.stderr)
        return 1 if report.errors and len(report.errors) == report.shipments else 0

    return run_passes(one_pass, args.every)


def _send(args: argparse.Namespace, app: Perfile) -> int:
    def one_pass() -> int:
        report = notifications.send_pending(app.db, app.settings, limit=args.limit)
        if report.kept_in_outbox:
            print(
                f"no SMTP host configured (PERFILE_SMTP_HOST): {report.kept_in_outbox} messages stay in the outbox",
                flush=True,
            )
        else:
            print(f"sent {report.sent}, failed {report.failed}", flush=True)
        return 1 if report.failed else 0

    return run_passes(one_pass, args.every)


def _notify(args: argparse.Namespace, app: Perfile) -> int:
    row = notifications.notify_customer(app.db, app.settings, find_order(app.db, args.order), actor=_actor(args, app))
    print(f"{row['status']}: {row['subject']} -> {row['to_address']}" + (f" ({row['error']})" if row["error"] else ""))
    return 0 if row["status"] != "failed" else 1


def _claim(args: argparse.Namespace, app: Perfile) -> int:
    claim = claim_service.file_claim(
        app.db,
        find_order(app.db, args.order),
        claim_type=args.claim_type,
        description=args.description,
        amount=args.amount,
        currency=args.currency,
        actor=_actor(args, app),
    )
    print(f"claim {claim.id} filed ({claim.claim_type}, {claim.status})")
    return 0


def _claim_status(args: argparse.Namespace, app: Perfile) -> int:
    claim = claim_service.set_claim_status(app.db, args.claim_id, args.status, actor=_actor(args, app), note=args.note)
    print(f"claim {claim.id} is {claim.status}")
    return 0


def _couriers(args: argparse.Namespace, app: Perfile) -> int:
    for adapter in app.couriers.adapters():
        push = "push" if adapter.pushes_tracking else "polled"
        print(f"{adapter.code:<9} {push:<7} {', '.join(adapter.capabilities())}")
    return 0


def _simulate(args: argparse.Namespace, app: Perfile) -> int:
    import requests

    from perfile_core.services.sandbox_simulation import simulate_sandbox

    with requests.Session() as session:

        def one_pass() -> int:
            report = simulate_sandbox(app.db, app.couriers, app.settings, session, speed=args.speed)
            print(
                f"{report.shipments} sandbox shipments: {report.sent} events sent, {report.failed} failed", flush=True
            )
            return 1 if report.failed else 0

        return run_passes(one_pass, args.every)
