"""`secrets rotate-key` (re-encrypt every stored secret with a new key) and `secrets new-key`."""

from __future__ import annotations

import argparse
from pathlib import Path

from perfile_core.bootstrap import Perfile
from perfile_core.cli.acting import cli_actor
from perfile_core.db.secret_box import SecretBox, box_for, new_key, read_key_file, write_key_file
from perfile_core.services.stored_secrets import rekey


def register(subparsers: argparse._SubParsersAction) -> None:
    secrets = subparsers.add_parser("secrets", help="the key stored secrets are encrypted with")
    commands = secrets.add_subparsers(dest="secrets_command", required=True, parser_class=type(secrets))
    rotate = commands.add_parser(
        "rotate-key",
        help="re-encrypt every stored secret with a new key: the first of PERFILE_SECRET_KEY, "
        "or, in local mode, a new key in the key file",
    )
    rotate.set_defaults(handler=_rotate_key)
    fresh = commands.add_parser("new-key", help="print a new key to put first in PERFILE_SECRET_KEY")
    fresh.set_defaults(handler=_new_key)


def _rotate_key(args: argparse.Namespace, app: Perfile) -> int:
    if app.settings.secret_key.get_secret_value().strip():
        count = rekey(app.db, box_for(app.settings), actor=cli_actor(app.settings))
        print(
            f"re-encrypted {count} stored values with the first key of PERFILE_SECRET_KEY; "
            "remove the older keys from it once every process runs with this list"
        )
        return 0
    path = Path(app.settings.secret_key_file)
    old = read_key_file(path)
    keys = [new_key(), *old]
    # Both keys in the file first: a crash below leaves a file that still reads every stored value.
    write_key_file(path, keys)
    count = rekey(app.db, SecretBox(keys), actor=cli_actor(app.settings))
    write_key_file(path, keys[:1])
    print(f"re-encrypted {count} stored values with a new key in {path}; the old key is gone")
    return 0


def _new_key(args: argparse.Namespace, app: Perfile) -> int:
    print(new_key())
    return 0
