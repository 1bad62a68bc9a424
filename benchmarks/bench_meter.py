"""Benchmark the streaming meter against its peers on this machine, printing ratios.

Usage: python benchmarks/bench_meter.py [--minutes N] [--rss-minutes M] [--repeat R]

1. full analysis (``measure_file``) / (soundfile.read + pyloudnorm integrated_loudness) -- <= 0.5
2. full analysis / decode only (soundfile.blocks) -- <= 4
3. peak RSS of a full analysis of an M-minute vs a 1-minute stereo file, each in a fresh
   process -- < 200 MB, growth <= 20 MB
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

RATE = 48000
CHUNK_SECONDS = 10


def _import_soundlint() -> None:
    try:
        import soundlint  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


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


def best_times(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs of each action, in seconds. The actions take turns, so
    that a change in the machine's load affects them alike and the ratios hold."""
    best = dict.fromkeys(actions, float("inf"))
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def decode_only(path: Path) -> int:
    import soundfile

    frames = 0
    for block in soundfile.blocks(str(path), 65536, dtype="float32", always_2d=True):
        frames += block.shape[0]
    return frames


def pyloudnorm_peer(path: Path) -> float:
    import pyloudnorm
    import soundfile

    data, rate = soundfile.read(str(path))
    return float(pyloudnorm.Meter(rate).integrated_loudness(data))


def full_analysis(path: Path) -> object:
    from soundlint.audio.analyse import measure_file

    return measure_file(path)


def peak_rss_mb(path: Path) -> float:
    """Peak RSS (MB) of a fresh process that imports the stack and measures ``path``."""
    output = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def rss_child(path: Path) -> None:
    """Measure ``path`` and print this process's peak RSS in MB.

    /proc's VmHWM belongs to this program image; getrusage's ru_maxrss can carry the parent's
    peak over fork and exec on Linux.
    """
    full_analysis(path)
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(int(line.split()[1]) / 1024.0)
                return
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)


def timing(directory: Path, minutes: float, repeat: int) -> None:
    path = write_music(directory / "music.wav", minutes)
    import scipy.signal  # noqa: F401  (import cost is not what is measured)

    full_analysis(path)  # warm the page cache and the imports
    times = best_times(
        {
            "decode": lambda: decode_only(path),
            "full": lambda: full_analysis(path),
            "peer": lambda: pyloudnorm_peer(path),
        },
        repeat,
    )
    decode, full, peer = times["decode"], times["full"], times["peer"]
    print(f"{minutes:g} min of 48 kHz 24-bit stereo, best of {repeat}:")
    print(f"  full / (soundfile.read + pyloudnorm integrated) = {full / peer:.3f}  (target <= 0.5)")
    print(f"  full / decode-only (soundfile.blocks)           = {full / decode:.3f}  (target <= 4)")
    print(f"  (seconds: full {full:.2f}, decode {decode:.2f}, peer {peer:.2f})")
    path.unlink()


def memory(directory: Path, minutes: float) -> None:
    short = peak_rss_mb(write_music(directory / "short.wav", 1.0))
    long = peak_rss_mb(write_music(directory / "long.wav", minutes))
    print("peak RSS of a full analysis in a fresh process:")
    print(f"  1 min: {short:.1f} MB, {minutes:g} min: {long:.1f} MB  (target < 200 MB)")
    print(f"  growth: {long - short:.1f} MB  (target <= 20 MB)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length for the timings")
    parser.add_argument("--rss-minutes", type=float, default=60.0, help="long file for RSS")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _import_soundlint()
    if args.rss_child is not None:
        rss_child(args.rss_child)
        return
    with tempfile.TemporaryDirectory() as directory:
        timing(Path(directory), args.minutes, args.repeat)
        memory(Path(directory), args.rss_minutes)


if __name__ == "__main__":
    main()
