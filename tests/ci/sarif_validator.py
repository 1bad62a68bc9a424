"""Find Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool), as .ci/run installs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@microsoft/sarif-multitool"
DEFAULT_PREFIX = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "soundlint-ci"
"""Where .ci/run installs it: ``npm install --prefix DEFAULT_PREFIX``."""


def multitool() -> tuple[Path | None, str]:
    """The Sarif.Multitool executable, or None and why it is not available."""
    prefix = Path(os.environ.get("SOUNDLINT_SARIF_MULTITOOL_PREFIX", DEFAULT_PREFIX))
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    package = prefix / "node_modules" / PACKAGE
    if not package.is_dir():
        return None, f"{PACKAGE} is not installed under {prefix} (.ci/run installs it)"
    # The package's index.js names the platform's native executable.
    found = subprocess.run(
        [node, "-p", f"require({json.dumps(str(package))})"],
        capture_output=True,
        text=True,
        check=False,
    )
    executable = Path(found.stdout.strip())
    if found.returncode != 0 or not os.access(executable, os.X_OK):
        return None, f"{PACKAGE} under {prefix} has no runnable executable ({executable})"
    return executable, ""


def schema_file(executable: Path) -> Path:
    """The SARIF 2.1.0 JSON schema the multitool ships beside its executable."""
    return executable.parent / "sarif-2.1.0.json"


def validate(executable: Path, sarif: Path, work: Path) -> list[dict]:
    """Run ``validate`` with the SARIF and GitHub rule sets; return its error and warning
    results (the multitool exits 0 either way, so its own log is read)."""
    log = work / "validation.sarif"
    subprocess.run(
        [
            str(executable),
            "validate",
            "--rule-kind",
            "Sarif;Gh",
            "--json-schema",
            str(schema_file(executable)),
            "--log",
            "ForceOverwrite",
            "--output",
            str(log),
            str(sarif.resolve()),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    results = json.loads(log.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    return [r for r in results if r.get("level", "warning") in ("error", "warning")]
