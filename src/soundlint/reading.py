"""Bounded reads of whole files that cost what the file holds, not what the bound allows."""

from __future__ import annotations

import os
from typing import BinaryIO


def read_up_to(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes from the current position of ``stream``.

    ``stream.read(limit)`` allocates all ``limit`` bytes first (a megabyte for a
    script of a few hundred bytes); this asks for one byte more than the file's size, then
    reads on only if the file turns out longer (it grew, or it is a device without a size).
    """
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, ValueError):
        size = limit
    data = stream.read(min(size + 1, limit))
    if len(data) > size and len(data) < limit:
        data += stream.read(limit - len(data))
    return data
