"""The text report: one line a finding, ``path:line:col: severity: CODE message``, then a
summary. The shape is gcc's, clang's and mypy's, which editors' and CI's problem matchers read
(Emacs compilation mode, Vim's errorformat, VS Code's $gcc)."""

from __future__ import annotations

import io

from soundlint.model import Diagnostic, Severity
from soundlint.paths import one_line, relative_path
from soundlint.report import Report

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(report: Report) -> str:
    lines = [(_location(d, report), d) for d in report.diagnostics]
    summary = _summary(report)
    if not report.color:
        body = [
            f"{where} {_severity(d).value}: {d.code} {one_line(d.message)}{_when(d)}"
            for where, d in lines
        ]
        return "\n".join([*body, summary]) + "\n"
    return _render_rich(lines, summary)


def _severity(diagnostic: Diagnostic) -> Severity:
    return diagnostic.severity or Severity.ERROR


def _location(diagnostic: Diagnostic, report: Report) -> str:
    where = one_line(relative_path(diagnostic.path, report.cwd))
    if diagnostic.line is not None:
        where += f":{diagnostic.line}"
        if diagnostic.column is not None:
            where += f":{diagnostic.column}"
    return where + ":"


def _when(diagnostic: Diagnostic) -> str:
    """The finding's time, unless its message already gives it (so times read in order)."""
    if diagnostic.start_s is None:
        return ""
    start = f"{diagnostic.start_s:.3f}"
    if f"at {start} s" in diagnostic.message:
        return ""
    end = f"{diagnostic.end_s:.3f}" if diagnostic.end_s is not None else start
    return f" (at {start} s)" if end == start else f" (at {start}-{end} s)"


def _summary(report: Report) -> str:
    checked = (
        f"{_plural(report.templates, 'template')}, {_plural(report.scripts, 'script')}, "
        f"{_plural(report.files, 'file')}"
    )
    if not report.diagnostics and not report.templates and not report.scripts:
        return f"Nothing checked: no templates or scripts found ({_plural(report.files, 'file')})."
    if not report.diagnostics:
        return f"All checks passed ({checked})."
    counts = ", ".join(
        _plural(report.count(severity), severity.value)
        for severity in Severity
        if report.count(severity)
    )
    return f"Found {counts} ({checked})."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _render_rich(lines: list[tuple[str, Diagnostic]], summary: str) -> str:
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=10_000, highlight=False)
    for where, diagnostic in lines:
        severity = _severity(diagnostic)
        line = Text(where, style="bold")
        line.append(" ")
        line.append(f"{severity.value}:", style=_STYLE[severity])
        line.append(" ")
        line.append(diagnostic.code, style="bold")
        line.append(f" {one_line(diagnostic.message)}{_when(diagnostic)}")
        console.print(line, soft_wrap=True)
    console.print(Text(summary, style="bold"))
    return buffer.getvalue()
