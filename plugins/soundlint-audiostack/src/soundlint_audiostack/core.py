"""Everything the uploader asks of soundlint's core, in one place: the lint verdict of each
template (through the same session, configuration and profile as ``soundlint check``), its
report as ``check`` prints it, and the ``[tool.soundlint.upload]`` table."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soundlint.api import Session
    from soundlint.model import Diagnostic
    from soundlint.project import Project
    from soundlint.report import Report


@dataclass(frozen=True)
class SegmentFile:
    name: str
    path: Path


@dataclass(frozen=True)
class TemplateVerdict:
    """One linted template and how many errors stand between it and the server."""

    name: str
    directory: Path
    manifest: Path
    root: Path
    """The root of the project the template belongs to: where its upload state is kept."""
    description: str
    segments: tuple[SegmentFile, ...]
    errors: int


@dataclass(frozen=True)
class LintOutcome:
    verdicts: tuple[TemplateVerdict, ...]
    report: Report
    formats: Mapping[str, Any]

    def render(self, output_format: str) -> str:
        """The report as ``soundlint check --output-format FORMAT`` would print it."""
        return str(self.formats[output_format](self.report))

    def as_json(self) -> Any:
        return json.loads(self.render("json"))


def upload_table(session: Session) -> tuple[Any, Path]:
    """The ``[tool.soundlint.upload]`` table as written, and the project root."""
    settings = session.settings()
    return settings.extra.get("upload", {}), settings.root


def lint_templates(
    session: Session, paths: Sequence[Path], args: argparse.Namespace
) -> LintOutcome:
    """Lint ``paths`` as ``soundlint check`` does (each file under its own project's
    configuration); give each template's verdict."""
    from soundlint import api
    from soundlint.report import Report

    result = api.check(
        list(paths), config_path=args.config, plugin_args=args.plugin, args=args, sessions=[session]
    )
    report = Report.of(result, color=_color())
    verdicts = tuple(
        verdict
        for run in result.runs
        for verdict in _verdicts(run.project, run.project.root, run.diagnostics)
    )
    return LintOutcome(verdicts, report, session.plugins.report_formats())


def _verdicts(
    project: Project, root: Path, diagnostics: Sequence[Diagnostic]
) -> list[TemplateVerdict]:
    """Each template checked, with the errors that hold it back (see soundlint.readiness)."""
    from soundlint.readiness import template_errors

    return [
        TemplateVerdict(
            name=template.name,
            directory=template.directory,
            manifest=template.manifest,
            root=root,
            description=str(template.metadata.get("description") or ""),
            segments=tuple(SegmentFile(s.name, s.path) for s in template.segments),
            errors=errors,
        )
        for template, errors in template_errors(project, diagnostics)
    ]


def _color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))
