"""scripts/render_proxy_conf.py: the nginx config for the receiver's proxy, from its template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _render(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "scripts/render_proxy_conf.py", f"--var-dir={tmp_path}", f"--output={tmp_path}/r.conf"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True)


def test_renders_every_parameter(tmp_path: Path) -> None:
    result = _render(tmp_path, "--listen=127.0.0.1:9100", "--upstream=unix:/run/perfile/receiver.sock")
    assert result.returncode == 0, result.stderr
    conf = (tmp_path / "r.conf").read_text()
    assert "{{" not in conf
    assert "listen 127.0.0.1:9100;" in conf
    assert "server unix:/run/perfile/receiver.sock;" in conf
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in conf
    assert "client_body_timeout 10s;" in conf and "client_max_body_size 1m;" in conf


def test_several_receiver_instances(tmp_path: Path) -> None:
    result = _render(tmp_path, "--upstream=127.0.0.1:8001,127.0.0.1:8002")
    assert result.returncode == 0, result.stderr
    conf = (tmp_path / "r.conf").read_text()
    assert "server 127.0.0.1:8001;\n        server 127.0.0.1:8002;" in conf


@pytest.mark.parametrize(
    ("flag", "named"),
    [
        ("--listen=127.0.0.1:80; include /etc/passwd", "listen"),
        ("--upstream=evil }", "upstream"),
        ("--upstream=127.0.0.1:8001,evil }", "upstream"),
        ("--max-body=1g;", "max body"),
        ("--client-timeout=0", "client_timeout"),
    ],
)
def test_refuses_values_nginx_would_misread(tmp_path: Path, flag: str, named: str) -> None:
    result = _render(tmp_path, flag)
    assert result.returncode == 2
    assert named in result.stderr
    assert not (tmp_path / "r.conf").exists()
