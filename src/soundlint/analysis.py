"""The analyse stage: measure each segment once, in a process pool, through the cache."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from soundlint import cache as cache_module
from soundlint.cache import MeasurementCache
from soundlint.config import Settings
from soundlint.model import MEASURES, Diagnostic, Measurement
from soundlint.plugins import PLUGIN_ERROR, Plugins

Progress = Callable[[int, int], None]
"""Called with (files measured, files to measure) as the analysis goes."""

POOL_THRESHOLD_BYTES = 32 << 20
"""Below this much audio (and without -j), starting workers costs more than it saves."""
BATCHES_PER_WORKER = 4
"""Each batch handed to a worker holds about 1/(this x workers) of the audio still to go..."""
MIN_BATCH_BYTES = 1 << 20
"""... but at least this much, so that the last batches are small and the workers finish
together, and the pool hands over a few dozen batches rather than every file."""


@dataclass(frozen=True)
class Outcome:
    """A file's measurement, or why there is none."""

    measurement: Measurement | None = None
    unreadable: str | None = None
    """The meter could not decode the file at all."""
    plugin_error: str | None = None
    """The meter raised something other than UnreadableAudio: a bug, reported as SL001."""
    signature: list[int] | None = None
    """The file's stat signature when it was hashed (see ``cache``), with ``digest``."""
    digest: str | None = None
    """The hash of the file's bytes, when a cache is kept."""
    from_cache: bool = False
    """The measurement is the cache's entry for these bytes: nothing was decoded."""


@dataclass(frozen=True)
class Job:
    """One file to measure in a worker: what to measure, and where its cache entry may be."""

    path: Path
    needs: frozenset[str]
    cache: tuple[Path, str] | None = None
    """The cache's directory and meter identity, when a cache is kept."""
    digest: str | None = None
    """The file's hash, when the main process knows it already..."""
    signature: list[int] | None = None
    """... for the file with this stat signature (changed since: hashed again)."""


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
    needs: Callable[[Path], frozenset[str]] = lambda path: frozenset(MEASURES),
    jobs: int | None = None,
    cache: MeasurementCache | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Measure what ``needs(path)`` asks of every file not already in the cache; store what was
    measured. The cache is looked up by the stat index alone: a file it does not know as it
    is now is hashed by the worker that measures it, while reading it anyway."""
    unique = sorted(set(paths))
    outcomes: dict[Path, Outcome] = {}
    pending: list[Job] = []
    where = (cache.directory, cache.meter) if cache is not None else None
    for path in unique:
        signature = cache_module.stat_signature(path) if cache else None
        digest = cache.digest(path, signature) if cache else None
        cached = cache.entry(digest, needs(path)) if cache and digest else None
        if cached is not None:
            outcomes[path] = Outcome(measurement=cached)
        else:
            pending.append(Job(path, needs(path), where, digest, signature))
    report = progress or (lambda done, total: None)

    def keep(path: Path, outcome: Outcome) -> None:
        """Store each outcome as it comes, so that an interrupted run keeps what it measured."""
        outcomes[path] = outcome
        if cache is not None and outcome.signature is not None and outcome.digest is not None:
            stored = None if outcome.from_cache else outcome.measurement
            cache.keep(path, outcome.signature, outcome.digest, stored)
        report(len(outcomes) - from_cache, len(pending))

    from_cache = len(outcomes)
    workers = min(jobs or os.cpu_count() or 1, len(pending))
    if workers <= 1 or (jobs is None and _total_bytes(pending) < POOL_THRESHOLD_BYTES):
        for job in pending:
            keep(job.path, _run(plugins, job, settings))
    else:
        global _worker_plugins
        _worker_plugins = plugins  # what forked workers start with
        try:
            _in_pool(_batches(pending, workers), settings, workers, keep)
        finally:
            _worker_plugins = None
    return Analysis(outcomes)


def _batches(jobs: list[Job], workers: int) -> list[list[Job]]:
    """The jobs in batches, the largest files first (so that no worker is left with a long
    file at the end), each batch a share of the audio still to go (guided scheduling)."""
    sized = sorted(((_size(job), job) for job in jobs), key=lambda pair: pair[0], reverse=True)
    remaining = sum(size for size, _ in sized)
    batches: list[list[Job]] = []
    batch: list[Job] = []
    batch_bytes = 0
    for size, job in sized:
        batch.append(job)
        batch_bytes += size
        if batch_bytes >= max(remaining / (BATCHES_PER_WORKER * workers), MIN_BATCH_BYTES):
            batches.append(batch)
            remaining -= batch_bytes
            batch, batch_bytes = [], 0
    return [*batches, batch] if batch else batches


def _size(job: Job) -> int:
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def _total_bytes(pending: list[Job]) -> int:
    return sum(_size(job) for job in pending)


def _run(plugins: Plugins, job: Job, settings: Settings) -> Outcome:
    """Hash the file (unless known), find its entry, else measure it: what the entry lacks
    and what ``needs`` asks, so that the entry only grows."""
    if job.cache is None:
        return _measure(plugins, job.path, settings, job.needs)
    signature = cache_module.stat_signature(job.path)
    known = job.digest if signature == job.signature else None
    digest = known or cache_module.hash_file(job.path)
    if signature is None or digest is None:
        return _measure(plugins, job.path, settings, job.needs)
    directory, meter = job.cache
    kept = cache_module.probe(directory, meter, digest)
    if kept is not None and job.needs <= set(kept.measures):
        return Outcome(measurement=kept, signature=signature, digest=digest, from_cache=True)
    needs = job.needs | set(kept.measures) if kept is not None else job.needs
    outcome = _measure(plugins, job.path, settings, frozenset(needs))
    return replace(outcome, signature=signature, digest=digest)


def _measure(plugins: Plugins, path: Path, settings: Settings, needs: frozenset[str]) -> Outcome:
    from soundlint.audio.analyse import UnreadableAudio

    try:
        measurement = plugins.measure(path, settings, needs)
    except UnreadableAudio as error:
        return Outcome(unreadable=str(error))
    except Exception as error:  # a meter bug must not end the run: it becomes SL001
        return Outcome(plugin_error=f"the meter raised {type(error).__name__}: {error}")
    if measurement is None:
        return Outcome(plugin_error="no plugin measured it (is the meter plugin disabled?)")
    return Outcome(measurement=measurement)


# Worker processes use the plugins of the process that forked them, or where workers are not
# forked (no fork on the platform), load their own once, from the same configuration.
_worker_plugins: Plugins | None = None
_worker_settings: Settings | None = None
_worker_started: Any = None
"""The pool's shared flags, one per batch: set by the worker that starts the batch."""


_lifeline: tuple[Connection, Connection] | None = None
"""A pipe whose write end only the main process holds, made with its first pool: its end of
file tells each worker that the main process has ended, however it ended."""


def _lifeline_reader() -> Connection:
    global _lifeline
    if _lifeline is None:
        _lifeline = multiprocessing.Pipe(duplex=False)
    return _lifeline[0]


def _end_with_the_main_process(lifeline: Connection) -> None:
    """Wait until the main process has ended (nothing is ever sent: the write end closes),
    then end this worker at once: what it measures has no one to go to."""
    lifeline.poll(None)
    os._exit(1)


def _start_worker(settings: Settings, started: Any, lifeline: Connection) -> None:
    global _worker_plugins, _worker_settings, _worker_started
    # Ctrl-C on a terminal reaches every process of the group: the main process answers it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    if _lifeline is not None:  # forked: a copy of the write end, which would keep it open
        _lifeline[1].close()
    threading.Thread(target=_end_with_the_main_process, args=(lifeline,), daemon=True).start()
    _worker_settings = settings
    _worker_started = started
    if _worker_plugins is not None:  # forked: the main process's, nothing to load
        return
    from soundlint import api

    session = api.start(
        (),
        config_path=settings.config_file,
        plugin_args=settings.plugin_args,
        search_config=False,
    )
    _worker_plugins = session.plugins


def _measure_in_worker(number: int, batch: list[Job]) -> list[Outcome]:
    assert _worker_plugins is not None and _worker_settings is not None
    if _worker_started is not None:
        _worker_started[number] = 1
    return [_run(_worker_plugins, job, _worker_settings) for job in batch]


def _in_pool(
    batches: list[list[Job]],
    settings: Settings,
    workers: int,
    keep: Callable[[Path, Outcome], None],
) -> None:
    """Measure batches in worker processes, keeping each outcome as it arrives. When a worker
    dies (a decoder crash), the batches that had started and not finished are split in halves
    and measured again in a new pool with those that had not started, and a file left alone in
    such a batch is measured in a worker of its own: the file that crashes costs itself, the
    others a few restarts (a pool that breaks before starting anything sends every file to a
    worker of its own). On Ctrl-C or SIGTERM the workers are killed at once, then the signal
    goes on to its usual handler (KeyboardInterrupt, the CLI's exit 143)."""
    with _stop_signals_noted() as received:
        while batches and not received:
            waiting, broken = _run_batches(batches, settings, workers, keep, received)
            if len(waiting) == len(batches):  # broke before any batch started: no pool helps
                waiting, broken = [], [[job] for batch in waiting for job in batch]
            batches = waiting + [
                half for batch in broken if len(batch) > 1 for half in _halves(batch)
            ]
            lone = [batch[0] for batch in broken if len(batch) == 1]
            _each_alone(lone, settings, workers, keep, received)
    if received:
        signal.raise_signal(received[0])


def _halves(batch: list[Job]) -> list[list[Job]]:
    middle = len(batch) // 2
    return [batch[:middle], batch[middle:]]


def _run_batches(
    batches: list[list[Job]],
    settings: Settings,
    workers: int,
    keep: Callable[[Path, Outcome], None],
    received: list[int],
) -> tuple[list[list[Job]], list[list[Job]]]:
    """Run ``batches`` in one pool until they are done, a stop signal is noted or a worker
    dies; when the pool broke, the batches it had not started and those it had not finished."""
    finished: set[int] = set()
    started = multiprocessing.RawArray("b", len(batches))
    pool = _pool(settings, workers, started)
    try:
        futures = {}
        with _signals_held(), contextlib.suppress(BrokenProcessPool):
            for number, batch in enumerate(batches):  # those not handed over: not started
                futures[pool.submit(_measure_in_worker, number, batch)] = number
        pending = set(futures)
        while pending and not received:
            done, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                with contextlib.suppress(BrokenProcessPool):
                    outcomes = future.result()
                    number = futures[future]
                    for job, outcome in zip(batches[number], outcomes, strict=True):
                        keep(job.path, outcome)
                    finished.add(number)
    except BaseException:
        _kill(pool)
        raise
    if received:
        _kill(pool)
        return [], []
    pool.shutdown()
    unfinished = [number for number in range(len(batches)) if number not in finished]
    return (
        [batches[number] for number in unfinished if not started[number]],
        [batches[number] for number in unfinished if started[number]],
    )


_POLL_SECONDS = 0.1


@contextlib.contextmanager
def _stop_signals_noted() -> Iterator[list[int]]:
    """Note Ctrl-C and SIGTERM rather than raise them inside the pool's locks (where an
    exception can leave a lock held and the exit hanging); the caller acts on them, and the
    handlers there were are put back. Only the main thread can do this; elsewhere, nothing."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {number: signal.getsignal(number) for number in _STOP_SIGNALS}
    for number, handler in previous.items():
        if handler not in (signal.SIG_IGN, None):
            signal.signal(number, lambda number, frame: received.append(number))
    try:
        yield received
    finally:
        for number, handler in previous.items():
            if handler is not None:  # None: not set from Python, so not replaced either
                signal.signal(number, handler)


def _each_alone(
    jobs: list[Job],
    settings: Settings,
    workers: int,
    keep: Callable[[Path, Outcome], None],
    received: list[int],
) -> None:
    """Measure each file in a worker of its own, ``workers`` at a time, so that a crash is the
    file's; until a stop signal is noted."""
    waiting = list(jobs)
    running: dict[Future[list[Outcome]], tuple[Job, ProcessPoolExecutor]] = {}
    try:
        while (waiting or running) and not received:
            while waiting and len(running) < workers:
                job, pool = waiting.pop(0), _pool(settings, 1)
                with _signals_held():
                    running[pool.submit(_measure_in_worker, 0, [job])] = (job, pool)
            done, _ = wait(running, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                job, pool = running.pop(future)
                try:
                    outcome = future.result()[0]
                except BrokenProcessPool:
                    outcome = Outcome(
                        unreadable="the decoder crashed on this file (its process died)"
                    )
                pool.shutdown()
                keep(job.path, outcome)
    finally:
        for _, pool in running.values():
            _kill(pool)


def _pool(settings: Settings, workers: int, started: Any = None) -> ProcessPoolExecutor:
    """Forked workers where the platform forks safely (Linux): they start in milliseconds
    with the plugins already loaded; elsewhere the platform's default start method."""
    methods = multiprocessing.get_all_start_methods()
    fork = sys.platform.startswith("linux") and "fork" in methods
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork") if fork else None,
        initializer=_start_worker,
        initargs=(settings, started, _lifeline_reader()),
    )


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while workers are forked: they start with both blocked (the
    main process answers them and kills the workers) until _start_worker sets them up."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now (what they were measuring is lost anyway), then let the pool
    wind up its threads and queues before anything else exits. (Python 3.14 has
    ProcessPoolExecutor.kill_workers; before, the workers are only in ``_processes``.)"""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
