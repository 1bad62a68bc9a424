"""``soundlint inspect FILE...``: a WAV file's chunks, fmt, bext and INFO, and what is wrong."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint.arguments import path_value
from soundlint.hookspecs import hookimpl
from soundlint.model import Severity
from soundlint.paths import displayable, not_a_file, one_line

if TYPE_CHECKING:
    from soundlint.analysis import Outcome
    from soundlint.api import Session
    from soundlint.audio.riff import RiffReport


@hookimpl
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    inspect = subparsers.add_parser(
        "inspect", parents=parents, help="show a WAV file's structure and what is wrong with it"
    )
    inspect.add_argument(
        "files",
        nargs="+",
        type=path_value,
        metavar="FILE",
        help="WAV files to inspect; a directory stands for the WAV files under it",
    )
    inspect.add_argument(
        "--output-format", choices=["text", "json"], default="text", help="the report's format"
    )
    inspect.set_defaults(handler=run)


def run(args: argparse.Namespace, session: Session) -> int:
    from soundlint.audio import riff
    from soundlint.audio.file_arguments import expand
    from soundlint.audio.measure_command import WAV_SUFFIXES

    paths = expand(args.files, WAV_SUFFIXES, "WAV")
    rules = session.plugins.rules()
    reports = {path: riff.walk(path) for path in paths if os.path.isfile(path)}
    outcomes = _decode(reports, args, session)
    entries = []
    for path in paths:
        if path in reports:
            report = _with_no_audio(_with_decoding(reports[path], outcomes.get(path)))
        else:
            report = _not_a_file(path)
        entries.append(_entry(path, report, rules))
    if args.output_format == "json":
        sys.stdout.write(json.dumps({"version": 1, "files": entries}, indent=2) + "\n")
    else:
        sys.stdout.write("".join(_text(entry) for entry in entries))
    failed = any(d["severity"] == "error" for entry in entries for d in entry["diagnostics"])
    return 1 if failed else 0


def _decode(
    reports: dict[Path, RiffReport], args: argparse.Namespace, session: Session
) -> dict[Path, Outcome]:
    """Decode the WAV files as ``check`` does, for what only decoding tells."""
    from soundlint.analysis import analyse
    from soundlint.audio import riff

    wav = [path for path, report in reports.items() if riff.NOT_WAV not in report.codes]
    if not wav:
        return {}
    settings = session.settings()
    session.plugins.configure(settings, args)
    decode = frozenset({"decode"})
    return analyse(wav, settings, session.plugins, needs=lambda path: decode).outcomes


def _with_decoding(report: RiffReport, outcome: Outcome | None) -> RiffReport:
    """``report`` with what decoding found, as ``check`` reports it, and the frames decoding
    gives (an MP3 stream's fact count is not what it decodes to)."""
    from soundlint.audio.header import info_of
    from soundlint.audio.riff import Finding
    from soundlint.checks.wav import decoding_problems

    if outcome is None:
        return report
    measurement = outcome.measurement
    found = decoding_problems(info_of(report), outcome.unreadable, measurement)
    findings = (*report.findings, *(Finding(code, message, None) for code, message, _ in found))
    frames = report.frames
    if measurement is not None and measurement.decode_error is None:
        frames = measurement.frames
    return dataclasses.replace(report, findings=findings, frames=frames)


def _with_no_audio(report: RiffReport) -> RiffReport:
    """``report`` with the finding ``check`` gives a WAV file of zero frames (WAV006)."""
    from soundlint.audio.riff import CORRUPT, Finding
    from soundlint.checks.wav import NO_AUDIO, WAV006

    if report.frames != 0 or CORRUPT in report.codes or report.data_offset is None:
        return report
    finding = Finding(WAV006.code, NO_AUDIO, report.data_offset - 8, "data")
    findings = sorted((*report.findings, finding), key=lambda f: f.offset or 0)
    return dataclasses.replace(report, findings=tuple(findings))


def _not_a_file(path: Path) -> RiffReport:
    from soundlint.audio.riff import NOT_WAV, Finding, RiffReport

    message = f"{displayable(path.as_posix())} {not_a_file(path)}"
    return RiffReport("unreadable", 0, findings=(Finding(NOT_WAV, message, None),))


def _entry(path: Path, report: RiffReport, rules: dict[str, Any]) -> dict[str, Any]:
    def severity(code: str) -> str:
        rule = rules.get(code)
        return (rule.severity if rule else Severity.ERROR).value

    return {
        "path": displayable(path.as_posix()),
        "container": report.container,
        "file_size": report.file_size,
        "chunks": [dataclasses.asdict(chunk) for chunk in report.chunks],
        "fmt": _fmt(report),
        "data_offset": report.data_offset,
        "data_size": report.data_size,
        "frames": report.frames,
        "duration_s": report.duration_s,
        "ds64": _plain(report.ds64),
        "bext": _plain(report.bext),
        "info": dict(report.info) if report.info is not None else None,
        "diagnostics": [
            {**dataclasses.asdict(finding), "severity": severity(finding.code)}
            for finding in report.findings
        ],
        "notes": list(report.notes),
    }


def _fmt(report: RiffReport) -> dict[str, Any] | None:
    if report.fmt is None:
        return None
    return {**dataclasses.asdict(report.fmt), "encoding": report.fmt.encoding}


def _plain(value: Any) -> dict[str, Any] | None:
    """A parsed chunk's fields, its mappings made plain dicts for JSON."""
    if value is None:
        return None
    fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return {key: dict(item) if isinstance(item, Mapping) else item for key, item in fields.items()}


def _text(entry: dict[str, Any]) -> str:
    lines = [f"{one_line(entry['path'])}: {entry['container']}, {entry['file_size']} bytes"]
    if entry["chunks"]:
        lines.append("  chunk      offset        size")
        lines.extend(
            f"  {chunk['id']!r:<8} {chunk['offset']:>8} {chunk['size']:>11}"
            for chunk in entry["chunks"]
        )
    fmt = entry["fmt"]
    if fmt:
        lines.append(
            f"  fmt: {fmt['encoding']} (tag 0x{fmt['format_tag']:04X}), {fmt['channels']} ch, "
            f"{fmt['sample_rate']} Hz, {fmt['bits_per_sample']} bit, "
            f"byte rate {fmt['byte_rate']}, block align {fmt['block_align']}"
        )
    if entry["frames"] is not None:
        duration = entry["duration_s"]
        shown = f" ({duration:.3f} s)" if duration is not None else ""
        lines.append(f"  data: {entry['frames']} frames{shown} at byte {entry['data_offset']}")
    for name in ("bext", "info"):
        if entry[name]:
            fields = ", ".join(f"{key}={value!r}" for key, value in entry[name].items() if value)
            lines.append(f"  {name}: {fields}")
    lines.extend(f"  {d['code']} {one_line(d['message'])}" for d in entry["diagnostics"])
    lines.extend(f"  note: {one_line(note)}" for note in entry["notes"])
    return "\n".join(lines) + "\n"
