"""The analyse stage: measure each segment once, in a process pool, through the cache."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from soundlint.cache import MeasurementCache
from soundlint.config import Settings
from soundlint.model import Diagnostic, Measurement
from soundlint.plugins import PLUGIN_ERROR, Plugins

Progress = Callable[[int, int], None]
"""Called with (files measured, files to measure) as the analysis goes."""

POOL_THRESHOLD_BYTES = 32 << 20
"""Below this much audio (and without -j), starting workers costs more than it saves."""


@dataclass(frozen=True)
class Outcome:
    """A file's measurement, or why there is none."""

    measurement: Measurement | None = None
    unreadable: str | None = None
    """The meter could not decode the file at all."""
    plugin_error: str | None = None
    """The meter raised something other than UnreadableAudio: a bug, reported as SL001."""


@dataclass(frozen=True)
class Analysis:
    """Every outcome of a run, by file."""

    outcomes: dict[Path, Outcome]

    def measurement(self, path: Path) -> Measurement | None:
        outcome = self.outcomes.get(path)
        return outcome.measurement if outcome else None

    def plugin_errors(self) -> list[Diagnostic]:
        return [
            Diagnostic(PLUGIN_ERROR.code, f"audio analysis failed: {outcome.plugin_error}", path)
            for path, outcome in sorted(self.outcomes.items())
            if outcome.plugin_error
        ]


def analyse(
    paths: Iterable[Path],
    settings: Settings,
    plugins: Plugins,
    *,
    jobs: int | None = None,
    cache: MeasurementCache | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Measure every file not already in the cache; store what was measured."""
    unique = sorted(set(paths))
    outcomes: dict[Path, Outcome] = {}
    pending: list[Path] = []
    for path in unique:
        cached = cache.get(path) if cache else None
        if cached is not None:
            outcomes[path] = Outcome(measurement=cached)
        else:
            pending.append(path)
    workers = min(jobs or os.cpu_count() or 1, len(pending))
    report = progress or (lambda done, total: None)
    if workers <= 1 or (jobs is None and _total_bytes(pending) < POOL_THRESHOLD_BYTES):
        measured = []
        for path in pending:
            measured.append(_measure(plugins, path, settings))
            report(len(measured), len(pending))
    else:
        measured = _in_pool(pending, settings, workers, report)
    for path, outcome in zip(pending, measured, strict=True):
        outcomes[path] = outcome
        if cache is not None and outcome.measurement is not None:
            cache.put(path, outcome.measurement)
    return Analysis(outcomes)


def _total_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def _measure(plugins: Plugins, path: Path, settings: Settings) -> Outcome:
    from soundlint.audio.analyse import UnreadableAudio

    try:
        measurement = plugins.measure(path, settings)
    except UnreadableAudio as error:
        return Outcome(unreadable=str(error))
    except Exception as error:  # a meter bug must not end the run: it becomes SL001
        return Outcome(plugin_error=f"the meter raised {type(error).__name__}: {error}")
    if measurement is None:
        return Outcome(plugin_error="no plugin measured it (is the meter plugin disabled?)")
    return Outcome(measurement=measurement)


# Worker processes load their own plugins once, from the same configuration.
_worker_plugins: Plugins | None = None


def _start_worker(config_file: Path | None, plugin_args: tuple[str, ...]) -> None:
    global _worker_plugins
    from soundlint import api

    session = api.start((), config_path=config_file, plugin_args=plugin_args, search_config=False)
    _worker_plugins = session.plugins


def _measure_in_worker(path: Path, settings: Settings) -> Outcome:
    assert _worker_plugins is not None
    return _measure(_worker_plugins, path, settings)


def _in_pool(
    paths: list[Path], settings: Settings, workers: int, progress: Progress
) -> list[Outcome]:
    """Measure in worker processes; a file whose worker dies is measured again on its own."""
    outcomes: dict[Path, Outcome] = {}
    with contextlib.suppress(BrokenProcessPool), _pool(settings, workers) as pool:
        futures = {path: pool.submit(_measure_in_worker, path, settings) for path in paths}
        for path, future in futures.items():
            with contextlib.suppress(BrokenProcessPool):
                outcomes[path] = future.result()
            progress(len(outcomes), len(paths))
    return [outcomes.get(path) or _alone(path, settings) for path in paths]


def _alone(path: Path, settings: Settings) -> Outcome:
    try:
        with _pool(settings, 1) as pool:
            return pool.submit(_measure_in_worker, path, settings).result()
    except BrokenProcessPool:
        return Outcome(unreadable="the decoder crashed on this file (its process died)")


def _pool(settings: Settings, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        initializer=_start_worker,
        initargs=(settings.config_file, settings.plugin_args),
    )
