"""Check a loaded project: call the rule plugins, then filter and sort what they found."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soundlint.config import Settings
from soundlint.model import Diagnostic, SegmentStatus
from soundlint.plugins import Plugins
from soundlint.project import Project
from soundlint.selection import RuleSelection


@dataclass(frozen=True)
class CheckContext:
    """What a rule may ask while checking: whether it is on, its options, the whole project."""

    project: Project
    settings: Settings
    selection: RuleSelection

    def enabled(self, code: str) -> bool:
        return self.selection.enabled(code)

    def options(self, code: str) -> Mapping[str, Any]:
        return self.selection.options(code)


@dataclass(frozen=True)
class Result:
    """The outcome of checking a project."""

    project: Project
    diagnostics: tuple[Diagnostic, ...]

    @property
    def files(self) -> int:
        """How many files were looked at: manifests, segments, scripts."""
        templates = self.project.checked_templates
        segments = {s.path for t in templates for s in t.segments if s.status is SegmentStatus.OK}
        return len(templates) + len(segments) + len(self.project.checked_scripts)


def check(project: Project, settings: Settings, plugins: Plugins) -> Result:
    """Run every enabled rule over the project; return the diagnostics that survive filtering."""
    selection = RuleSelection(plugins.rules(), settings)
    context = CheckContext(project, settings, selection)
    found: list[Diagnostic] = []
    for template in project.checked_templates:
        found.extend(plugins.check_template(template, context))
    for script in project.checked_scripts:
        bound = project.template_named(script.binding.template) if script.binding else None
        found.extend(plugins.check_script(script, bound, context))
    found.extend(d for d in plugins.check_project(project, context) if project.owns(d.path))
    found.extend(plugins.errors)
    kept = (
        selection.finish(diagnostic, relative_path(diagnostic.path, settings.root))
        for diagnostic in _unique(found)
    )
    diagnostics = sorted((d for d in kept if d is not None), key=Diagnostic.sort_key)
    return Result(project, tuple(diagnostics))


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def relative_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with '/' separators."""
    try:
        return Path(os.path.relpath(path, start)).as_posix()
    except ValueError:
        return path.as_posix()
