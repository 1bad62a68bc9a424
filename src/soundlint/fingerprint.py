"""Fingerprints of findings that survive unrelated edits: shared by the baseline and SARIF.

A finding is identified by its rule code, its file relative to the project root, its template
and segment, and for text files the text of the line it is on; never by its line number (lines
move when others are added), its message (audio messages carry measured values) or a file's
modification time. Findings that share all of that are numbered in order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from soundlint.model import Diagnostic
from soundlint.paths import relative_path

VERSION = 1
MAX_TEXT_BYTES = 4 << 20
"""Files larger than this (or binary ones) are identified without their line text."""


def fingerprints(diagnostics: Sequence[Diagnostic], root: Path) -> list[str]:
    """One fingerprint for each diagnostic, in order; unique within the sequence."""
    lines = _LineReader()
    seen: Counter[str] = Counter()
    result = []
    for diagnostic in diagnostics:
        parts = (
            str(VERSION),
            diagnostic.code,
            relative_path(diagnostic.path, root),
            diagnostic.template or "",
            diagnostic.segment or "",
            lines.text(diagnostic.path, diagnostic.line),
        )
        identity = "\0".join(parts)
        seen[identity] += 1
        digest = hashlib.sha256(f"{identity}\0{seen[identity]}".encode(errors="surrogateescape"))
        result.append(digest.hexdigest()[:32])
    return result


class _LineReader:
    """The stripped text of a line of a text file, each file read once."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str] | None] = {}

    def text(self, path: Path, line: int | None) -> str:
        if line is None:
            return ""
        if path not in self._files:
            self._files[path] = _read_lines(path)
        lines = self._files[path]
        if lines is None or not 1 <= line <= len(lines):
            return ""
        return " ".join(lines[line - 1].split())


def _read_lines(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_TEXT_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_TEXT_BYTES or b"\0" in raw:
        return None
    return raw.decode("utf-8", "replace").splitlines()
