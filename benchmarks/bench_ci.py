"""Benchmark soundlint as a CI gate: cold, warm from a fresh copy, and after a script edit.

Usage: python benchmarks/bench_ci.py [--repeat R] [--keep DIR]

A generated library of 30 templates x 3 segments of 10 s (15 minutes of 48 kHz 24-bit stereo
audio) and 60 scripts, with its cache in the project (``.soundlint_cache``), as a CI job
restores it:

cold    `soundlint check` with an empty cache (whole process).
warm    the same check in a fresh copy of the directory, cache included (`cp -r` without
        preserving: new inodes and mtimes, same bytes), target <= 5% of cold.
edit    the check again after one script was edited, target <= 10% of cold, with no audio
        analysed again (`--progress` prints a line for each audio file decoded).

Every figure is a ratio of whole processes measured in the same run, best of R. The processes
may write bytecode (PYTHONDONTWRITEBYTECODE is dropped), as an installed soundlint has it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_library import SOUNDLINT, as_installed, write_library

TEMPLATES = 30
SEGMENT_SECONDS = 10.0


def timed(command: list[str], cwd: Path) -> tuple[float, str, str]:
    """Run a whole process; return its wall time, standard output and standard error."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout, done.stderr


def fresh_copy(source: Path, target: Path) -> None:
    """`cp -r` without preserving: new inodes and modification times, the same bytes."""
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["cp", "-r", str(source), str(target)], check=True)


def analysed(stderr: str) -> int:
    """How many audio files were decoded, from --progress's lines."""
    lines = [line for line in stderr.splitlines() if line.startswith("soundlint: analysed ")]
    return int(lines[-1].split()[2].split("/")[0]) if lines else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing (best kept)")
    parser.add_argument("--keep", type=Path, help="generate the library here and keep it")
    args = parser.parse_args(argv)
    as_installed()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        library = root / "library"
        if not library.exists():
            write_library(library, TEMPLATES, [SEGMENT_SECONDS])
            (library / "soundlint.toml").write_text("# the project root\n")
        check = [SOUNDLINT, "check", "--progress", "."]
        times: dict[str, float] = dict.fromkeys(("cold", "warm", "edit"), float("inf"))
        outputs: dict[str, str] = {}
        decoded: dict[str, int] = {}
        for _ in range(args.repeat):
            shutil.rmtree(library / ".soundlint_cache", ignore_errors=True)
            elapsed, outputs["cold"], err = timed(check, library)
            times["cold"], decoded["cold"] = min(times["cold"], elapsed), analysed(err)

            copy = root / "copy"
            fresh_copy(library, copy)
            elapsed, outputs["warm"], err = timed(check, copy)
            times["warm"], decoded["warm"] = min(times["warm"], elapsed), analysed(err)

            script = next(iter(sorted((copy / "scripts").glob("*.xml"))))
            script.write_text(script.read_text().replace("Goodbye.", "See you tomorrow."))
            elapsed, outputs["edit"], err = timed(check, copy)
            times["edit"], decoded["edit"] = min(times["edit"], elapsed), analysed(err)

        cold = times["cold"]
        same = outputs["cold"] == outputs["warm"] == outputs["edit"]
        print(
            f"ci: {TEMPLATES} templates x 3 segments of {SEGMENT_SECONDS:.0f} s "
            f"({TEMPLATES * 3 * SEGMENT_SECONDS / 60:.0f} min of 48 kHz 24-bit stereo), "
            f"{TEMPLATES * 2} scripts, best of {args.repeat}"
        )
        warm, edit = times["warm"] / cold, times["edit"] / cold
        print(f"  warm re-run in a fresh copy / cold = {warm:.3f}  (target <= 0.05)")
        print(f"  re-run after a script edit / cold  = {edit:.3f}  (target <= 0.10)")
        print(
            f"  audio files decoded: cold {decoded['cold']}, warm {decoded['warm']}, "
            f"edit {decoded['edit']} (target: 0 for warm and edit)"
        )
        print(f"  diagnostics of the three runs: {'the same' if same else 'DIFFERENT'}")
        print(f"  (seconds: cold {cold:.2f}, warm {times['warm']:.2f}, edit {times['edit']:.2f})")


if __name__ == "__main__":
    main()
