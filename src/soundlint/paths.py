"""Paths as users see them: relative, with '/', undecodable bytes escaped."""

from __future__ import annotations

import os
from pathlib import Path


def relative_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with '/' separators; undecodable bytes as ``\\xNN``."""
    try:
        text = Path(os.path.relpath(path, start)).as_posix()
    except ValueError:
        text = path.as_posix()
    return displayable(text)


def displayable(text: str) -> str:
    """Undecodable bytes of file names (lone surrogates) written as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
