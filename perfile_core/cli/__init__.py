"""`python -m perfile_core`: one argparse tree; each command lives in its own module.

A command module exposes `register(subparsers)`, adding a subparser whose `handler`
default is called with the parsed arguments and the built application. Handlers
raise PerfileError for bad input; `main` prints it and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from perfile_core.domain.errors import PerfileError, StorageUnavailable

# Command modules, in the order `--help` lists them.
COMMAND_MODULES = [
    "perfile_core.cli.setup_commands",
    "perfile_core.cli.config_commands",
    "perfile_core.cli.secret_commands",
    "perfile_core.cli.order_commands",
    "perfile_core.cli.booking_commands",
    "perfile_core.cli.simulate_commands",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="python -m perfile_core", description="Perfile operations core.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from perfile_core.bootstrap import build

    app = build()
    try:
        return int(args.handler(args, app) or 0)
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except StorageUnavailable as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    except PerfileError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        app.close()
