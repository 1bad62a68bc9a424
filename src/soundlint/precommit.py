"""Which of the files pre-commit passes a hook run checks (``check --force-exclude``).

Like ruff's ``--force-exclude``, the configured ``exclude`` patterns apply to files named on the
command line too; and the files that are in no template and are not scripts (by the ``scripts``
patterns) are passed over quietly, since pre-commit hands over any file its pattern matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from soundlint import globs
from soundlint.config import Settings


def checked_paths(
    paths: Sequence[Path], settings: Settings, manifest_names: Sequence[str]
) -> list[Path]:
    """The paths a hook run checks, in their order."""
    kept = []
    for path in paths:
        absolute = path.resolve()
        if _excluded(absolute, settings):
            continue
        if (
            absolute.is_dir()
            or _in_template(absolute, manifest_names)
            or _is_script(absolute, settings)
        ):
            kept.append(path)
    return kept


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _excluded(path: Path, settings: Settings) -> bool:
    if not settings.exclude:
        return False
    inside = [path, *(p for p in path.parents if p.is_relative_to(settings.root))]
    return any(
        globs.matches_any(settings.exclude, _relative(p, settings.root))
        for p in inside
        if p != settings.root
    )


def _in_template(path: Path, manifest_names: Sequence[str]) -> bool:
    if path.name in manifest_names:
        return True
    return any(
        (directory / name).is_file() for directory in path.parents for name in manifest_names
    )


def _is_script(path: Path, settings: Settings) -> bool:
    return globs.matches_any(settings.scripts, _relative(path, settings.root), path.as_posix())
