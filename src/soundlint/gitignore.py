"""What git ignores under a directory, asked of git itself.

One ``git ls-files --others --ignored --exclude-standard --directory`` per directory scanned
gives exactly git's answer (``.gitignore`` files at every level, ``.git/info/exclude``, the
global excludes file, negations, tracked files never ignored) without re-implementing its
rules. Outside a repository, or without git, nothing is ignored.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ignored:
    """Files and whole directories git ignores, as absolute paths."""

    files: frozenset[Path] = frozenset()
    directories: frozenset[Path] = frozenset()

    def __contains__(self, path: object) -> bool:
        return path in self.files or path in self.directories


NOTHING = Ignored()


def ignored_under(directory: Path) -> Ignored:
    """What git ignores under ``directory``; nothing outside a repository."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            cwd=directory,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return NOTHING
    files: set[Path] = set()
    directories: set[Path] = set()
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        name = os.fsdecode(entry)
        if name.endswith("/"):
            directories.add(directory / name.rstrip("/"))
        else:
            files.add(directory / name)
    return Ignored(frozenset(files), frozenset(directories))
