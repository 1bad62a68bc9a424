"""Reports for CI systems: JUnit XML, GitHub Actions annotations, GitLab Code Quality."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from itertools import groupby

from soundlint.model import Diagnostic, Severity
from soundlint.paths import one_line
from soundlint.report import Report

GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
GITLAB_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _location(diagnostic: Diagnostic) -> str:
    if diagnostic.line is None:
        return ""
    return f":{diagnostic.line}" + (f":{diagnostic.column}" if diagnostic.column else "")


def junit(report: Report) -> str:
    """One test suite a file, one test case a finding: errors and warnings fail, infos pass.

    A clean run is one passing case."""
    suites = ElementTree.Element("testsuites", name="soundlint")
    by_path = groupby(report.diagnostics, key=lambda d: one_line(report.project_path(d)))
    for path, group in by_path:
        findings = list(group)
        failing = sum(1 for d in findings if d.severity is not Severity.INFO)
        suite = ElementTree.SubElement(
            suites, "testsuite", name=path, tests=str(len(findings)), failures=str(failing)
        )
        for diagnostic in findings:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{diagnostic.code}{_location(diagnostic)}",
                classname=path,
            )
            message = one_line(diagnostic.message)
            text = f"{path}{_location(diagnostic)}: {diagnostic.code} {message}"
            if diagnostic.severity is Severity.INFO:
                ElementTree.SubElement(case, "system-out").text = text
                continue
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=message,
                type=(diagnostic.severity or Severity.ERROR).value,
            )
            failure.text = text
    if not report.diagnostics:
        suite = ElementTree.SubElement(suites, "testsuite", name="soundlint", tests="1")
        ElementTree.SubElement(suite, "testcase", name="all checks", classname="soundlint")
    suites.set("tests", str(max(len(report.diagnostics), 1)))
    suites.set("failures", str(report.count(Severity.ERROR) + report.count(Severity.WARNING)))
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def github(report: Report) -> str:
    """GitHub Actions workflow commands, which become annotations on the pull request."""
    lines = []
    for diagnostic in report.diagnostics:
        properties = [f"file={_escape_property(report.project_path(diagnostic))}"]
        if diagnostic.line is not None:
            properties.append(f"line={diagnostic.line}")
            if diagnostic.column is not None:
                properties.append(f"col={diagnostic.column}")
        properties.append(f"title={_escape_property('soundlint ' + diagnostic.code)}")
        command = GITHUB_COMMANDS[diagnostic.severity or Severity.ERROR]
        message = _escape_data(f"{diagnostic.code} {one_line(diagnostic.message)}")
        lines.append(f"::{command} {','.join(properties)}::{message}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def gitlab(report: Report) -> str:
    """GitLab Code Quality report (a JSON array of issues)."""
    issues = []
    seen: Counter[str] = Counter()
    for diagnostic in report.diagnostics:
        path = report.project_path(diagnostic)
        # Stable across runs: not the message, which holds measured values; numbered where
        # one place has several findings of the same rule.
        parts = (diagnostic.code, path, diagnostic.line, diagnostic.column, diagnostic.segment)
        place = "\0".join(str(part) for part in parts)
        seen[place] += 1
        identity = f"{place}\0{seen[place]}"
        issues.append(
            {
                "description": f"{diagnostic.code} {one_line(diagnostic.message)}",
                "check_name": diagnostic.code,
                "fingerprint": hashlib.sha256(identity.encode()).hexdigest(),
                "severity": GITLAB_SEVERITIES[diagnostic.severity or Severity.ERROR],
                "location": {"path": path, "lines": {"begin": diagnostic.line or 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
