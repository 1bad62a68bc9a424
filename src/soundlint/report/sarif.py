"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDE viewers).

Paths are relative to the project root (``%SRCROOT%``); columns count Unicode code points.
Each result carries a fingerprint that survives unrelated edits (see soundlint.fingerprint).
A finding on an audio file points at the file and, as a related location, at the manifest line
that lists its segment (its own, when several segments share the file); its time range and
byte offset are in the result's properties.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

from soundlint import __version__
from soundlint.fingerprint import fingerprints
from soundlint.manifest import AUDIO_SUFFIXES
from soundlint.model import Diagnostic, Segment, Severity, Template
from soundlint.paths import displayable, relative_path
from soundlint.report import Report
from soundlint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/soundlint/"
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "soundlint/v1"
Listing = tuple[Path, str | None, str | None]
"""A segment file, the template listing it and the segment's name."""
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    root = report.root
    codes = sorted({d.code for d in report.diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    listed = _listing_segments(report)
    prints = fingerprints(report.diagnostics, root)
    results = [
        _result(diagnostic, index[diagnostic.code], fingerprint, listed, root)
        for diagnostic, fingerprint in zip(report.diagnostics, prints, strict=True)
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "soundlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code, report.rules.get(code)) for code in codes],
                    }
                },
                "originalUriBaseIds": {ROOT_ID: {"uri": _directory_uri(root)}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _directory_uri(directory: Path) -> str:
    return directory.resolve().as_uri().rstrip("/") + "/"


def _rule(code: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {"id": code, "shortDescription": {"text": f"{code} (a rule no plugin declares)."}}
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": rule.what.strip()},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["soundlint", code.rstrip("0123456789")]},
    }


def _result(
    diagnostic: Diagnostic,
    rule_index: int,
    fingerprint: str,
    listed: dict[Listing, tuple[Template, Segment]],
    root: Path,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity or Severity.ERROR],
        "message": {"text": _sentence(diagnostic.message)},
        "locations": [_location(diagnostic.path, _region(diagnostic), root)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    listing = listed.get((diagnostic.path, diagnostic.template, diagnostic.segment))
    listing = listing or listed.get((diagnostic.path, None, None))
    if listing is not None:
        template, segment = listing
        result["relatedLocations"] = [
            {
                "id": 1,
                **_location(template.manifest, _text_region(segment), root),
                "message": {"text": f"Segment '{segment.name}' is listed here."},
            }
        ]
    properties = _properties(diagnostic)
    if properties:
        result["properties"] = properties
    return result


def _location(path: Path, region: dict[str, int], root: Path) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": _artifact(path, root), "region": region}}


def _artifact(path: Path, root: Path) -> dict[str, str]:
    """A path under the root as a URI relative to ``%SRCROOT%``; any other as an absolute URI."""
    absolute = path if path.is_absolute() else root / path
    if not absolute.is_relative_to(root):
        return {"uri": _file_uri(absolute)}
    return {"uri": urllib.parse.quote(relative_path(absolute, root)), "uriBaseId": ROOT_ID}


def _file_uri(path: Path) -> str:
    return "file://" + urllib.parse.quote(displayable(path.as_posix()))


def _region(diagnostic: Diagnostic) -> dict[str, int]:
    """Line and column for text files; for audio, line 1 (code scanning needs a line) with the
    byte range: the offset the finding names, or the whole file."""
    if diagnostic.line is not None:
        region = {"startLine": diagnostic.line}
        if diagnostic.column is not None:
            region["startColumn"] = diagnostic.column
        return region
    if diagnostic.offset is not None:
        return {"startLine": 1, "byteOffset": diagnostic.offset, "byteLength": 0}
    if diagnostic.path.suffix.lower() in AUDIO_SUFFIXES:
        return {"startLine": 1, "byteOffset": 0, "byteLength": _size(diagnostic.path)}
    return {"startLine": 1}


def _text_region(segment: Segment) -> dict[str, int]:
    if segment.position is None:
        return {"startLine": 1}
    return {"startLine": segment.position.line, "startColumn": segment.position.column}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _listing_segments(report: Report) -> dict[Listing, tuple[Template, Segment]]:
    """Each segment with the template whose manifest lists it, by its file, template and
    name; and by its file alone (the first segment listing it), for findings naming neither."""
    listed: dict[Listing, tuple[Template, Segment]] = {}
    for project in report.projects:
        for template in project.templates:
            for segment in template.segments:
                listed[(segment.path, template.name, segment.name)] = (template, segment)
                listed.setdefault((segment.path, None, None), (template, segment))
    return listed


def _properties(diagnostic: Diagnostic) -> dict[str, Any]:
    values = {
        "template": diagnostic.template,
        "segment": diagnostic.segment,
        "startSeconds": diagnostic.start_s,
        "endSeconds": diagnostic.end_s,
        "byteOffset": diagnostic.offset,
    }
    return {key: value for key, value in values.items() if value is not None}


def _sentence(text: str) -> str:
    """Code scanning shows messages as sentences: end them with a full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
