"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from soundlint import __version__
from soundlint.model import Diagnostic, Severity
from soundlint.paths import relative_path
from soundlint.report import Report
from soundlint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
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
                "results": [_result(d, index[d.code], report) for d in report.diagnostics],
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


def _result(diagnostic: Diagnostic, rule_index: int, report: Report) -> dict[str, Any]:
    region: dict[str, int] = {}
    if diagnostic.line is not None:
        region["startLine"] = diagnostic.line
        if diagnostic.column is not None:
            region["startColumn"] = diagnostic.column
    elif diagnostic.offset is not None:
        region["byteOffset"] = diagnostic.offset
    uri = urllib.parse.quote(relative_path(diagnostic.path, report.cwd))
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if region:
        location["region"] = region
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity or Severity.ERROR],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": location}],
    }
