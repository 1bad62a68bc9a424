"""What git knows that discovery needs, asked of git itself: what it ignores, and which files
a commit deletes (pre-commit passes only files that exist).

One ``git ls-files --others --ignored --exclude-standard --directory`` per directory scanned
gives exactly git's answer (``.gitignore`` files at every level, ``.git/info/exclude``, the
global excludes file, negations, tracked files never ignored) without re-implementing its
rules. Outside a repository, or without git, nothing is ignored and nothing is deleted.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from soundlint.config import ConfigError


@dataclass(frozen=True)
class Ignored:
    """Files and whole directories git ignores, as absolute paths."""

    files: frozenset[Path] = frozenset()
    directories: frozenset[Path] = frozenset()

    def __contains__(self, path: object) -> bool:
        return path in self.files or path in self.directories

    def __bool__(self) -> bool:
        """True when git ignores anything at all."""
        return bool(self.files or self.directories)


NOTHING = Ignored()


def ignored_under(directory: Path) -> Ignored:
    """What git ignores under ``directory``; nothing outside a repository."""
    listing = _git(
        directory, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"
    )
    if listing is None:
        return NOTHING
    files: set[Path] = set()
    directories: set[Path] = set()
    for name in _names(listing):
        if name.endswith("/"):
            directories.add(directory / name.rstrip("/"))
        else:
            files.add(directory / name)
    return Ignored(frozenset(files), frozenset(directories))


def deleted_files(directory: Path) -> list[Path]:
    """The files the commit being checked deletes (renamed ones under their old names): those
    staged, or those between ``PRE_COMMIT_FROM_REF`` and ``PRE_COMMIT_TO_REF`` when pre-commit
    runs on a range of commits (pre-push, CI)."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top is None:
        return []
    from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    changes = ["--cached"]
    if from_ref and to_ref:
        for variable, ref in (("PRE_COMMIT_FROM_REF", from_ref), ("PRE_COMMIT_TO_REF", to_ref)):
            _require_commit(directory, ref, variable)
        changes = [f"{from_ref}...{to_ref}"]
    listing = _git(
        directory, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=D", *changes
    )
    root = Path(os.fsdecode(top.rstrip(b"\n")))
    return [root / name for name in _names(listing or b"")]


def _require_commit(directory: Path, ref: str, variable: str) -> None:
    """Refuse a ref git cannot resolve to a commit: git diff would fail, and the range check
    nothing it deleted."""
    if _git(directory, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"):
        return
    raise ConfigError(f"git cannot resolve the ref '{ref}' ({variable}) to a commit")


def _git(directory: Path, *args: str) -> bytes | None:
    """git's output, or None outside a repository or without git."""
    try:
        return subprocess.run(["git", *args], cwd=directory, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def _names(listing: bytes) -> list[str]:
    return [os.fsdecode(entry) for entry in listing.split(b"\0") if entry]
