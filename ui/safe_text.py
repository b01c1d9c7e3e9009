"""Untrusted text on screen: whatever a webshop, courier, customer, operator or URL sent is
shown as the characters it is, never as Markdown or HTML.

Every Streamlit element that takes a body (markdown, caption, write, info, warning, error,
success, toast) parses it as Markdown, so each untrusted value goes through `md` first.
"""

from __future__ import annotations

import re

# CommonMark lets every ASCII punctuation character be backslash-escaped, and an escaped
# character is always literal text: no HTML tag or entity, link, image, emphasis, heading,
# list, table, math ($) or Streamlit directive (:red[...], :material/...:) can start.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub-flavoured Markdown (which Streamlit uses) also turns bare URLs and e-mail addresses
# inside plain text into links, after escapes are resolved. An invisible word joiner where
# such a link would start breaks the pattern without changing what the reader sees.
_AUTOLINK_START = re.compile(r"(?i)(https?(?=:)|www(?=\.)|@)")
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """`value` as Markdown that renders exactly its text, on one line ("" for None)."""
    if value is None:
        return ""
    text = " ".join(str(value).split())  # a newline could start a Markdown block
    text = _AUTOLINK_START.sub(rf"\1{WORD_JOINER}", text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def md_link(label: object, url: str) -> str:
    """A Markdown link to a URL built from our own templates (`domain.couriers.tracking_url`,
    which percent-encodes the data it inserts), never to a URL that came with the data."""
    return f"[{md(label)}]({url})"
