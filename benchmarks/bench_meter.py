"""Benchmark ``soundlint measure`` as a user runs it: whole processes, against peers.

Usage: python benchmarks/bench_meter.py [--minutes N] [--rss-minutes M] [--repeat R]

Every timing is a fresh process, imports included (nothing is imported or warmed up in it
beforehand; soundlint byte-compiled, as installed: see bench_library); the file is read once
first so that all of them find it in the page cache. The
processes take turns, R rounds, and the best wall time of each is kept:

1. ``soundlint measure FILE`` / a decode-only process (``soundfile.blocks``) -- <= 2.5
2. ``soundlint measure FILE`` / a ``soundfile.read`` + pyloudnorm process -- <= 0.35
3. peak RSS of ``soundlint measure`` on an M-minute and a 1-minute file -- < 100 MB, flat

``soundlint measure`` with the kernel's numpy fallback (SOUNDLINT_KERNEL=numpy) is timed too,
for comparison. The files are N (and M) minutes of 48 kHz 24-bit stereo, music-like. CPU times
(user + system) are printed too: on a busy machine they vary less than wall times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from bench_library import as_installed

RATE = 48000
CHUNK_SECONDS = 10

DECODE_ONLY = """
import sys, soundfile
frames = 0
for block in soundfile.blocks(sys.argv[1], 65536, dtype="float32", always_2d=True):
    frames += block.shape[0]
"""
# Runs a command and reports its wall time, CPU time and peak RSS. A child's ru_maxrss counts
# the memory of the process it was exec'd from, so the command is forked from this small
# process rather than from the benchmark, which holds the generated audio.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        os.execv(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
READ_AND_PYLOUDNORM = """
import sys, soundfile, pyloudnorm
data, rate = soundfile.read(sys.argv[1])
print(pyloudnorm.Meter(rate).integrated_loudness(data))
"""


def music_like(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Stereo 'music': a few partials and pinkish noise under a beat envelope, ~-14 dBFS RMS."""
    from scipy.signal import lfilter

    frames = round(seconds * RATE)
    t = np.arange(frames) / RATE
    partials = np.zeros(frames)
    for _ in range(6):
        frequency, phase = rng.uniform(60, 2000), rng.uniform(0, 6)
        partials += rng.uniform(0.02, 0.08) * np.sin(2 * np.pi * frequency * t + phase)
    noise = lfilter([0.05], [1.0, -0.95], rng.standard_normal((frames, 2)), axis=0)
    beat = 0.55 + 0.45 * np.abs(np.sin(np.pi * t * 2.0)) ** 4
    return np.clip((partials[:, None] + noise) * beat[:, None] * 1.6, -1.0, 1.0)


def write_music(path: Path, minutes: float, seed: int = 1) -> Path:
    """Write ``minutes`` of 48 kHz 24-bit stereo music-like noise, chunk by chunk."""
    import soundfile

    rng = np.random.default_rng(seed)
    total = minutes * 60.0
    with soundfile.SoundFile(path, "w", RATE, 2, subtype="PCM_24", format="WAV") as handle:
        done = 0.0
        while done < total:
            seconds = min(CHUNK_SECONDS, total - done)
            handle.write(music_like(seconds, rng))
            done += seconds
    return path


@dataclass
class Run:
    wall: float
    cpu: float
    """User plus system time of the process, seconds."""
    peak_rss_mb: float


def run_process(command: list[str], environment: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion: its wall time, CPU time and peak RSS (wait4)."""
    launched = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *command],
        capture_output=True,
        text=True,
        check=True,
        env=None if environment is None else {**os.environ, **environment},
    )
    wall, cpu, peak_kb, code = launched.stdout.split()
    if int(code) not in (0, 1):
        raise RuntimeError(f"{command[:3]} exited {code}: {launched.stderr}")
    return Run(float(wall), float(cpu), int(peak_kb) / 1024.0)


def soundlint_command() -> list[str]:
    """The ``soundlint`` console script beside this Python, else ``python -m soundlint``."""
    script = Path(sys.executable).with_name("soundlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "soundlint"]


def best_runs(commands: dict[str, list[str]], repeat: int) -> dict[str, Run]:
    """The fastest of ``repeat`` runs of each command (the commands take turns, so that a
    change in the machine's load affects them alike); CPU time is the least seen too. A name
    ending in "(numpy)" runs with the kernel's numpy fallback."""
    best: dict[str, Run] = {}
    for _ in range(repeat):
        for name, command in commands.items():
            fallback = {"SOUNDLINT_KERNEL": "numpy"} if name.endswith("(numpy)") else None
            run = run_process(command, fallback)
            if name in best:
                old = best[name]
                run = Run(min(old.wall, run.wall), min(old.cpu, run.cpu), old.peak_rss_mb)
            best[name] = run
    return best


def timing(directory: Path, minutes: float, repeat: int) -> None:
    path = write_music(directory / "music.wav", minutes)
    path.read_bytes()  # into the page cache
    runs = best_runs(
        {
            "decode": [sys.executable, "-c", DECODE_ONLY, str(path)],
            "measure": [*soundlint_command(), "measure", str(path)],
            "peer": [sys.executable, "-c", READ_AND_PYLOUDNORM, str(path)],
            "measure (numpy)": [*soundlint_command(), "measure", str(path)],
        },
        repeat,
    )
    decode, measure, peer = runs["decode"], runs["measure"], runs["peer"]
    fallback = runs["measure (numpy)"]
    print(f"{minutes:g} min of 48 kHz 24-bit stereo, whole processes, best of {repeat}:")
    print(
        f"  measure / decode-only (soundfile.blocks)      = {measure.wall / decode.wall:.2f}"
        f"  (target <= 2.5; CPU {measure.cpu / decode.cpu:.2f})"
    )
    print(
        f"  measure / (soundfile.read + pyloudnorm)       = {measure.wall / peer.wall:.2f}"
        f"  (target <= 0.35; CPU {measure.cpu / peer.cpu:.2f})"
    )
    print(
        f"  without the C kernel (SOUNDLINT_KERNEL=numpy) / decode-only = "
        f"{fallback.wall / decode.wall:.2f}  (CPU {fallback.cpu / decode.cpu:.2f})"
    )
    print(
        f"  (wall s: measure {measure.wall:.2f}, decode {decode.wall:.2f}, peer {peer.wall:.2f},"
        f" fallback {fallback.wall:.2f}; CPU s: {measure.cpu:.2f}, {decode.cpu:.2f},"
        f" {peer.cpu:.2f}, {fallback.cpu:.2f})"
    )
    path.unlink()


def memory(directory: Path, minutes: float) -> None:
    peaks = {}
    for length in (1.0, minutes):
        path = write_music(directory / f"{length:g}.wav", length)
        peaks[length] = run_process([*soundlint_command(), "measure", str(path)]).peak_rss_mb
        path.unlink()
    print("peak RSS of a `soundlint measure` process:")
    print(
        f"  1 min: {peaks[1.0]:.1f} MB, {minutes:g} min: {peaks[minutes]:.1f} MB"
        f"  (target < 100 MB, flat in length; growth {peaks[minutes] - peaks[1.0]:+.1f} MB)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length for the timings")
    parser.add_argument("--rss-minutes", type=float, default=60.0, help="long file for RSS")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of runs (best kept)")
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory() as directory:
        timing(Path(directory), args.minutes, args.repeat)
        memory(Path(directory), args.rss_minutes)


if __name__ == "__main__":
    main()
