"""Which checked templates are ready: no error left after filtering, as upload requires (and,
under ``check --strict``, no warning either)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from soundlint.model import Diagnostic, Severity, Template
from soundlint.paths import relative_path
from soundlint.plugins import PLUGIN_ERROR

if TYPE_CHECKING:
    from soundlint.engine import Result
    from soundlint.project import Project


@dataclass(frozen=True)
class Readiness:
    """The names of the templates checked, split by whether an error holds them back (or,
    under ``--strict``, only a warning: ``warned``)."""

    ready: tuple[str, ...]
    not_ready: tuple[str, ...]
    warned: tuple[str, ...] = ()


ERRORS = (Severity.ERROR, None)
"""The severities of findings that hold a template back (None: not stated, an error)."""
WARNINGS = (Severity.WARNING,)
"""Those that hold it back as well under ``--strict``."""


def of(runs: Sequence[Result], cwd: Path, *, strict: bool = False) -> Readiness:
    """The readiness of every template the runs checked, in their order: each named by its
    name, or by its directory relative to ``cwd`` when the runs are of several projects or
    two templates share a name. ``strict``: a template with a warning is not ready either."""
    templates: list[Template] = []
    states: list[str] = []
    for run in runs:
        errors = template_errors(run.project, run.diagnostics)
        warnings = (
            [count for _, count in template_errors(run.project, run.diagnostics, WARNINGS)]
            if strict
            else [0] * len(errors)
        )
        for (template, error_count), warning_count in zip(errors, warnings, strict=True):
            templates.append(template)
            states.append("not_ready" if error_count else "warned" if warning_count else "ready")
    names = [template.name for template in templates]
    if len(runs) > 1 or len(set(names)) < len(names):
        names = [relative_path(template.directory, cwd) for template in templates]

    def named(state: str) -> tuple[str, ...]:
        return tuple(name for name, held in zip(names, states, strict=True) if held == state)

    return Readiness(ready=named("ready"), not_ready=named("not_ready"), warned=named("warned"))


def template_errors(
    project: Project,
    diagnostics: Sequence[Diagnostic],
    severities: Collection[Severity | None] = ERRORS,
) -> list[tuple[Template, int]]:
    """Each checked template with the errors (or findings of other ``severities``) that hold
    it back: those about its directory, about a script bound to it, or naming it; a plugin
    that failed (SL001) holds back every template, its rules not run."""
    templates = project.checked_templates
    by_directory: dict[Path, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for index, template in enumerate(templates):
        by_directory.setdefault(template.directory, []).append(index)
        by_name.setdefault(template.name, []).append(index)
    bound_to: dict[Path, set[str]] = {}
    for name, indexes in by_name.items():
        for script in project.scripts_bound_to(templates[indexes[0]]):
            bound_to.setdefault(script.path, set()).add(name)
    counts: Counter[int] = Counter()
    everyone = 0
    for diagnostic in diagnostics:
        if diagnostic.severity not in severities:
            continue
        if diagnostic.code == PLUGIN_ERROR.code:
            everyone += 1
            continue
        path = diagnostic.path
        held = {i for folder in (path, *path.parents) for i in by_directory.get(folder, ())}
        for name in bound_to.get(path, ()):
            held.update(by_name[name])
        if diagnostic.template is not None:
            held.update(by_name.get(diagnostic.template, ()))
        counts.update(held)
    return [(template, counts[index] + everyone) for index, template in enumerate(templates)]
