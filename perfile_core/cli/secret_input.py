"""Secrets come from standard input or a named environment variable, never from the command line.

An argument's value is visible to every user of the machine (`ps`, /proc/PID/cmdline) and stays in
shell history, so `--webhook-secret VALUE` and its kind refuse with a message naming the ways that
work: `--webhook-secret-stdin` (one line; a hidden prompt when standard input is a terminal) or
`--webhook-secret-env NAME`. Only one value per command can come from standard input.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from perfile_core.domain.errors import ValidationError


class _RefusedOnCommandLine(argparse.Action):
    """`--webhook-secret VALUE`: refused without repeating the value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: str | None = None) -> None:
        parser.error(
            f"{option} is not accepted: a value on the command line is visible to every user (ps) and "
            f"stays in shell history; use {option}-stdin or {option}-env NAME"
        )


def add_secret_arguments(parser: argparse.ArgumentParser, field: str, what: str) -> None:
    """`--FIELD-stdin`, `--FIELD-env NAME`, and the refused `--FIELD VALUE`."""
    option = "--" + field.replace("_", "-")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(f"{option}-stdin", action="store_true", help=f"read {what} from standard input")
    group.add_argument(f"{option}-env", metavar="NAME", help=f"read {what} from environment variable NAME")
    parser.add_argument(option, nargs="?", action=_RefusedOnCommandLine, help=argparse.SUPPRESS)


def secret_values(args: argparse.Namespace, *fields: str) -> dict[str, str | None]:
    """Each field's value from its environment variable or standard input; None when not asked for."""
    from_stdin = [field for field in fields if getattr(args, f"{field}_stdin", False)]
    if len(from_stdin) > 1:
        names = ", ".join("--" + field.replace("_", "-") + "-stdin" for field in from_stdin)
        raise ValidationError(
            from_stdin[1], f"only one value can come from standard input ({names}); give the others with -env NAME"
        )
    values: dict[str, str | None] = {}
    for field in fields:
        env_name = getattr(args, f"{field}_env", None)
        if env_name:
            value = os.environ.get(env_name)
            if not value:
                raise ValidationError(field, f"environment variable {env_name} is not set or empty")
            values[field] = value
        elif field in from_stdin:
            values[field] = read_stdin(field)
        else:
            values[field] = None
    return values


def read_stdin(field: str) -> str:
    """One line from standard input, or a hidden prompt when it is a terminal."""
    if sys.stdin.isatty():
        value = getpass.getpass(f"{field.replace('_', ' ')}: ")
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value.strip():
        raise ValidationError(field, "standard input gave an empty value")
    return value
