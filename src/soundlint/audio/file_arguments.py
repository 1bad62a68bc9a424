"""The FILE arguments of ``measure`` and ``inspect``: paths that must exist, a directory
standing for the files under it whose names end in the command's suffixes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from soundlint.arguments import UsageError
from soundlint.paths import lookup_error, one_line


def expand(paths: Iterable[Path], suffixes: frozenset[str], kind: str) -> list[Path]:
    """The files ``paths`` stand for; a path that does not exist, or a directory without any
    ``kind`` files (named by ``suffixes``), is a usage error, as for ``check``. One that cannot
    be looked up (a symbolic link loop, a name too long) is left for the file's report."""
    paths = list(paths)
    for path in paths:
        if lookup_error(path) is None and not os.path.lexists(path):
            raise UsageError(f"path not found: {one_line(str(path))}")
    return [file for path in paths for file in _files(path, suffixes, kind)]


def _files(path: Path, suffixes: frozenset[str], kind: str) -> list[Path]:
    """``path``, or for a directory the files under it named by ``suffixes`` (hidden ones left
    out)."""
    if not os.path.isdir(path):
        return [path]
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(path):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        found.extend(
            Path(directory, name)
            for name in sorted(files)
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in suffixes
        )
    if not found:
        raise UsageError(f"no {kind} files under {one_line(path.as_posix())}")
    return found
