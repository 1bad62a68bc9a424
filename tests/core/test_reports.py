"""CI report formats: SARIF, JUnit, GitHub annotations, GitLab Code Quality."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.conftest import write_template


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    write_template(tmp_path / "t", {"main": "gone.wav"}, audio=False, description="")
    (tmp_path / "t" / "stray.wav").write_bytes(b"")
    return tmp_path


def test_sarif(broken: Path, run) -> None:
    result = run("check", "--output-format", "sarif")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["version"] == "2.1.0"
    [sarif_run] = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    results = sarif_run["results"]
    assert [r["ruleId"] for r in results] == ["MD002", "MD005", "MD004"]
    for entry in results:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "t/template.toml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1},
    }
    assert results[1]["level"] == "warning"
    md004 = next(rule for rule in rules if rule["id"] == "MD004")
    assert "## How to fix" in md004["help"]["markdown"]


def test_junit(broken: Path, run) -> None:
    root = ElementTree.fromstring(run("check", "--output-format", "junit").out)
    assert root.get("failures") == "3"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "t/template.toml"
    failures = [case.find("failure") for case in suite.findall("testcase")]
    assert [f.get("type") for f in failures] == ["error", "warning", "error"]


def test_junit_clean_run_has_a_passing_case_for_each_file(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    root = ElementTree.fromstring(run("check", "--output-format", "junit").out)
    assert (root.get("tests"), root.get("failures")) == ("3", "0")
    assert root.find("testsuite/testcase/failure") is None


def test_github_annotations(broken: Path, run) -> None:
    lines = run("check", "--output-format", "github").out.splitlines()
    assert lines[0] == (
        "::error file=t/template.toml,line=1,col=1,title=soundlint MD002::"
        "MD002 required field 'description' is empty"
    )
    assert lines[1].startswith("::warning file=t/template.toml,line=6,col=1,")


def test_gitlab_code_quality(broken: Path, run) -> None:
    issues = json.loads(run("check", "--output-format", "gitlab").out)
    assert [i["severity"] for i in issues] == ["major", "minor", "major"]
    assert issues[2]["location"] == {"path": "t/template.toml", "lines": {"begin": 7}}
    assert len({i["fingerprint"] for i in issues}) == 3
