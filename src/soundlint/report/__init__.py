"""Output formats: each turns the sorted diagnostics of a run into text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Severity
from soundlint.rule import Rule

if TYPE_CHECKING:
    from soundlint.project import Project


@dataclass(frozen=True)
class Report:
    """Everything a formatter needs."""

    diagnostics: tuple[Diagnostic, ...]
    templates: int
    scripts: int
    files: int
    cwd: Path
    rules: Mapping[str, Rule]
    color: bool = False
    project: Project | None = None
    """What was checked: clean files, the manifests that list segments, the project root."""

    @property
    def root(self) -> Path:
        """The project root, which report paths meant to be stable are relative to."""
        return self.project.root if self.project is not None else self.cwd

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


Formatter = Callable[[Report], str]


@hookimpl
def soundlint_report_formats() -> Mapping[str, Formatter]:
    from soundlint.report import ci, json, sarif, text

    return {
        "text": text.render,
        "json": json.render,
        "sarif": sarif.render,
        "junit": ci.junit,
        "github": ci.github,
        "gitlab": ci.gitlab,
    }
