"""Words for messages: what a value's type is called, and the name a user probably meant."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from typing import Any

_NOUNS = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "table"}


def type_name(value: Any) -> str:
    """A TOML value's type with its article: 'a string', 'an integer', 'a list of numbers'."""
    if isinstance(value, list):
        item = _NOUNS.get(type(value[0]), "value") if value else "value"
        return f"a list of {item}s"
    return _article(_NOUNS.get(type(value), type(value).__name__))


def kind_name(kind: type) -> str:
    """A TOML type with its article: 'a string', 'an integer', 'a list', 'a table'."""
    return _article("list" if kind is list else _NOUNS.get(kind, kind.__name__))


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice the user most likely meant: one equal but for case and Unicode
    normalisation, else the nearest spelling.

    Of several choices equal but for case, the one whose letters' case differs least wins,
    so the suggestion keeps the case the choices are written in (``SoundSegment`` is
    ``soundSegment``, not ``soundsegment``).
    """
    options = list(choices)
    same = [option for option in options if folded(option) == folded(word)]
    match = min(same, key=lambda option: _case_changes(word, option), default=None) or next(
        iter(difflib.get_close_matches(word, options, n=1)), None
    )
    return match if match != word else None


def did_you_mean(word: str, match: str | None) -> str:
    """The end of a message suggesting ``match`` for ``word``; when the two differ only in
    Unicode normalisation (they look the same), it says so instead."""
    if match is None:
        return ""
    how = encoded_differently(word, match)
    if how is None:
        return f"; did you mean '{match}'?"
    return (
        f"; '{match}' looks the same but is encoded in another Unicode normalisation {how}, "
        "and names are compared as written"
    )


def encoded_differently(word: str, other: str) -> str | None:
    """How two names differing only in Unicode normalisation are written, escaped:
    "(NFC 'caf\\u00e9' here, NFD 'cafe\\u0301' there)"; None for other pairs."""
    if word == other or composed(word) != composed(other):
        return None
    return f"({_form(word)} '{escaped(word)}' here, {_form(other)} '{escaped(other)}' there)"


def escaped(text: str) -> str:
    """``text`` with every non-ASCII character escaped as in Python (``\\u00e9``)."""
    return "".join(c if c.isascii() else _escape(c) for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def composed(text: str) -> str:
    """``text`` in Unicode normalisation form C (an accented letter as one character)."""
    return unicodedata.normalize("NFC", text)


def folded(text: str) -> str:
    """``text`` as compared ignoring case and Unicode normalisation."""
    return composed(composed(text).casefold())


def _form(text: str) -> str:
    """Which Unicode normalisation form ``text`` is in: NFC, NFD or neither."""
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, text):
            return form
    return "neither NFC nor NFD"


def _case_changes(word: str, option: str) -> int:
    return sum(a != b for a, b in zip(word, option, strict=False))


def enumeration(items: Iterable[str]) -> str:
    """Items as a sentence lists them: 'a', 'a and b', 'a, b and c'."""
    words = list(items)
    return " and ".join(filter(None, (", ".join(words[:-1]), *words[-1:])))


def apart(value: float, limit: float, places: int = 1, *, sign: bool = False) -> str:
    """``value`` to ``places`` decimals, or more, so that it never reads as ``limit``.

    ``-19.04`` against ``-19`` is ``-19.04``, not ``-19.0``: a value shown beyond a limit
    must not look equal to it, nor fall on the limit's other side.
    """
    flag = "+" if sign else ""
    for decimals in range(places, places + 7):
        shown = f"{value:{flag}.{decimals}f}"
        if float(shown) != limit and (float(shown) > limit) == (value > limit):
            return shown
    return f"{value:{flag}}"
