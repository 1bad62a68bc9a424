"""Output formats: each turns the sorted diagnostics of a run into text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Severity
from soundlint.paths import relative_path
from soundlint.rule import Rule

if TYPE_CHECKING:
    from soundlint.api import Result
    from soundlint.project import Project
    from soundlint.readiness import Readiness


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
    base: Path | None = None
    """The repository (or project) root. CI formats (SARIF, GitLab, GitHub, JUnit) give paths
    relative to it, as code scanning and merge requests expect; None: relative to ``cwd``."""
    projects: tuple[Project, ...] = ()
    """What was checked: clean files, and the manifests that list segments."""
    config_files: tuple[Path, ...] = ()
    """The configuration files the run used."""
    baselined: int = 0
    """How many findings the baseline left out."""
    readiness: Readiness | None = None
    """Which templates are ready, for ``check`` to end with (None: not said)."""
    verbose: bool = False

    @property
    def root(self) -> Path:
        """The directory that report paths meant to be stable are relative to."""
        return self.base or self.cwd

    @classmethod
    def of(
        cls,
        result: Result,
        *,
        color: bool = False,
        baselined: int = 0,
        readiness: Readiness | None = None,
        verbose: bool = False,
    ) -> Report:
        """The report of a run, its paths shown from the current directory."""
        return cls(
            diagnostics=result.diagnostics,
            templates=len(result.checked_templates),
            scripts=len(result.checked_scripts),
            files=result.files,
            cwd=Path.cwd(),
            rules=result.rules,
            color=color,
            base=result.root,
            projects=result.projects,
            config_files=result.config_files,
            baselined=baselined,
            readiness=readiness,
            verbose=verbose,
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def project_path(self, diagnostic: Diagnostic) -> str:
        """The diagnostic's path relative to the project root, with '/'."""
        return relative_path(diagnostic.path, self.root)


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
