"""Check a loaded project: call the rule plugins, then filter and sort what they found."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from soundlint import shards
from soundlint.analysis import Analysis, analyse
from soundlint.config import Settings
from soundlint.model import Diagnostic, Measurement, Segment, SegmentStatus, Template
from soundlint.paths import displayable, relative_path
from soundlint.plugins import PLUGIN_ERROR, Plugins
from soundlint.project import Project
from soundlint.rule import Rule
from soundlint.selection import RuleSelection, unmatched_per_file_ignores
from soundlint.shards import Shard


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
        """The template's segments measured whole, with their measurement. A segment cut short
        (WAV002) is left out: its measurement is of a fragment, and what the loudness and
        content rules would find in it only follows from the damage."""
        for segment in template.segments:
            measurement = self.measurement(segment)
            if measurement is not None and measurement.decode_error is None and not cut(segment):
                yield segment, measurement

    def unreadable(self, segment: Segment) -> str | None:
        """Why the meter could not decode the segment at all, if it could not."""
        outcome = self.analysis.outcomes.get(segment.path)
        return outcome.unreadable if outcome else None


def cut(segment: Segment) -> bool:
    """Whether the segment's container is damaged so that part of its audio is missing."""
    return segment.audio is not None and segment.audio.has("WAV002")


@dataclass(frozen=True)
class Result:
    """The outcome of checking a project."""

    project: Project
    diagnostics: tuple[Diagnostic, ...]
    warnings: tuple[str, ...] = ()
    """Problems of the configuration that do not stop the run, one line each."""

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
    shard: Shard | None = None,
    progress: str = "never",
) -> Result:
    """Run every enabled rule over the project (over one shard of its templates and scripts,
    if given); return the diagnostics that survive filtering."""
    warnings = unmatched_per_file_ignores(settings, _files(project))
    project = shards.select(project, shard)
    rules = plugins.rules()
    selection = RuleSelection(rules, settings)
    analysis = Analysis({})
    audio_rules = [rules[code] for code in selection.enabled_codes if rules[code].needs]
    if audio_rules:
        needs = _needs(project, audio_rules, selection)
        analysis = _analyse(needs, settings, plugins, jobs, use_cache, progress)
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
    return Result(project, tuple(diagnostics), warnings)


def _needs(
    project: Project, audio_rules: list[Rule], selection: RuleSelection
) -> dict[Path, frozenset[str]]:
    """What the enabled rules read of each measurable segment's file."""
    needs: dict[Path, frozenset[str]] = {}
    for template in project.checked_templates:
        for segment in template.segments:
            if _measurable(segment):
                wanted = needs.get(segment.path, frozenset()).union(
                    *(rule.needs_for(segment, selection.options(rule.code)) for rule in audio_rules)
                )
                needs[segment.path] = wanted
    return {path: wanted for path, wanted in needs.items() if wanted}


def _analyse(
    needs: dict[Path, frozenset[str]],
    settings: Settings,
    plugins: Plugins,
    jobs: int | None,
    use_cache: bool,
    progress_mode: str,
) -> Analysis:
    from soundlint.cache import MeasurementCache
    from soundlint.progress import AnalysisProgress

    paths = list(needs)
    meter = f"{plugins.meter_identity()};{sorted(settings.extra.items())}"
    max_bytes = settings.cache_max_mb << 20
    cache = (
        MeasurementCache(settings.cache_dir, meter, max_bytes, root=settings.root)
        if use_cache
        else None
    )
    if cache is not None:
        cache.hash_ahead(paths)
    progress = AnalysisProgress(progress_mode)
    try:
        return analyse(
            paths,
            settings,
            plugins,
            needs=needs.__getitem__,
            jobs=jobs,
            cache=cache,
            progress=progress,
        )
    finally:  # interrupted too: the measurements kept so far stay findable
        progress.close()
        if cache is not None:
            cache.save()


def _files(project: Project) -> Iterator[Path]:
    """Every file the project knows, checked in this run or not."""
    for template in project.templates:
        yield template.manifest
        yield from template.audio_files
        yield from (segment.path for segment in template.segments)
    yield from (script.path for script in project.scripts)


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
