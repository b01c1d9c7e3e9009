"""Render deploy/nginx/receiver.conf.template into an nginx config for the receiver's proxy.

    python scripts/render_proxy_conf.py --var-dir var/nginx --output var/nginx/receiver.conf

`make run` (scripts/run_stack.sh) and the live tests render it; tests pass shorter timeouts and
free ports. `--template dashboard` renders the dashboard replicas' proxy instead
(deploy/nginx/dashboard.conf.template, docs/DEPLOY.md). Standard library only, so it runs
before the virtualenv exists.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATES = {
    name: Path(__file__).resolve().parents[1] / "deploy" / "nginx" / f"{name}.conf.template"
    for name in ("receiver", "dashboard")
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Values end up inside nginx directives: no whitespace, quotes, ';' or braces can slip in.
_ADDRESS = re.compile(r"^(unix:/[\w./-]+|[\w.-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}|\d{1,5})$")
_SIZE = re.compile(r"^\d+[km]?$")


def render(
    *,
    var_dir: Path,
    listen: str = "127.0.0.1:8000",
    upstream: str = "127.0.0.1:8001",
    client_timeout: int = 10,
    keepalive_timeout: int = 15,
    upstream_keepalive_timeout: int = 20,
    upstream_read_timeout: int = 35,
    max_body: str = "1m",
    worker_processes: int = 1,
    template: str = "receiver",
) -> str:
    """The config text; raises ValueError naming the first value nginx would misread.

    `upstream` may name several receiver instances, comma-separated (docs/DEPLOY.md runs two)."""
    upstreams = upstream.split(",")
    for name, value in (("listen", listen), *(("upstream", item) for item in upstreams)):
        if not _ADDRESS.match(value):
            raise ValueError(f"{name} must be host:port, a port or unix:/absolute/path, got {value!r}")
    if not _SIZE.match(max_body):
        raise ValueError(f"max body must be a size such as 1m, got {max_body!r}")
    numbers = {
        "client_timeout": client_timeout,
        "keepalive_timeout": keepalive_timeout,
        "upstream_keepalive_timeout": upstream_keepalive_timeout,
        "upstream_read_timeout": upstream_read_timeout,
        "worker_processes": worker_processes,
    }
    for name, number in numbers.items():
        if number < 1:
            raise ValueError(f"{name} must be at least 1, got {number}")
    var_path = str(Path(var_dir).resolve())
    if not re.match(r"^[\w./-]+$", var_path):
        raise ValueError(f"var dir must be a plain path (letters, digits, . _ - /), got {var_path!r}")
    values = {
        "listen": listen,
        "upstream_servers": "\n        ".join(f"server {item};" for item in upstreams),
        "var_dir": var_path,
        "max_body": max_body,
        **{name: str(number) for name, number in numbers.items()},
    }

    def substitute(match: re.Match[str]) -> str:
        return values[match.group(1)]  # KeyError: the template names a parameter we do not have

    return _PLACEHOLDER.sub(substitute, TEMPLATES[template].read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", type=Path, required=True, help="pid, logs and temp files")
    parser.add_argument("--output", type=Path, required=True)
    # Options left out take render()'s defaults, which are the values `make run` uses.
    optional = {"default": argparse.SUPPRESS}
    parser.add_argument("--listen", help="public address nginx listens on (127.0.0.1:8000)", **optional)
    parser.add_argument(
        "--upstream", help="gunicorn's internal bind (127.0.0.1:8001); several: comma-separated", **optional
    )
    parser.add_argument("--client-timeout", type=int, help="seconds a client may stall (10)", **optional)
    parser.add_argument("--keepalive-timeout", type=int, **optional)
    parser.add_argument("--upstream-keepalive-timeout", type=int, **optional)
    parser.add_argument("--upstream-read-timeout", type=int, **optional)
    parser.add_argument("--max-body", **optional)
    parser.add_argument("--worker-processes", type=int, **optional)
    parser.add_argument(
        "--template", choices=sorted(TEMPLATES), help="receiver (default) or dashboard (its replicas)", **optional
    )
    params = vars(parser.parse_args(argv))
    output: Path = params.pop("output")
    try:
        text = render(**params)
    except ValueError as exc:
        print(f"render_proxy_conf: {exc}", file=sys.stderr)
        return 2
    params["var_dir"].mkdir(parents=True, exist_ok=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
