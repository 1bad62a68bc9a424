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
    """The choice the user most likely meant: one equal but for case, else the nearest spelling."""
    options = list(choices)
    by_case = {option.casefold(): option for option in options}
    match = by_case.get(word.casefold()) or next(
        iter(difflib.get_close_matches(word, options, n=1)), None
    )
    return match if match != word else None
