"""ui/safe_text.md: any text becomes Markdown that shows exactly that text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.safe_text import WORD_JOINER, md, md_link

PUNCTUATION = r"[!-/:-@\[-`{-~]"
# After removing escaped pairs, no ASCII punctuation may remain: nothing can start markup.
ESCAPED_PAIR = re.compile(r"\\" + PUNCTUATION)
AUTOLINK = re.compile(r"(?i)(https?://|www\.|[-.\w+]@[-\w])")


def unescaped(markdown: str) -> str:
    return ESCAPED_PAIR.sub("", markdown)


def shown_with_joiners(markdown: str) -> str:
    """What a reader sees, keeping the word joiners that stop GFM autolinks."""
    return re.sub(r"\\(" + PUNCTUATION + ")", r"\1", markdown)


def shown(markdown: str) -> str:
    return shown_with_joiners(markdown).replace(WORD_JOINER, "")


# Pieces of markup, so that generated text often holds tags, links and bare URLs.
PIECES = [
    "http://",
    "HTTPS:",
    "www.",
    "a@b.c",
    "http",
    "://",
    "www",
    ".",
    "@",
    "<",
    ">",
    "[",
    "](",
    "!",
    ":",
    "\\",
    "\n",
    " ",
    "x",
    "é",
    "$",
    "`",
]
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(max_size=3)).map("".join)


@given(TEXTS)
def test_any_text_is_escaped_completely_and_reads_the_same(text: str) -> None:
    markdown = md(text)
    assert not re.search(PUNCTUATION, unescaped(markdown))
    assert "\n" not in markdown
    assert not AUTOLINK.search(shown_with_joiners(markdown))
    assert shown(markdown) == " ".join(text.split()).replace(WORD_JOINER, "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("Anneke Müller", "Anneke Müller"),
        ("#1043", r"\#1043"),
        (":red[x] :material/home: $x$", r"\:red\[x\] \:material\/home\: \$x\$"),
        ("a\n# heading\n\n- item", r"a \# heading \- item"),
        ("back\\slash", r"back\\slash"),
        ("see www.x.se", f"see www{WORD_JOINER}\\.x\\.se"),
        ("HTTPS://x", f"HTTPS{WORD_JOINER}\\:\\/\\/x"),
        ("a@b.se", f"a\\@{WORD_JOINER}b\\.se"),
    ],
)
def test_examples(text: str | None, expected: str) -> None:
    assert md(text) == expected


def test_a_link_only_wraps_our_url_and_escapes_its_label() -> None:
    url = "https://tracking.bring.com/tracking/7043"
    assert md_link("[7043](http://evil)", url) == rf"[\[7043\]\(http{WORD_JOINER}\:\/\/evil\)]({url})"
