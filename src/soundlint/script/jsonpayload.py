"""Read an API payload: ``scriptText`` holds the markup, ``soundTemplate`` names a template.

Every position is in the JSON file itself: the ``scriptText`` string token is decoded
here, keeping for each decoded character the index where it is written in the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from soundlint.model import Binding, LoadError, Script
from soundlint.script.parser import MAX_SCRIPT_BYTES, parse_markup, size_error
from soundlint.script.positions import LineIndex

_WHITESPACE = " \t\n\r"
_PIECE = re.compile(
    r"""
      (?P<plain>[^"\\]+)
    | \\u(?P<high>[dD][89abAB][0-9a-fA-F]{2})\\u(?P<low>[dD][c-fC-F][0-9a-fA-F]{2})
    | \\u(?P<hex>[0-9a-fA-F]{4})
    | \\(?P<simple>["\\/bfnrt])
    """,
    re.VERBOSE,
)
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_TYPE_NAMES = (
    (bool, "a boolean"),
    (int, "a number"),
    (float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
)


def decode_string(raw: str, start: int) -> tuple[str, list[int]]:
    """Decode the JSON string token whose opening quote is at ``raw[start]``.

    Returns the text and, for each of its characters and one past its end, the index in
    ``raw`` where that character is written: an escape maps to its backslash, the end to
    the closing quote. A surrogate pair escape is one character; a lone one is kept as is,
    as :func:`json.loads` does.
    """
    chars: list[str] = []
    offsets: list[int] = []
    index = start + 1
    while (piece := _PIECE.match(raw, index)) is not None:
        if piece["plain"] is not None:
            chars.append(piece["plain"])
            offsets.extend(range(piece.start(), piece.end()))
        else:
            chars.append(_unescape(piece))
            offsets.append(piece.start())
        index = piece.end()
    offsets.append(index)
    return "".join(chars), offsets


def _unescape(piece: re.Match[str]) -> str:
    if piece["high"] is not None:
        high, low = int(piece["high"], 16), int(piece["low"], 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    if piece["hex"] is not None:
        return chr(int(piece["hex"], 16))
    return _SIMPLE_ESCAPES[piece["simple"]]


def parse_json_payload(raw: str, path: Path) -> Script:
    """Parse the JSON text ``raw`` of ``path``, then its ``scriptText`` as markup."""
    lines = LineIndex(raw)
    payload = _load_object(raw, lines)
    if isinstance(payload, LoadError):
        return Script(path, "", error=payload)
    starts = _value_starts(raw)
    binding = _json_binding(raw, payload, starts, lines)
    error = _member_error(raw, payload, starts, lines)
    if error is not None:
        return Script(path, "", binding=binding, error=error)
    text, offsets = decode_string(raw, starts["scriptText"])
    return parse_markup(
        text, path, locate=lambda index: lines.position(offsets[index]), binding=binding
    )


def _load_object(raw: str, lines: LineIndex) -> dict[str, Any] | LoadError:
    """The payload object, or why it is not valid JSON or not an object."""
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_SCRIPT_BYTES:
        return size_error(size)
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        return LoadError(f"invalid JSON: {exc.msg}", lines.position(exc.pos))
    except RecursionError:
        return LoadError("invalid JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        return LoadError(f"invalid JSON: {exc}")
    if not isinstance(payload, dict):
        where = lines.position(_skip_whitespace(raw, 0))
        return LoadError(f"the JSON payload must be an object, not {_type_name(payload)}", where)
    return payload


def _skip_whitespace(raw: str, index: int) -> int:
    """The index of the first non-whitespace character at or after ``index``."""
    while index < len(raw) and raw[index] in _WHITESPACE:
        index += 1
    return index


def _value_starts(raw: str) -> dict[str, int]:
    """Where each top-level member's value starts; the last of duplicate keys wins, as in json."""
    decoder = json.JSONDecoder()
    starts: dict[str, int] = {}
    index = _skip_whitespace(raw, 0) + 1
    while raw[index := _skip_whitespace(raw, index)] != "}":
        key, index = decoder.raw_decode(raw, index)
        index = _skip_whitespace(raw, _skip_whitespace(raw, index) + 1)
        starts[key] = index
        _, index = decoder.raw_decode(raw, index)
        index = _skip_whitespace(raw, index)
        if raw[index] == ",":
            index += 1
    return starts


def _json_binding(
    raw: str, payload: dict[str, Any], starts: dict[str, int], lines: LineIndex
) -> Binding | None:
    """The binding a non-empty string ``soundTemplate`` makes, placed at its first character."""
    template = payload.get("soundTemplate")
    if not isinstance(template, str) or not template:
        return None
    _, offsets = decode_string(raw, starts["soundTemplate"])
    return Binding(template, "json", lines.position(offsets[0]))


def _member_error(
    raw: str, payload: dict[str, Any], starts: dict[str, int], lines: LineIndex
) -> LoadError | None:
    """Why ``scriptText`` or ``soundTemplate`` cannot be used: missing or of the wrong type."""
    if "scriptText" not in payload:
        return LoadError(
            "the JSON payload has no scriptText", lines.position(_skip_whitespace(raw, 0))
        )
    for key, allowed in (("scriptText", (str,)), ("soundTemplate", (str, type(None)))):
        if key in payload and not isinstance(payload[key], allowed):
            message = f"{key} must be a string, not {_type_name(payload[key])}"
            return LoadError(message, lines.position(starts[key]))
    return None


def _type_name(value: object) -> str:
    """How JSON calls the type of a decoded value."""
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), "null")
