"""Structured logs: one JSON line per delivery (source, topic, result, status, latency, request id).

Delivery lines are written straight to stderr under a lock: going through `logging` records
cost more per request (about 0.06 ms) than verifying the signature. Lines with a traceback
and anything else the receiver logs still go through `logging`.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import Any, TextIO

logger = logging.getLogger("perfile.receiver")
_write_lock = threading.Lock()


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = _line(record.created, record.levelname.lower(), record.getMessage(), getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return _encode(line)


def configure() -> None:
    if any(getattr(handler, "_perfile", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    handler._perfile = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def delivery(fields: dict[str, Any], *, exc_info: bool = False) -> None:
    if exc_info:
        logger.error("webhook delivery", extra={"fields": fields}, exc_info=True)
    elif logger.isEnabledFor(logging.INFO):
        text = _encode(_line(time.time(), "info", "webhook delivery", fields)) + "\n"
        stream: TextIO = sys.stderr
        with _write_lock:
            stream.write(text)
            stream.flush()


def _line(created: float, level: str, message: str, fields: dict[str, Any]) -> dict[str, Any]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}+00:00"
    return {"ts": stamp, "level": level, "msg": message, **fields}


def _encode(line: dict[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False, default=str)
