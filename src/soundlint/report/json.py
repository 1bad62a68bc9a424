"""The JSON report (format version 1)."""

from __future__ import annotations

import json
from typing import Any

from soundlint import __version__
from soundlint.model import Diagnostic, Severity
from soundlint.paths import relative_path
from soundlint.report import Report


def render(report: Report) -> str:
    document = {
        "version": 1,
        "tool": {"name": "soundlint", "version": __version__},
        "summary": {
            "templates": report.templates,
            "scripts": report.scripts,
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO),
        },
        "diagnostics": [_diagnostic(d, report) for d in report.diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _diagnostic(diagnostic: Diagnostic, report: Report) -> dict[str, Any]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value if diagnostic.severity else "error",
        "message": diagnostic.message,
        "path": relative_path(diagnostic.path, report.cwd),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "template": diagnostic.template,
        "segment": diagnostic.segment,
        "start_s": diagnostic.start_s,
        "end_s": diagnostic.end_s,
        "offset": diagnostic.offset,
    }
