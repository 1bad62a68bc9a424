"""Baselines: record today's findings, then report only new ones (``--baseline FILE``).

A baseline is a JSON file of fingerprints (see soundlint.fingerprint), each with its code, path
and message so that a reviewer can read what was accepted. Findings are matched by fingerprint
alone, so they stay matched when unrelated lines move or an audio file is touched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from soundlint import atomic
from soundlint.fingerprint import fingerprints
from soundlint.model import Diagnostic
from soundlint.paths import relative_path

FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written."""


def read(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {path}") from None
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"baseline {path} is not JSON: {error}") from None
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list) or document.get("version") != FORMAT:
        raise BaselineError(f"baseline {path} is not a soundlint baseline (format {FORMAT})")
    return frozenset(
        entry["fingerprint"]
        for entry in findings
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
    )


def write(path: Path, diagnostics: Sequence[Diagnostic], root: Path) -> None:
    """Record ``diagnostics`` in a baseline file: a regular file atomically, a device or FIFO
    written through (never replaced), as ``--output`` writes."""
    entries = [
        {
            "fingerprint": fingerprint,
            "code": diagnostic.code,
            "path": relative_path(diagnostic.path, root),
            "message": diagnostic.message,
        }
        for diagnostic, fingerprint in _fingerprinted(diagnostics, root)
    ]
    document = {"version": FORMAT, "tool": "soundlint", "findings": entries}
    try:
        atomic.write_output(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        raise BaselineError(f"cannot write baseline {path}: {error.strerror}") from None


def new_findings(
    diagnostics: Sequence[Diagnostic], root: Path, known: frozenset[str]
) -> tuple[Diagnostic, ...]:
    """The diagnostics whose fingerprint is not in the baseline."""
    return tuple(
        diagnostic
        for diagnostic, fingerprint in _fingerprinted(diagnostics, root)
        if fingerprint not in known
    )


def _fingerprinted(diagnostics: Sequence[Diagnostic], root: Path) -> zip[tuple[Diagnostic, str]]:
    return zip(diagnostics, fingerprints(diagnostics, root), strict=True)
