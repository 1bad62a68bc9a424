"""``soundlint measure FILE...``: loudness and content measurements of audio files."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint.analysis import Outcome, analyse
from soundlint.arguments import path_value, positive
from soundlint.audio.file_arguments import expand
from soundlint.audio.reasons import NO_FRAMES
from soundlint.checks.wav import NO_AUDIO
from soundlint.hookspecs import hookimpl
from soundlint.manifest import AUDIO_SUFFIXES
from soundlint.paths import displayable, not_a_file, one_line

if TYPE_CHECKING:
    from soundlint.api import Session
    from soundlint.audio.riff import RiffReport

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
WAV_SUFFIXES = frozenset({".wav", ".wave", ".bwf", ".rf64"})
"""Names that promise a RIFF/WAVE (or RF64/BW64) file."""
_SUBTYPES = {
    "PCM_S8": ("PCM", 8),
    "PCM_U8": ("PCM", 8),
    "PCM_16": ("PCM", 16),
    "PCM_24": ("PCM", 24),
    "PCM_32": ("PCM", 32),
    "FLOAT": ("IEEE float", 32),
    "DOUBLE": ("IEEE float", 64),
    "ALAW": ("A-law", 8),
    "ULAW": ("µ-law", 8),
}
"""libsndfile's subtypes of files that are not WAV, as encoding and bit depth."""


@hookimpl
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    measure = subparsers.add_parser(
        "measure", parents=parents, help="measure loudness, peaks and silence of audio files"
    )
    measure.add_argument(
        "files",
        nargs="+",
        type=path_value,
        metavar="FILE",
        help="audio files to measure; a directory stands for the audio files under it",
    )
    measure.add_argument(
        "--output-format", choices=["text", "json"], default="text", help="the report's format"
    )
    measure.add_argument("-j", "--jobs", type=positive, metavar="N", help="processes")
    measure.set_defaults(handler=run)


def run(args: argparse.Namespace, session: Session) -> int:
    paths = expand(args.files, AUDIO_SUFFIXES, "audio")
    settings = session.settings()
    session.plugins.configure(settings, args)
    regular = [path for path in paths if os.path.isfile(path)]
    outcomes = analyse(regular, settings, session.plugins, jobs=args.jobs).outcomes
    entries = [
        _entry(path, outcomes[path]) if path in outcomes else _not_a_file(path) for path in paths
    ]
    if args.output_format == "json":
        sys.stdout.write(json.dumps({"version": 1, "files": entries}, indent=2) + "\n")
    else:
        sys.stdout.write("".join(_text(entry) for entry in entries))
    return 1 if any("error" in entry for entry in entries) else 0


def _not_a_file(path: Path) -> dict[str, Any]:
    return {"path": displayable(path.as_posix()), "error": f"the path {not_a_file(path)}"}


def _entry(path: Path, outcome: Outcome) -> dict[str, Any]:
    from soundlint.audio import riff

    measurement = outcome.measurement
    if measurement is None:
        why = outcome.unreadable or outcome.plugin_error or "no meter measured the file"
        return {"path": displayable(path.as_posix()), "error": why}
    report = riff.walk(path)
    entry: dict[str, Any] = {
        "path": displayable(path.as_posix()),
        **_format(path, report),
        "sample_rate": measurement.sample_rate,
        "channels": measurement.channels,
        "frames": measurement.frames,
        "duration_s": measurement.duration_s,
    }
    entry.update({field: getattr(measurement, field) for field, _, _ in FIELDS[:6]})
    entry["dc_offset"] = list(measurement.dc_offset)
    entry["dc_offset_dbfs"] = [_dbfs(offset) for offset in measurement.dc_offset]
    entry.update({field: getattr(measurement, field) for field, _, _ in FIELDS[6:]})
    entry["clipped_runs"] = len(measurement.clipped_runs)
    entry["clipped_runs_capped"] = measurement.clipped_runs_capped
    entry["loop_seam_ratio"] = measurement.loop_seam_ratio
    entry["nonfinite_samples"] = measurement.nonfinite_samples
    entry["missing"] = dict(measurement.missing)
    if not_wav := _not_wav(path, report):
        entry["error"] = f"{not_wav}; the values are of the audio libsndfile decodes from it"
    elif measurement.decode_error is not None:
        entry["error"] = (
            f"decoding stopped at {measurement.decode_error_at_s or 0.0:.3f} s: "
            f"{measurement.decode_error}"
        )
    elif damage := _cut(report):
        entry["error"] = f"{damage}; the values are of the audio that is there"
    elif measurement.frames == 0:
        entry["error"] = NO_AUDIO
    return entry


def _format(path: Path, report: RiffReport) -> dict[str, Any]:
    """The container, the encoding and the bit depth: from the fmt chunk of a WAV file, from
    libsndfile for other formats."""
    from soundlint.audio.header import bit_depth

    encoding: str | None
    if report.fmt is not None:
        encoding, bits = report.fmt.encoding, bit_depth(report.fmt)
    else:
        encoding, bits = _libsndfile_format(path)
    return {"container": report.container, "encoding": encoding, "bits_per_sample": bits}


def _libsndfile_format(path: Path) -> tuple[str | None, int | None]:
    """The encoding and bit depth libsndfile reads in a file that is not WAV; None for what
    it cannot read (a plugin's meter measured it)."""
    import soundfile

    try:
        info = soundfile.info(os.fsencode(path))
    except (RuntimeError, OSError, TypeError, ValueError):
        return None, None
    return _SUBTYPES.get(info.subtype, (info.subtype_info, None))


def _not_wav(path: Path, report: RiffReport) -> str | None:
    """What a file named as a WAV file really is, when it is not one (as ``check`` says)."""
    from soundlint.audio import riff

    if path.suffix.lower() not in WAV_SUFFIXES:
        return None
    return next((f.message for f in report.findings if f.code == riff.NOT_WAV), None)


def _cut(report: RiffReport) -> str | None:
    """What the RIFF walker says is missing from the file (WAV002), if anything: libsndfile
    reads a truncated file without complaint."""
    from soundlint.audio import riff

    return next((f.message for f in report.findings if f.code == riff.CORRUPT), None)


def _dbfs(offset: float) -> float | None:
    """A DC offset in dBFS, as AU004 gives it; None for none at all."""
    return 20 * math.log10(abs(offset)) if offset else None


def _text(entry: dict[str, Any]) -> str:
    lines = [one_line(entry["path"])]
    if "sample_rate" in entry:
        encoding = f"{entry['encoding']}, " if entry["encoding"] else ""
        depth = f"{entry['bits_per_sample']} bit, " if entry["bits_per_sample"] else ""
        lines.append(
            f"  {entry['container']}, {encoding}{entry['sample_rate']} Hz, {depth}"
            f"{entry['channels']} ch, {entry['duration_s']:.3f} s"
        )
        for field, label, unit in FIELDS:
            value = entry[field]
            shown = f"- ({entry['missing'].get(field, 'not measured')})"
            if value is not None:
                shown = f"{value:.2f} {unit}"
            lines.append(f"  {label + ':':<18}{shown}")
        capped = "+" if entry["clipped_runs_capped"] else ""
        lines.append(f"  {'clipped runs:':<18}{entry['clipped_runs']}{capped}")
        offsets = (
            ", ".join(
                f"{'-inf' if level is None else f'{level:.1f}'} dBFS ({offset:+.3g})"
                for offset, level in zip(entry["dc_offset"], entry["dc_offset_dbfs"], strict=True)
            )
            or f"- ({NO_FRAMES})"
        )
        lines.append(f"  {'DC offset:':<18}{offsets}")
    if "error" in entry:
        lines.append(f"  error: {one_line(entry['error'])}")
    return "\n".join(lines) + "\n"
