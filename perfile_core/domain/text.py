"""Text every database can store: one rule for webhook bodies and for what people type.

PostgreSQL cannot hold NUL, and no encoding holds a lone UTF-16 surrogate (psycopg cannot
even send one). Both become U+FFFD, the Unicode replacement character, wherever text comes
in, so a stored value and a search for it are cleaned alike.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(value: str) -> bool:
    """True when `value` holds NUL or a lone surrogate, which no database column takes."""
    return UNSTORABLE.search(value) is not None


def storable_text(value: str) -> str:
    """`value` with NUL and lone surrogates replaced by U+FFFD, so any database can store it."""
    return UNSTORABLE.sub(REPLACEMENT, value)
