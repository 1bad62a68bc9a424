"""Bounded positional reads from the stream being walked."""

from __future__ import annotations

from typing import BinaryIO


class _Source:
    """Bounded positional reads from a stream; remembers where it last read."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self._f = f
        self.size = size
        self.position = 0

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset``: fewer at the end of the stream, none past it."""
        n = max(0, min(n, self.size - offset))
        if n == 0:
            return b""
        self.position = offset
        self._f.seek(offset)
        parts: list[bytes] = []
        remaining = n
        while remaining:
            part = self._f.read(remaining)
            if not part:
                break
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)
