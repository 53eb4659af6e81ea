"""Plain text: what a name or a message may hold, and how what it may not is shown.

A leaf of the standard library only: the domain validates with it and toyctl shows stored text
with it, without loading the domain.

Control characters (C0, C1, DEL), line and paragraph separators, and invisible format
characters (bidi overrides such as U+202E, zero-width characters, the BOM) let a value rewrite
what a terminal, a table or a log line shows around it: a newline in a toy's name forges a
row of `toyctl list`, U+202E turns "Car‮gnp.exe" around. None is a character a name needs, so
every text field refuses them; messages may hold line breaks and tabs, and nothing else of
the kind. Whatever is stored already (older data, a row written by hand) is shown escaped.
"""

from __future__ import annotations

import unicodedata

# Cc: controls; Cf: format (bidi controls, zero-width, BOM); Zl, Zp: line and paragraph
# separators; Cs: surrogates (not UTF-8, but a str can hold one).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_LINE_BREAKS = frozenset("\t\n\r")  # a message may break lines, CRLF too


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in HIDDEN_CATEGORIES


def first_hidden(value: str, *, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, or None when it is plain text."""
    if value.isascii() and value.isprintable():  # the usual value, at the cost of two scans
        return None
    for ch in value:
        if _hidden(ch) and not (multiline and ch in _LINE_BREAKS):
            return ch
    return None


def escaped(value: str, also: str = "") -> str:
    """`value` with every hidden character (and each of `also`) written as an escape
    (\\n, \\x1b, \\u202e)."""
    if value.isascii() and value.isprintable() and not any(ch in value for ch in also):
        return value
    return "".join(
        ch.encode("unicode_escape").decode() if _hidden(ch) or ch in also else ch for ch in value
    )
