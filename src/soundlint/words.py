"""Words for messages: what a value's type is called, and the name a user probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

_NOUNS = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "table"}


def type_name(value: Any) -> str:
    """A TOML value's type with its article: 'a string', 'an integer', 'a list of numbers'."""
    if isinstance(value, list):
        item = _NOUNS.get(type(value[0]), "value") if value else "value"
        return f"a list of {item}s"
    noun = _NOUNS.get(type(value), type(value).__name__)
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice the user most likely meant: one equal but for case, else the nearest spelling.

    Of several choices equal but for case, the one whose letters' case differs least wins,
    so the suggestion keeps the case the choices are written in (``SoundSegment`` is
    ``soundSegment``, not ``soundsegment``).
    """
    options = list(choices)
    same = [option for option in options if option.casefold() == word.casefold()]
    match = min(same, key=lambda option: _case_changes(word, option), default=None) or next(
        iter(difflib.get_close_matches(word, options, n=1)), None
    )
    return match if match != word else None


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
