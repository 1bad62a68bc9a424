"""``soundlint measure FILE...``: loudness and content measurements of audio files."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint.analysis import Outcome, analyse
from soundlint.cli import positive
from soundlint.hookspecs import hookimpl
from soundlint.paths import displayable

if TYPE_CHECKING:
    from soundlint.api import Session

FIELDS = (
    ("integrated_lufs", "integrated", "LUFS"),
    ("loudness_range_lu", "loudness range", "LU"),
    ("true_peak_dbtp", "true peak", "dBTP"),
    ("sample_peak_dbfs", "sample peak", "dBFS"),
    ("max_momentary_lufs", "max momentary", "LUFS"),
    ("max_short_term_lufs", "max short-term", "LUFS"),
    ("leading_silence_s", "leading silence", "s"),
    ("trailing_silence_s", "trailing silence", "s"),
)


@hookimpl
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    measure = subparsers.add_parser(
        "measure", parents=parents, help="measure loudness, peaks and silence of audio files"
    )
    measure.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="audio files to measure"
    )
    measure.add_argument(
        "--output-format", choices=["text", "json"], default="text", help="the report's format"
    )
    measure.add_argument("-j", "--jobs", type=positive, metavar="N", help="processes")
    measure.set_defaults(handler=run)


def run(args: argparse.Namespace, session: Session) -> int:
    settings = session.settings()
    session.plugins.configure(settings, args)
    regular = [path for path in args.files if path.is_file()]
    outcomes = analyse(regular, settings, session.plugins, jobs=args.jobs).outcomes
    entries = [
        _entry(path, outcomes[path]) if path in outcomes else _not_a_file(path)
        for path in args.files
    ]
    if args.output_format == "json":
        sys.stdout.write(json.dumps({"version": 1, "files": entries}, indent=2) + "\n")
    else:
        sys.stdout.write("".join(_text(entry) for entry in entries))
    return 1 if any("error" in entry for entry in entries) else 0


def _not_a_file(path: Path) -> dict[str, Any]:
    reason = "does not exist" if not os.path.lexists(path) else "is not a regular file"
    return {"path": displayable(path.as_posix()), "error": f"the path {reason}"}


def _entry(path: Path, outcome: Outcome) -> dict[str, Any]:
    measurement = outcome.measurement
    if measurement is None:
        why = outcome.unreadable or outcome.plugin_error or "no meter measured the file"
        return {"path": displayable(path.as_posix()), "error": why}
    entry: dict[str, Any] = {
        "path": displayable(path.as_posix()),
        "sample_rate": measurement.sample_rate,
        "channels": measurement.channels,
        "frames": measurement.frames,
        "duration_s": measurement.duration_s,
    }
    entry.update({field: getattr(measurement, field) for field, _, _ in FIELDS[:6]})
    entry["dc_offset"] = list(measurement.dc_offset)
    entry.update({field: getattr(measurement, field) for field, _, _ in FIELDS[6:]})
    entry["clipped_runs"] = len(measurement.clipped_runs)
    entry["clipped_runs_capped"] = measurement.clipped_runs_capped
    entry["loop_seam_ratio"] = measurement.loop_seam_ratio
    entry["nonfinite_samples"] = measurement.nonfinite_samples
    entry["missing"] = dict(measurement.missing)
    if measurement.decode_error is not None:
        entry["error"] = (
            f"decoding stopped at {measurement.decode_error_at_s or 0.0:.3f} s: "
            f"{measurement.decode_error}"
        )
    elif damage := _cut(path):
        entry["error"] = f"{damage}; the values are of the audio that is there"
    return entry


def _cut(path: Path) -> str | None:
    """What the RIFF walker says is missing from the file (WAV002), if anything: libsndfile
    reads a truncated file without complaint."""
    from soundlint.audio import riff

    return next((f.message for f in riff.walk(path).findings if f.code == "WAV002"), None)


def _text(entry: dict[str, Any]) -> str:
    lines = [entry["path"]]
    if "sample_rate" in entry:
        lines.append(
            f"  {entry['sample_rate']} Hz, {entry['channels']} ch, {entry['duration_s']:.3f} s"
        )
        for field, label, unit in FIELDS:
            value = entry[field]
            shown = f"- ({entry['missing'].get(field, 'not measured')})"
            if value is not None:
                shown = f"{value:.2f} {unit}"
            lines.append(f"  {label + ':':<18}{shown}")
        capped = "+" if entry["clipped_runs_capped"] else ""
        lines.append(f"  {'clipped runs:':<18}{entry['clipped_runs']}{capped}")
        offsets = ", ".join(f"{offset:+.5f}" for offset in entry["dc_offset"])
        lines.append(f"  {'DC offset:':<18}{offsets}")
    if "error" in entry:
        lines.append(f"  error: {entry['error']}")
    return "\n".join(lines) + "\n"
