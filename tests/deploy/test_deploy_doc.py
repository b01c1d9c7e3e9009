"""docs/DEPLOY.md stays true: its start command names Procfile processes, and the ports honcho
gives the receiver and dashboard instances are the ones its proxy configs send traffic to."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = (ROOT / "docs" / "DEPLOY.md").read_text()


def _start_command() -> list[str]:
    (command,) = {
        " ".join(match.group(0).replace("\\\n", " ").split())
        for match in re.finditer(r"honcho -e \S+ start (?:[^\n\\]|\\\n)+", DEPLOY)
    }
    return shlex.split(command)


def _ports(process: str) -> list[str]:
    words = _start_command()
    base = int(words[words.index("-p") + 1])
    concurrency = dict(item.split("=") for item in words[words.index("-c") + 1].split(","))
    names = words[words.index("-c") + 2 :]
    procfile = parse_procfile((ROOT / "Procfile").read_text()).processes
    assert set(names) <= set(procfile), names
    selected = {name: procfile[name] for name in names}
    expanded = expand_processes(selected, concurrency={k: int(v) for k, v in concurrency.items()}, port=base)
    return [f"127.0.0.1:{p.env['PORT']}" for p in expanded if p.name.split(".")[0] == process]


def _upstreams(template: str) -> list[str]:
    for block in re.findall(r"render_proxy_conf\.py (?:[^\n\\]|\\\n)+", DEPLOY):
        if ("--template dashboard" in block) == (template == "dashboard"):
            return re.search(r"--upstream (\S+)", block).group(1).split(",")  # type: ignore[union-attr]
    raise AssertionError(f"no render command for {template}")


def test_the_proxies_send_traffic_to_the_ports_honcho_gives_the_instances() -> None:
    assert _ports("receiver") == _upstreams("receiver") and len(_upstreams("receiver")) == 2
    assert _ports("dashboard") == _upstreams("dashboard") and len(_upstreams("dashboard")) == 2


def test_production_starts_no_demo_simulator_and_the_systemd_unit_starts_the_same() -> None:
    words = _start_command()
    assert not {"simulate", "simulate_sandbox"} & set(words)
    unit = re.search(r"ExecStart=\S+honcho (.+)", DEPLOY).group(1)  # type: ignore[union-attr]
    assert shlex.split(unit) == words[1:]
