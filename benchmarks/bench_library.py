"""Benchmark soundlint on whole libraries, as users run it: whole processes, imports included.

Usage: python benchmarks/bench_library.py [segments|headers|warm|all] [--repeat R] [--keep DIR]

segments  120 templates x 3 segments of 1-12 s (48 kHz 24-bit stereo), cold
          `soundlint check --no-cache` against a one-process decode loop (target <= 1.0x) and a
          one-process soundfile.read + pyloudnorm loop (target <= 0.3x).
headers   `soundlint check --select MD,NM,SC,SR` on 2000 templates / 4000 scripts against a bare
          loop that reads each manifest with tomllib, each WAV header with soundfile.info and
          parses each script with lxml (target <= 3x); and 200 against 2000 templates
          (10x the templates, target <= 12x the time).
warm      a warm re-run of the `segments` library against the header-only check of the same
          library (target <= 1.3x), reporting the same diagnostics as the cold run.

Every figure is a ratio of whole processes measured in the same run, taking turns, best of R.
soundlint runs as installed: byte-compiled, as pip compiles a package it installs (an editable
install under PYTHONDONTWRITEBYTECODE would otherwise compile its modules in every process).
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

RATE = 48000
SOUNDLINT = str(Path(sys.executable).with_name("soundlint"))

DECODE_LOOP = """
import sys, soundfile
for path in sys.argv[1:]:
    for block in soundfile.blocks(path, 65536, dtype="float32", always_2d=True):
        pass
"""
PYLOUDNORM_LOOP = """
import sys, pyloudnorm, soundfile
for path in sys.argv[1:]:
    data, rate = soundfile.read(path)
    pyloudnorm.Meter(rate).integrated_loudness(data)
"""
BARE_HEADER_LOOP = """
import sys, tomllib, soundfile
from pathlib import Path
from lxml import etree
root = Path(sys.argv[1])
for manifest in sorted(root.rglob("template.toml")):
    data = tomllib.loads(manifest.read_text())
    for name in data["segments"].values():
        soundfile.info(str(manifest.parent / name))
for script in sorted(root.rglob("*.xml")):
    text = script.read_text()
    etree.fromstring('<root xmlns:as="urn:as">' + text + "</root>")
"""
SCRIPT = """<!-- soundlint: template={name} -->
<as:section name="intro" soundSegment="intro">Welcome to {name}.</as:section>
<as:section name="main" soundSegment="main">The news for today.<as:break time="300ms"/>
  <as:sub name="detail">More to follow.</as:sub>
</as:section>
<as:section name="outro" soundSegment="outro">Goodbye.</as:section>
"""


def write_library(root: Path, templates: int, seconds: Sequence[float], *, seed: int = 7) -> None:
    """``templates`` templates with segments intro/main/outro of the given lengths (cycled),
    48 kHz 24-bit stereo, plus two scripts bound to each template."""
    import numpy as np
    import soundfile

    rng = np.random.default_rng(seed)
    names = ("intro", "main", "outro")
    lengths = iter(seconds * (templates * len(names) // len(seconds) + 1))
    for index in range(templates):
        name = f"t{index:05d}"
        directory = root / "templates" / name
        directory.mkdir(parents=True)
        for segment in names:
            frames = round(next(lengths) * RATE)
            t = np.arange(frames) / RATE
            tone = 0.2 * np.sin(2 * np.pi * rng.uniform(100, 1000) * t)
            noise = 0.05 * rng.standard_normal((frames, 2))
            envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.05)[:, None]
            audio = (tone[:, None] + noise) * envelope
            soundfile.write(directory / f"{segment}.wav", audio, RATE, "PCM_24")
        (directory / "template.toml").write_text(
            'description = "A benchmark template"\nstyle = "ambient"\ngenre = "news"\n'
            'tags = ["bench"]\n\n[segments]\n'
            + "".join(f'{segment} = "{segment}.wav"\n' for segment in names)
        )
        scripts = root / "scripts"
        scripts.mkdir(exist_ok=True)
        for number in (1, 2):
            (scripts / f"{name}-{number}.xml").write_text(SCRIPT.format(name=name))


def as_installed() -> None:
    """Byte-compile soundlint's modules, as ``pip install`` does, before any timing."""
    import soundlint

    compileall.compile_dir(Path(soundlint.__file__).parent, quiet=1)


def run(command: list[str]) -> tuple[float, str]:
    """Run a whole process; return its wall time and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout


def best(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs of each command, the commands taking turns."""
    times = dict.fromkeys(commands, float("inf"))
    for _ in range(repeat):
        for name, command in commands.items():
            times[name] = min(times[name], run(command)[0])
    return times


def wavs(root: Path) -> list[str]:
    return sorted(str(path) for path in root.rglob("*.wav"))


def segments(root: Path, repeat: int) -> None:
    library = root / "segments"
    if not library.exists():
        write_library(library, 120, [1, 2.5, 4, 5.5, 7, 8.5, 10, 12, 3, 6, 9, 11])
    files = wavs(library)
    run([sys.executable, "-c", DECODE_LOOP, *files])  # the page cache, for everyone alike
    times = best(
        {
            "check": [SOUNDLINT, "check", "--no-cache", str(library)],
            "decode": [sys.executable, "-c", DECODE_LOOP, *files],
            "pyloudnorm": [sys.executable, "-c", PYLOUDNORM_LOOP, *files],
        },
        repeat,
    )
    check, decode, peer = times["check"], times["decode"], times["pyloudnorm"]
    print(f"segments: {len(files)} files of 1-12 s, 48 kHz 24-bit stereo, best of {repeat}")
    print(f"  cold check / decode loop      = {check / decode:.2f}  (target <= 1.0)")
    print(f"  cold check / pyloudnorm loop  = {check / peer:.2f}  (target <= 0.3)")
    print(f"  (seconds: check {check:.2f}, decode {decode:.2f}, pyloudnorm {peer:.2f})")


def headers(root: Path, repeat: int) -> None:
    results = {}
    for count in (200, 2000):
        library = root / f"headers-{count}"
        if not library.exists():
            write_library(library, count, [0.05])
        results[count] = best(
            {
                "check": [
                    SOUNDLINT,
                    "check",
                    "--no-cache",
                    "--select",
                    "MD,NM,SC,SR",
                    str(library),
                ],
                "bare": [sys.executable, "-c", BARE_HEADER_LOOP, str(library)],
            },
            repeat,
        )
    small, large = results[200], results[2000]
    print(f"headers: 2000 templates, 4000 scripts, --select MD,NM,SC,SR, best of {repeat}")
    print(f"  check / bare parse loop       = {large['check'] / large['bare']:.2f}  (target <= 3)")
    print(
        f"  2000 / 200 templates          = {large['check'] / small['check']:.2f}  (target <= 12)"
    )
    print(
        f"  (seconds: check {large['check']:.2f} and {small['check']:.2f}, "
        f"bare {large['bare']:.2f})"
    )


def warm(root: Path, repeat: int) -> None:
    library = root / "segments"
    if not library.exists():
        segments(root, 1)
    cold_output = run([SOUNDLINT, "check", "--no-cache", str(library)])[1]
    run([SOUNDLINT, "check", str(library)])  # fills the cache
    warm_output = run([SOUNDLINT, "check", str(library)])[1]
    times = best(
        {
            "warm": [SOUNDLINT, "check", str(library)],
            "headers": [SOUNDLINT, "check", "--select", "MD,NM,SC,SR", str(library)],
        },
        repeat,
    )
    same = "the same" if warm_output == cold_output else "DIFFERENT"
    print(f"warm: {len(wavs(library))} files, best of {repeat}")
    print(f"  warm re-run / header-only check = {times['warm'] / times['headers']:.2f}")
    print("  (target <= 1.3)")
    print(f"  diagnostics of warm and cold runs: {same}")
    print(f"  (seconds: warm {times['warm']:.2f}, header-only {times['headers']:.2f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", nargs="?", default="all", choices=["segments", "headers", "warm", "all"]
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--keep", type=Path, help="generate the libraries here and keep them")
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        for what, bench in (("segments", segments), ("headers", headers), ("warm", warm)):
            if args.what in (what, "all"):
                bench(root, args.repeat)


if __name__ == "__main__":
    main()
