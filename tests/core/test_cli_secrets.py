"""Secrets through the CLI: never taken as arguments, never printed back, and the key rotated."""

from __future__ import annotations

import os
import pty
import select
import stat
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from perfile_core.db.engine import make_engine
from perfile_core.db.secret_box import SecretBox, new_key, read_key_file
from perfile_core.services import admin
from perfile_core.services.stored_secrets import SecretPolicy
from tests.core.test_cli import cli

SECRET = "shpss_never-on-the-command-line-91f3"
COURIER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def engine(sqlite_url: str):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def _raw(engine: Engine) -> str:
    with engine.connect() as conn:
        stores = conn.execute(text("SELECT webhook_secret, webhook_secret_previous FROM stores")).all()
        couriers = conn.execute(text("SELECT api_key, credentials, webhook_secret FROM courier_accounts")).all()
    return repr([*stores, *couriers])


@pytest.mark.parametrize(
    "args",
    [
        ["stores", "add", "--key", "fjall", "--name", "F", "--platform", "manual", "--webhook-secret", SECRET],
        ["stores", "rotate-secret", "fjall", "--webhook-secret", SECRET],
        ["couriers", "configure", "bring", f"--webhook-secret={SECRET}"],
        ["couriers", "configure", "bring", "--api-key", SECRET],
        ["couriers", "configure", "bring", "--credentials", f'{{"password": "{SECRET}"}}'],
    ],
)
def test_a_secret_given_as_an_argument_is_refused_without_being_repeated(sqlite_url: str, engine: Engine, args):
    result = cli(sqlite_url, *args)
    assert result.returncode == 2
    assert "is not accepted: a value on the command line is visible to every user (ps)" in result.stderr
    assert "-stdin or --" in result.stderr and "-env NAME" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert admin.list_stores(engine) == [] and admin.list_courier_accounts(engine) == []


def test_secrets_from_stdin_and_env_are_stored_encrypted_and_never_shown(sqlite_url: str, engine: Engine):
    outputs = [
        cli(sqlite_url, "stores", "add", "--key", "fjall", "--name", "F", "--platform", "woocommerce",
            "--webhook-secret-stdin", stdin=f"{SECRET}\n"),
        cli(sqlite_url, "stores", "rotate-secret", "fjall", stdin="shpss_the-next-one\n"),  # stdin by default
        cli(sqlite_url, "couriers", "configure", "postnord", "--webhook-secret-stdin", "--api-key-env", "PN_KEY",
            "--credentials-env", "PN_CREDENTIALS", stdin=COURIER_SECRET,
            env={"PN_KEY": "pn-api-key-77", "PN_CREDENTIALS": '{"customer_number": "cn-secret-55"}'}),
    ]  # fmt: skip
    for result in outputs:
        assert result.returncode == 0, result.stderr
    stores_listed = cli(sqlite_url, "stores", "list")
    couriers_listed = cli(sqlite_url, "couriers", "list")
    shown = "".join(r.stdout + r.stderr for r in [*outputs, stores_listed, couriers_listed])
    raw = _raw(engine)
    for plain in (SECRET, "shpss_the-next-one", COURIER_SECRET, "pn-api-key-77", "cn-secret-55"):
        assert plain not in shown and plain not in raw
    assert "the previous one is accepted until" in outputs[1].stdout
    (line,) = [line for line in stores_listed.stdout.splitlines() if line.startswith("fjall")]
    assert "set, rotated at " in line and "(previous valid until " in line
    (line,) = [line for line in couriers_listed.stdout.splitlines() if line.startswith("postnord")]
    assert line.split()[1] == "set" and line.endswith(" set")
    account = admin.get_courier_account(engine, "postnord")
    assert (account.webhook_secret, account.api_key) == (COURIER_SECRET, "pn-api-key-77")
    assert account.credentials == {"customer_number": "cn-secret-55"}


def _on_a_terminal(sqlite_url: str, args: list[str], typed: bytes) -> tuple[bytes, int]:
    """Run the CLI with a terminal as its standard input and output, type `typed` at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling terminal, as in a shell
        env = {**os.environ, "PERFILE_DATABASE_URL": sqlite_url}
        os.execve(sys.executable, [sys.executable, "-m", "perfile_core", *args], env)
    shown, deadline = b"", time.monotonic() + 60
    while b": " not in shown and time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            shown += os.read(fd, 1024)
    os.write(fd, typed)
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(fd)
    return shown, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_on_a_terminal_the_secret_is_asked_for_without_echo(sqlite_url: str, engine: Engine):
    shown, code = _on_a_terminal(
        sqlite_url, ["couriers", "configure", "bring", "--webhook-secret-stdin"], b"typed-3f9\n"
    )
    assert code == 0, shown
    assert shown.startswith(b"webhook secret: ") and b"typed-3f9" not in shown
    assert admin.get_courier_account(engine, "bring").webhook_secret == "typed-3f9"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--api-key-stdin", "--webhook-secret-stdin"], {}, "only one value can come from standard input"),
        (["--api-key-env", "NO_SUCH_VARIABLE_HERE"], {}, "environment variable NO_SUCH_VARIABLE_HERE is not set"),
        (["--credentials-env", "C"], {"C": "[1]"}, "credentials: must be a JSON object"),
        (["--webhook-secret-stdin"], {}, "standard input gave an empty value"),
    ],
)
def test_secret_input_problems_exit_2_with_the_reason(sqlite_url: str, args, env, message):
    result = cli(sqlite_url, "couriers", "configure", "bring", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_rotate_key_with_keys_from_the_environment(sqlite_url: str, engine: Engine):
    old, new = new_key(), new_key()
    added = cli(sqlite_url, "couriers", "configure", "sandbox", "--webhook-secret-stdin", stdin=COURIER_SECRET,
                env={"PERFILE_SECRET_KEY": old})  # fmt: skip
    assert added.returncode == 0, added.stderr
    rotated = cli(sqlite_url, "secrets", "rotate-key", env={"PERFILE_SECRET_KEY": f"{new},{old}"})
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted 1 stored values with the first key of PERFILE_SECRET_KEY" in rotated.stdout
    only_new = SecretPolicy(SecretBox([new]), timedelta(hours=24))
    assert admin.get_courier_account(engine, "sandbox", policy=only_new).webhook_secret == COURIER_SECRET
    stale = cli(sqlite_url, "couriers", "list", env={"PERFILE_SECRET_KEY": old})
    assert stale.returncode == 1 and "cannot be decrypted with the configured key(s)" in stale.stderr


def test_rotate_key_in_local_mode_replaces_the_key_file(sqlite_url: str, engine: Engine, tmp_path: Path):
    local = {"PERFILE_SECRET_KEY": "", "PERFILE_SECRET_KEY_FILE": str(tmp_path / "var" / "secret.key")}
    added = cli(sqlite_url, "couriers", "configure", "sandbox", "--webhook-secret-stdin", stdin=COURIER_SECRET,
                env=local)  # fmt: skip
    assert added.returncode == 0, added.stderr
    key_file = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    (old,) = read_key_file(key_file)
    rotated = cli(sqlite_url, "secrets", "rotate-key", env=local)
    assert rotated.returncode == 0, rotated.stderr
    (new,) = read_key_file(key_file)
    assert new != old and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert new not in rotated.stdout and old not in rotated.stdout
    account = admin.get_courier_account(engine, "sandbox", policy=SecretPolicy(SecretBox([new]), timedelta(1)))
    assert account.webhook_secret == COURIER_SECRET
    assert cli(sqlite_url, "couriers", "list", env=local).returncode == 0
