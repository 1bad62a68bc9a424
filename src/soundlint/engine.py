"""Check a loaded project: call the rule plugins, then filter and sort what they found."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from soundlint.analysis import Analysis, analyse
from soundlint.config import Settings
from soundlint.model import Diagnostic, Measurement, Segment, SegmentStatus, Template
from soundlint.paths import displayable, relative_path
from soundlint.plugins import PLUGIN_ERROR, Plugins
from soundlint.project import Project
from soundlint.selection import RuleSelection


@dataclass(frozen=True)
class CheckContext:
    """What a rule may ask while checking: whether it is on, its options, the whole project."""

    project: Project
    settings: Settings
    selection: RuleSelection
    analysis: Analysis

    def enabled(self, code: str) -> bool:
        return self.selection.enabled(code)

    def options(self, code: str) -> Mapping[str, Any]:
        return self.selection.options(code)

    def measurement(self, segment: Segment) -> Measurement | None:
        """The segment's measurement; None when not measured (no audio rule on, unreadable)."""
        return self.analysis.measurement(segment.path)

    def measured(self, template: Template) -> Iterator[tuple[Segment, Measurement]]:
        """The template's segments that have a measurement, with it."""
        for segment in template.segments:
            measurement = self.measurement(segment)
            if measurement is not None:
                yield segment, measurement

    def unreadable(self, segment: Segment) -> str | None:
        """Why the meter could not decode the segment at all, if it could not."""
        outcome = self.analysis.outcomes.get(segment.path)
        return outcome.unreadable if outcome else None


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


def check(
    project: Project,
    settings: Settings,
    plugins: Plugins,
    *,
    jobs: int | None = None,
    use_cache: bool = True,
) -> Result:
    """Run every enabled rule over the project; return the diagnostics that survive filtering."""
    rules = plugins.rules()
    selection = RuleSelection(rules, settings)
    analysis = Analysis({})
    if any(rules[code].needs_audio for code in selection.enabled_codes):
        analysis = _analyse(project, settings, plugins, jobs, use_cache)
    context = CheckContext(project, settings, selection, analysis)
    found: list[Diagnostic] = analysis.plugin_errors()
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
        # A finding of a rule that is off is dropped before its path is worked out.
        if diagnostic.code == PLUGIN_ERROR.code or selection.enabled(diagnostic.code)
    )
    diagnostics = sorted(
        (_displayable(d) for d in kept if d is not None),
        key=Diagnostic.sort_key,
    )
    return Result(project, tuple(diagnostics))


def _analyse(
    project: Project, settings: Settings, plugins: Plugins, jobs: int | None, use_cache: bool
) -> Analysis:
    from soundlint.cache import MeasurementCache

    paths = [
        segment.path
        for template in project.checked_templates
        for segment in template.segments
        if _measurable(segment)
    ]
    meter = f"{plugins.meter_identity()};{sorted(settings.extra.items())}"
    cache = MeasurementCache(settings.cache_dir, meter) if use_cache else None
    analysis = analyse(paths, settings, plugins, jobs=jobs, cache=cache)
    if cache is not None:
        cache.save()
    return analysis


def _measurable(segment: Segment) -> bool:
    """A segment whose header says it is a WAV with audio in it."""
    audio = segment.audio
    return (
        segment.status is SegmentStatus.OK
        and audio is not None
        and audio.is_wave
        and bool(audio.frames)
    )


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def _displayable(diagnostic: Diagnostic) -> Diagnostic:
    """The diagnostic with file-name bytes that are not UTF-8 escaped, ready to print."""
    return replace(
        diagnostic,
        message=displayable(diagnostic.message),
        template=displayable(diagnostic.template) if diagnostic.template else None,
        segment=displayable(diagnostic.segment) if diagnostic.segment else None,
    )
