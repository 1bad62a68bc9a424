"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

from soundlint import __version__
from soundlint.model import Diagnostic, Severity
from soundlint.paths import displayable, relative_path
from soundlint.report import Report
from soundlint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SRCROOT = "%SRCROOT%"
COLUMN_KIND = "unicodeCodePoints"
"""Manifest and script columns count characters (code points), not UTF-16 units."""


def render(report: Report) -> str:
    """One run; result paths relative to the project root, declared as ``%SRCROOT%``."""
    root = report.root or report.cwd
    codes = sorted({d.code for d in report.diagnostics} | set(report.rules))
    index = {code: position for position, code in enumerate(codes)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "soundlint",
                        "version": __version__,
                        "rules": [_rule(code, report.rules.get(code)) for code in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(root) + "/"}},
                "columnKind": COLUMN_KIND,
                "results": [_result(d, index[d.code], root) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {"id": code}
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what.strip()},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _result(diagnostic: Diagnostic, rule_index: int, root: Path) -> dict[str, Any]:
    region: dict[str, int] = {}
    if diagnostic.line is not None:
        region["startLine"] = diagnostic.line
        if diagnostic.column is not None:
            region["startColumn"] = diagnostic.column
    elif diagnostic.offset is not None:
        region["byteOffset"] = diagnostic.offset
    location: dict[str, Any] = {"artifactLocation": _artifact(diagnostic.path, root)}
    if region:
        location["region"] = region
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity or Severity.ERROR],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": location}],
    }


def _artifact(path: Path, root: Path) -> dict[str, str]:
    """A path under the root as a URI relative to ``%SRCROOT%``; any other as an absolute URI."""
    absolute = path if path.is_absolute() else root / path
    if not absolute.is_relative_to(root):
        return {"uri": _file_uri(absolute)}
    return {"uri": urllib.parse.quote(relative_path(absolute, root)), "uriBaseId": SRCROOT}


def _file_uri(path: Path) -> str:
    return "file://" + urllib.parse.quote(displayable(path.as_posix()))
