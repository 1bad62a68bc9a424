"""Ctrl-C and SIGTERM while the worker pool measures: a prompt stop, no orphaned workers, the
measurements already made kept in the cache, exit status 130 / 143."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import write_template, write_wav

FILES = 24
SECONDS = 60.0


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template with enough distinct audio that two workers need several seconds."""
    root = tmp_path_factory.mktemp("library")
    segments = {f"s{index:02}": f"s{index:02}.wav" for index in range(FILES)}
    template = write_template(root / "big", segments, audio=False)
    for index, name in enumerate(segments.values()):
        write_wav(template / name, seconds=SECONDS, channels=1, level_db=-15.0 - index / 10)
    return root


def _children(pid: int) -> set[tuple[int, str]]:
    """Live processes whose parent is ``pid``, by pid and start time, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] != "Z" and int(fields[1]) == pid:
                found.add((int(entry.name), fields[19]))
    return found


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _alive(process: tuple[int, str]) -> bool:
    """True while that process (not a later one given the same pid) runs."""
    fields = _stat(process[0])
    return fields is not None and fields[0] != "Z" and fields[19] == process[1]


def _entries(cache: Path) -> int:
    return len(list((cache / "measurements").glob("*/*.json")))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "status", "to_group"),
    [(signal.SIGINT, 130, False), (signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)],
    ids=["sigint", "ctrl-c-on-a-terminal", "sigterm"],
)
def test_a_signal_stops_the_pool_and_keeps_what_was_measured(
    library: Path, signum: signal.Signals, status: int, to_group: bool
) -> None:
    """Ctrl-C on a terminal signals the whole process group, workers included."""
    cache = library / ".soundlint_cache"
    shutil.rmtree(cache, ignore_errors=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "soundlint", "check", "-j", "2", "--output-format", "json"],
        cwd=library,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=to_group,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[tuple[int, str]] = set()
        while process.poll() is None and time.monotonic() < deadline:
            workers |= _children(process.pid)
            if len(workers) >= 2 and cache.exists() and _entries(cache) >= 1:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before any measurement was kept"
        assert len(workers) >= 2
        measured_before = _entries(cache)
        if to_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        sent = time.monotonic()
        out, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == status, err
    assert elapsed < 2.0, f"{elapsed:.2f} s from the signal to the exit"
    assert "Traceback" not in err, err
    assert out == "", out
    grace = time.monotonic() + 1.0
    while any(_alive(worker) for worker in workers) and time.monotonic() < grace:
        time.sleep(0.05)
    assert not [worker for worker in workers if _alive(worker)], "workers outlived the run"
    kept = _entries(cache)
    assert measured_before <= kept < FILES, (measured_before, kept)
    assert (cache / "index.json").exists()
    if signum == signal.SIGTERM:
        _finish_from_the_cache(library, cache)


def _finish_from_the_cache(library: Path, cache: Path) -> None:
    """A run after the interrupted one measures the rest and finds the cache sound."""
    warm = subprocess.run(
        [sys.executable, "-m", "soundlint", "check", "-j", "2", "--output-format", "json"],
        cwd=library,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert warm.returncode in (0, 1), warm.stderr
    assert "SL001" not in warm.stdout
    assert _entries(cache) == FILES, warm.stdout


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_main_process_is_killed(library: Path) -> None:
    """SIGKILL (an OOM killer, a CI job's hard timeout) leaves the main process no time to
    stop its workers: they notice by themselves, and let go of its stdout and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "soundlint", "check", "-j", "2", "--no-cache"],
        cwd=library,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    workers: set[tuple[int, str]] = set()
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and len(workers) < 2 and time.monotonic() < deadline:
            workers |= _children(process.pid)
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before its workers were seen"
        time.sleep(0.5)  # well into their first files
        process.kill()
        process.wait(timeout=10)
        killed = time.monotonic()
        assert process.stdout is not None and process.stderr is not None
        for stream in (process.stdout, process.stderr):
            assert _read_to_the_end(stream, killed + 2.0), "a worker holds the pipe open"
        while any(_alive(worker) for worker in workers) and time.monotonic() < killed + 2.0:
            time.sleep(0.05)
        assert not [worker for worker in workers if _alive(worker)], "workers outlived the run"
    finally:
        for worker in workers:
            if _alive(worker):
                os.kill(worker[0], signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _read_to_the_end(stream: IO[bytes], deadline: float) -> bool:
    """Read ``stream`` until end of file; False if that has not come by ``deadline``."""
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([stream], [], [], remaining)
        if ready and not os.read(stream.fileno(), 1 << 16):
            return True
    return False
