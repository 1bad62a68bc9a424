"""``--shard I/N``: split a project's templates over N CI jobs that together check everything once.

Each template goes to the shard picked by a stable hash of its directory relative to the project
root, so a template stays in its shard when others are added or removed; scripts go with the
template they are bound to, and unbound scripts by a hash of their own path. Only the targets
are split: every template stays loaded, so project-wide rules (unique names) see the whole
project and report in the shard that owns the file.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from soundlint.project import Project


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def takes(self, key: Path, root: Path) -> bool:
        """True when the file or directory ``key`` belongs to this shard."""
        name = key.relative_to(root).as_posix() if key.is_relative_to(root) else key.as_posix()
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


def parse(text: str) -> Shard:
    """An argparse type: ``I/N`` with 1 <= I <= N."""
    index, slash, count = text.partition("/")
    if not (slash and index.isdigit() and count.isdigit()):
        raise argparse.ArgumentTypeError(f"expected I/N such as 1/4, got {text!r}")
    shard = Shard(int(index), int(count))
    if not 1 <= shard.index <= shard.count:
        raise argparse.ArgumentTypeError(f"shard {text} does not exist: I must be 1 to N")
    return shard


def select(project: Project, shard: Shard | None) -> Project:
    """The project with only this shard's templates and scripts as targets."""
    if shard is None or shard.count == 1:
        return project
    root = project.root
    templates = frozenset(
        directory for directory in project.target_templates if shard.takes(directory, root)
    )
    scripts = set()
    for script in project.checked_scripts:
        bound = project.template_named(script.binding.template) if script.binding else None
        if shard.takes(bound.directory if bound else script.path, root):
            scripts.add(script.path)
    return replace(project, target_templates=templates, target_scripts=frozenset(scripts))
