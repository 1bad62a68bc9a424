"""Convert between string indices and 1-based line/column positions."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from soundlint.model import Position

Locate = Callable[[int], Position]
"""Maps an index into a script's text to where that character is in the user's file."""

_NEWLINE = re.compile("\n")


class LineIndex:
    """Where the lines of a text start.

    Lines end at '\\n' only, as libxml2 counts them; columns count characters (code points).
    """

    def __init__(self, text: str) -> None:
        self._starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]
        self._length = len(text)

    def position(self, index: int) -> Position:
        """The line and column of the character at ``index`` (``len(text)``: just past the end)."""
        line = bisect_right(self._starts, index) - 1
        return Position(line + 1, index - self._starts[line] + 1)

    def index(self, line: int, column: int) -> int:
        """The index of a line and column, clamped into the text and onto that line."""
        if line < 1:
            return 0
        if line > len(self._starts):
            return self._length
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else self._length
        return min(max(start + column - 1, start), end)
