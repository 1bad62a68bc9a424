"""Benchmark the RIFF walker on a 1 GiB WAV against libsndfile's header parse, printing ratios.

Usage: python benchmarks/bench_walker.py [--gib N] [--repeat R]

The file is sparse (a real header and data chunk, the audio a hole), so it costs no disk.
The walker must stay in milliseconds whatever the size: it reads headers only.
"""

from __future__ import annotations

import argparse
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import soundfile

from soundlint.audio import riff


def sparse_wav(path: Path, data_bytes: int) -> None:
    """A 48 kHz 24-bit stereo WAV header declaring ``data_bytes`` of audio, the rest a hole."""
    channels, rate, bits = 2, 48000, 24
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    header = (
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )
    with path.open("wb") as handle:
        handle.write(header)
        handle.truncate(len(header) + data_bytes)


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data_bytes = int(args.gib * (1 << 30)) // 6 * 6
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.wav"
        sparse_wav(path, data_bytes)
        report = riff.walk(path)
        assert not report.findings, report.findings
        walker = best_of(args.repeat, lambda: riff.walk(path))
        libsndfile = best_of(args.repeat, lambda: soundfile.info(str(path)))
    seconds = report.duration_s or 0.0
    print(f"{args.gib:g} GiB WAV ({seconds:.0f} s of 48 kHz 24-bit stereo), best of {args.repeat}:")
    print(f"  walker / soundfile.info = {walker / libsndfile:.2f}")
    print(f"  (walker {walker * 1e3:.3f} ms, soundfile.info {libsndfile * 1e3:.3f} ms)")


if __name__ == "__main__":
    main()
