"""The receiver as `make run` starts it, for live tests: gunicorn with the repository's config on
a loopback port, and nginx with the repository's config rendered for the test."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    db_url: str, bind: str, log_path: Path, *, workers: int = 2, own_group: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """`gunicorn -c receiver/gunicorn_conf.py` on `bind`; output (one JSON line per delivery) to log_path.
    `own_group`: in a process group of its own, so a test can kill the master and its workers at once."""
    env = {
        **os.environ,
        "PERFILE_DATABASE_URL": db_url,
        "PERFILE_RECEIVER_BIND": bind,
        "PERFILE_RECEIVER_WORKERS": str(workers),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "receiver/gunicorn_conf.py", "receiver:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
        try:
            yield process
        finally:
            _stop(process)


@contextmanager
def nginx_proxy(
    listen_port: int, upstream: str, var_dir: Path, *, client_timeout: int, template: str = "receiver"
) -> Iterator[subprocess.Popen[bytes]]:
    """nginx with deploy/nginx/<template>.conf.template, rendered by the script `make run` uses."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(binary, os.X_OK):
        pytest.fail("nginx is missing: `make system-deps` installs it (the receiver's proxy)")
    conf = var_dir / "receiver.conf"
    subprocess.run(
        [
            sys.executable,
            "scripts/render_proxy_conf.py",
            f"--listen=127.0.0.1:{listen_port}",
            f"--upstream={upstream}",
            f"--var-dir={var_dir}",
            f"--output={conf}",
            f"--client-timeout={client_timeout}",
            f"--template={template}",
        ],
        cwd=ROOT,
        check=True,
    )
    error_log = var_dir / "nginx-error.log"
    with (var_dir / "nginx.out").open("w") as out:
        process = subprocess.Popen(
            [binary, "-p", str(var_dir), "-e", str(error_log), "-c", str(conf), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            _stop(process)


def wait_until_ready(base: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or any(process.poll() is not None for process in processes):
            tails = "\n".join(f"{path.name}: {path.read_text()[-2000:]}" for path in logs if path.exists())
            pytest.fail(f"the receiver did not come up at {base}:\n{tails}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
