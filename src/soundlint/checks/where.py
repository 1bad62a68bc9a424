"""Build diagnostics that point at a manifest key, a segment's file or a script position."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from soundlint.model import Diagnostic, Position, Segment, Template
from soundlint.words import enumeration


def at_position(
    code: str, message: str, path: Path, position: Position | None, **extra: Any
) -> Diagnostic:
    """A finding at a line and column of a text file (or the whole file)."""
    return Diagnostic(
        code=code,
        message=message,
        path=path,
        line=position.line if position else None,
        column=position.column if position else None,
        **extra,
    )


def at_manifest(
    code: str, message: str, template: Template, key: str | None = None, **extra: Any
) -> Diagnostic:
    """A finding in the manifest, at ``key`` ('description', 'segments.intro') where written."""
    position = template.positions.get(key) if key else None
    return at_position(code, message, template.manifest, position, template=template.name, **extra)


def at_segment_entry(code: str, message: str, template: Template, segment: Segment) -> Diagnostic:
    """A finding about a segment, at its line in the manifest."""
    return at_manifest(code, message, template, f"segments.{segment.name}", segment=segment.name)


def at_segment_file(
    code: str, message: str, template: Template, segment: Segment, **extra: Any
) -> Diagnostic:
    """A finding about a segment's audio file itself (``extra``: start_s, end_s, offset).

    When other segments of the template list the same file, the message names the segment
    it is about, since the file's path alone does not say which.
    """
    sharing = [s.name for s in template.segments if s.path == segment.path and s is not segment]
    if sharing:
        listed = enumeration(f"'{name}'" for name in sharing)
        message = f"segment '{segment.name}' (same file as {listed}): {message}"
    return Diagnostic(
        code=code,
        message=message,
        path=segment.path,
        template=template.name,
        segment=segment.name,
        **extra,
    )
