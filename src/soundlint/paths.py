"""Paths and text as users see them: relative, with '/', undecodable bytes escaped."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNPRINTABLE = re.compile(
    # C0 and C1 controls, DEL, line and paragraph separators, bidirectional controls.
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def relative_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with '/' separators; undecodable bytes as ``\\xNN``."""
    try:
        text = Path(os.path.relpath(path, start)).as_posix()
    except ValueError:
        text = path.as_posix()
    return displayable(text)


def lookup_error(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be looked up, as the system says it (a symbolic link loop, a name
    too long, a directory not to be searched); None when it can, whether it exists or not."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        return error.strerror or str(error)
    return None


def not_a_file(path: str | os.PathLike[str]) -> str:
    """Why ``path``, which is no regular file, cannot be read, to follow its name."""
    problem = lookup_error(path)
    if problem is not None:
        return f"cannot be read: {problem}"
    return "is not a regular file" if os.path.exists(path) else "does not exist"


def displayable(text: str) -> str:
    """Undecodable bytes of file names (lone surrogates) written as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def one_line(text: str) -> str:
    """``text`` safe to print on one line of a terminal or log: control characters (newlines,
    ANSI escapes, bidirectional overrides) written as ``\\n``, ``\\x1b``, ``\\u202e``."""
    return _UNPRINTABLE.sub(_escape, displayable(text))


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


JSON_ESCAPE = "soundlint.json-escape"
"""A codec error handler: each character the encoding lacks written ``\\uXXXX`` (a surrogate
pair beyond U+FFFF) as JSON writes it, so that text stays readable and JSON valid, meaning
the same (JSON holds such characters only inside strings)."""


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start : error.end].encode("utf-16-be", "surrogatepass")
    escaped = "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))
    return escaped, error.end


codecs.register_error(JSON_ESCAPE, _json_escape)
