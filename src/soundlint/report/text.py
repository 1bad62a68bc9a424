"""The text report: one line a finding, ``path:line:col: severity: CODE message``, then a
summary. The shape is gcc's, clang's and mypy's, which editors' and CI's problem matchers read
(Emacs compilation mode, Vim's errorformat, VS Code's $gcc)."""

from __future__ import annotations

import io
from pathlib import Path

from soundlint.model import Diagnostic, Severity
from soundlint.paths import one_line, relative_path
from soundlint.report import Report

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


FEW = 5
"""Up to how many templates the closing lines name without ``-v``."""


def render(report: Report) -> str:
    lines = [(_location(d, report), d) for d in report.diagnostics]
    summary = summarize(report)
    closing = _closing(report)
    if not report.color:
        body = [
            f"{where} {_severity(d).value}: {d.code} {one_line(d.message)}{_when(d)}"
            for where, d in lines
        ]
        return "\n".join([*body, summary, *closing]) + "\n"
    return _render_rich(lines, summary, closing)


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
    end = f"{diagnostic.end_s:.3f}" if diagnostic.end_s is not None else start
    if f"at {start} s" in diagnostic.message or f"from {start} to {end} s" in diagnostic.message:
        return ""
    return f" (at {start} s)" if end == start else f" (at {start}-{end} s)"


def summarize(report: Report) -> str:
    """The summary line: what was found, in what, under which configuration."""
    if not report.diagnostics and not report.templates and not report.scripts:
        return f"Nothing checked: no templates or scripts found ({_plural(report.files, 'file')})."
    notes = [
        f"{_plural(report.templates, 'template')}, {_plural(report.scripts, 'script')}, "
        f"{_plural(report.files, 'file')}",
        *_configurations(report),
    ]
    if report.baselined:
        notes.append(f"{_plural(report.baselined, 'finding')} in the baseline not shown")
    checked = "; ".join(notes)
    if not report.diagnostics:
        return f"All checks passed ({checked})."
    counts = ", ".join(
        _plural(report.count(severity), severity.value)
        for severity in Severity
        if report.count(severity)
    )
    return f"Found {counts} ({checked})."


def _configurations(report: Report) -> list[str]:
    """The configuration files used, when one is not in the current directory."""
    if all(path.parent == report.cwd for path in report.config_files):
        return []
    labels = [_config_label(path, report) for path in report.config_files]
    if len(labels) == 1:
        return [f"configuration {labels[0]}"]
    return [
        f"configurations {', '.join(labels)}"
        if len(labels) <= FEW
        else f"{len(labels)} configurations"
    ]


def _config_label(path: Path, report: Report) -> str:
    label = one_line(relative_path(path, report.cwd))
    return f"{label} [tool.soundlint]" if path.name == "pyproject.toml" else label


def _closing(report: Report) -> list[str]:
    """Which templates are ready and which are not, and where rules are explained (the
    first error's rule, else the first finding's)."""
    if report.readiness is None:
        return []
    lines = [
        f"{heading}: {_templates(names, report.verbose)}."
        for heading, names in (
            ("Ready", report.readiness.ready),
            ("Not ready", report.readiness.not_ready),
            ("Not ready (--strict: warnings)", report.readiness.warned),
        )
        if names
    ]
    explained = [d for d in report.diagnostics if d.code in report.rules]
    first = next((d for d in explained if _severity(d) is Severity.ERROR), None)
    code = (first or explained[0]).code if explained else None
    if code is not None:
        lines.append(
            f"`soundlint rule {code}` explains a rule: what it checks, why, and how to fix it."
        )
    return lines


def _templates(names: tuple[str, ...], verbose: bool) -> str:
    """How many templates, with their names when they are few or ``-v`` asks for them."""
    listed = (
        ", ".join(one_line(name) for name in names)
        if verbose or len(names) <= FEW
        else "-v names them"
    )
    return f"{_plural(len(names), 'template')} ({listed})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _render_rich(lines: list[tuple[str, Diagnostic]], summary: str, closing: list[str]) -> str:
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
    for text in closing:
        console.print(Text(text), soft_wrap=True)
    return buffer.getvalue()
