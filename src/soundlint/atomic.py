"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    The file gets the mode an ordinary write would give it: the old file's, or 0666 less the
    umask.
    """
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_output(path: Path, text: str) -> None:
    """Write a report to ``path`` as a user means it.

    A regular file (or a name not yet taken) is replaced atomically; a symlink's target is,
    the link kept. Anything else is written through, never replaced: a device such as
    /dev/null, a FIFO, and a link to an open descriptor (/dev/stdout, /dev/fd/N, ``>(...)``),
    which is appended to as the shell opened it.
    """
    target = _replaceable(path)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, text)
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


_SYMLINK_HOPS = 40


def _replaceable(path: Path) -> Path | None:
    """The regular file (existing or not) that ``path`` names through its symlinks, or None
    when it names something to write through."""
    for _ in range(_SYMLINK_HOPS):
        if _names_a_descriptor(path):
            return None
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return path
        if stat.S_ISREG(mode):
            return path
        if not stat.S_ISLNK(mode):
            return None
        path = path.parent / os.readlink(path)
    return None  # a symlink loop: let the write report it


def _names_a_descriptor(path: Path) -> bool:
    """True for /dev/stdout, /dev/fd/N, /proc/PID/fd/N and the like: links to open files."""
    parts = Path(os.path.abspath(path)).parts
    return parts[:2] == ("/", "proc") or parts[:3] in {
        ("/", "dev", "fd"),
        ("/", "dev", "stdout"),
        ("/", "dev", "stderr"),
        ("/", "dev", "stdin"),
    }
