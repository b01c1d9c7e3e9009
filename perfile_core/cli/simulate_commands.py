"""`simulate`: send realistic signed deliveries to a running receiver so the dashboard comes alive."""

from __future__ import annotations

import argparse
import random
import time

import requests

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.services.webhook_simulator import PACE, Simulation, ensure_sources


def register(subparsers: argparse._SubParsersAction) -> None:
    simulate = subparsers.add_parser(
        "simulate", help="send signed webshop orders and courier events to a running receiver"
    )
    simulate.add_argument("--url", help="receiver base URL (default: PERFILE_RECEIVER_URL)")
    simulate.add_argument("--ticks", type=int, default=0, help="stop after this many ticks (0 = run until Ctrl-C)")
    simulate.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
    simulate.add_argument("--seed", type=int, help="repeatable traffic")
    simulate.add_argument(
        "--pace",
        type=float,
        default=PACE,
        help="simulated seconds per real second (default 3600: a parcel's hour passes in a second)",
    )
    simulate.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace, app: Perfile) -> int:
    base = (args.url or app.settings.receiver_url).rstrip("/")
    simulation = Simulation(
        ensure_sources(app.db, actor=cli_actor(app.settings)), rng=random.Random(args.seed), pace=args.pace
    )
    session = requests.Session()
    tick = 0
    try:
        while args.ticks == 0 or tick < args.ticks:
            tick += 1
            for delivery in simulation.tick():
                try:
                    response = session.post(
                        base + delivery.path, data=delivery.body, headers=delivery.headers, timeout=10
                    )
                    answer = response.json().get("status") or response.json().get("error")
                    print(f"{delivery.label:<60} -> {response.status_code} {answer}", flush=True)
                except (requests.RequestException, ValueError) as exc:
                    print(f"{delivery.label:<60} -> receiver not reachable at {base}: {type(exc).__name__}")
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
    return 0
