"""`migrate` and `seed-demo`."""

from __future__ import annotations

import argparse

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.cli.arguments import aware_time
from perfile_core.db.migrate import migrate
from perfile_core.services.seed import database_is_empty, seed_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="apply database migrations")
    parser.set_defaults(handler=_migrate)

    parser = subparsers.add_parser("seed-demo", help="create demo stores, couriers and orders")
    parser.add_argument("--orders", type=_positive, default=300, help="how many orders (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same data")
    parser.add_argument("--anchor", type=aware_time, help="pretend 'now' is this ISO time (for repeatable data)")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when orders exist")
    parser.set_defaults(handler=_seed)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _migrate(args: argparse.Namespace, app: Perfile) -> int:
    migrate(app.db)
    print("database is up to date")
    return 0


def _seed(args: argparse.Namespace, app: Perfile) -> int:
    migrate(app.db)
    if args.if_empty and not database_is_empty(app.db):
        print("orders exist; demo data not added")
        return 0
    report = seed_demo(
        app.db, orders_count=args.orders, seed=args.seed, anchor=args.anchor, actor=cli_actor(app.settings)
    )
    print(f"seeded {report.orders} orders with {report.events} tracking events ({report.stores} new stores)")
    return 0
