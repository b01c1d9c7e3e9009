"""The one JSON loader every webhook body goes through (courier formats and webshops).

Structural garbage is refused with PayloadError (400, nothing stored): a body that is not
JSON or not an object, NaN, Infinity or numbers beyond a double, nesting deeper than
MAX_DEPTH. Text the database cannot store (NUL, lone UTF-16 surrogates; PostgreSQL refuses
both, psycopg cannot even encode a surrogate) is replaced with U+FFFD in every string, keys
included: dropping a real courier scan or order for one bad character would lose data. The
raw body itself is kept byte-exact in `webhook_inbox.body` (bytea / BLOB).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from perfile_core.domain.errors import PayloadError

MAX_DEPTH = 64  # real payloads nest < 10 levels; the limit keeps every later walk shallow
REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_DECODER = json.JSONDecoder()  # built once: json.loads(..., hook=...) builds one per call


def has_unstorable(value: str) -> bool:
    """True when `value` holds NUL or a lone surrogate, which no database column takes."""
    return _UNSTORABLE.search(value) is not None


def storable_text(value: str) -> str:
    """`value` with NUL and lone surrogates replaced by U+FFFD, so any database can store it."""
    return _UNSTORABLE.sub(REPLACEMENT, value)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object with storable text, or PayloadError saying why not."""
    try:
        # What json.loads(bytes) does: UTF-8/16/32 by the first bytes; surrogates decoded,
        # and then replaced below like escaped ones.
        value = _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except RecursionError:  # json's scanner stops at the interpreter's limit (~1,000 levels)
        raise PayloadError(f"body nests deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as exc:
        # [0]: Python's advice after ';' (e.g. on a number of 5,000 digits) means nothing to a sender.
        raise PayloadError(f"body is not valid JSON: {str(exc).split(';')[0]}") from None
    if not isinstance(value, dict):
        raise PayloadError(f"body must be a JSON object, not {type(value).__name__}")
    _check_and_clean(value)
    return value


def _check_and_clean(root: dict[str, Any]) -> None:
    """Walk the parsed body without recursion: depth and numbers checked, text made storable.

    Written for speed (every courier event passes here): exact type checks (json builds
    plain dicts, lists, str and float), one regex search per string, a dict's keys searched
    joined, and the path kept as nested pairs, joined only for an error."""
    search = _UNSTORABLE.search
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(root, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadError(f"body nests deeper than {MAX_DEPTH} levels")
        if type(node) is dict:
            if search("".join(node)):
                for key in [key for key in node if search(key)]:
                    node[storable_text(key)] = node.pop(key)
            items = node.items()
        else:
            items = enumerate(node)
        for key, item in items:
            kind = type(item)
            if kind is str:
                if search(item):
                    node[key] = storable_text(item)
            elif kind is dict or kind is list:
                stack.append((item, depth + 1, (path, key)))
            elif kind is float and not math.isfinite(item):
                raise PayloadError(
                    f"{_dotted((path, key))}: not a finite number (NaN, Infinity and numbers beyond "
                    "a double's range, about 1.8e308, are refused)"
                )


def _dotted(path: tuple[Any, ...]) -> str:
    """The dotted field name, e.g. data.items.1, from the nested pairs the walk keeps."""
    parts: list[str] = []
    while path:
        path, key = path
        parts.append(str(key))
    return ".".join(reversed(parts))
