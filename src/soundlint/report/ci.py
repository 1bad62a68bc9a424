"""Reports for CI systems: JUnit XML, GitHub Actions annotations, GitLab Code Quality."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from soundlint.model import Diagnostic, SegmentStatus, Severity
from soundlint.paths import one_line, relative_path
from soundlint.report import Report

GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
GITLAB_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _location(diagnostic: Diagnostic) -> str:
    if diagnostic.line is None:
        return ""
    return f":{diagnostic.line}" + (f":{diagnostic.column}" if diagnostic.column else "")


def junit(report: Report) -> str:
    """One test suite a checked file: a test case a finding (errors and warnings fail, infos
    pass), and one passing case for a file with no finding, so dashboards count what passed."""
    suites = ElementTree.Element("testsuites", name="soundlint")
    findings: dict[Path, list[Diagnostic]] = {path: [] for path in _checked_files(report)}
    for diagnostic in report.diagnostics:
        findings.setdefault(diagnostic.path, []).append(diagnostic)
    named = sorted((one_line(relative_path(file, report.root)), d) for file, d in findings.items())
    for path, diagnostics in named:
        failing = sum(1 for d in diagnostics if d.severity is not Severity.INFO)
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(max(len(diagnostics), 1)),
            failures=str(failing),
        )
        if not diagnostics:
            ElementTree.SubElement(suite, "testcase", name="all checks", classname=path)
        for diagnostic in diagnostics:
            _junit_case(suite, path, diagnostic)
    if not findings:
        suite = ElementTree.SubElement(suites, "testsuite", name="soundlint", tests="1")
        ElementTree.SubElement(suite, "testcase", name="all checks", classname="soundlint")
    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    suites.set("failures", str(report.count(Severity.ERROR) + report.count(Severity.WARNING)))
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _junit_case(suite: ElementTree.Element, path: str, diagnostic: Diagnostic) -> None:
    case = ElementTree.SubElement(
        suite, "testcase", name=f"{diagnostic.code}{_location(diagnostic)}", classname=path
    )
    message = one_line(diagnostic.message)
    text = f"{path}{_location(diagnostic)}: {diagnostic.code} {message}"
    if diagnostic.severity is Severity.INFO:
        ElementTree.SubElement(case, "system-out").text = text
        return
    failure = ElementTree.SubElement(
        case, "failure", message=message, type=(diagnostic.severity or Severity.ERROR).value
    )
    failure.text = text


def _checked_files(report: Report) -> list[Path]:
    """Every file the run looked at: manifests, readable segments, scripts."""
    files: list[Path] = []
    for project in report.projects:
        for template in project.checked_templates:
            files.append(template.manifest)
            files.extend(s.path for s in template.segments if s.status is SegmentStatus.OK)
        files.extend(script.path for script in project.checked_scripts)
    return list(dict.fromkeys(files))


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
