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


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A template whose segment name holds a newline, an ANSI escape and a bidi override."""
    directory = write_template(tmp_path / "t", {"main": "main.wav"})
    manifest = directory / "template.toml"
    manifest.write_text(manifest.read_text() + '"a\\nb\\u001b[31mred\\u202e" = "main.wav"\n')
    return tmp_path


ESCAPED = "a\\nb\\x1b[31mred\\u202e"


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_line_formats_escape_control_characters(hostile: Path, run, output_format: str) -> None:
    out = run("check", "--select", "NM003", "--output-format", output_format).out
    [line] = [line for line in out.splitlines() if "NM003" in line and "rule NM003" not in line]
    assert ESCAPED in line
    assert "\x1b" not in out and "\u202e" not in out


def test_text_with_color_escapes_control_characters(
    hostile: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = run("check", "--select", "NM003", "--color", "always").out
    assert ESCAPED in out and "\u202e" not in out and "\n" not in out.split("NM003")[1][:60]


def test_junit_and_gitlab_escape_control_characters(hostile: Path, run) -> None:
    root = ElementTree.fromstring(run("check", "--select", "NM003", "--output-format", "junit").out)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and ESCAPED in failure.get("message", "")
    issues = json.loads(run("check", "--select", "NM003", "--output-format", "gitlab").out)
    assert ESCAPED in issues[0]["description"]


def test_ci_paths_are_relative_to_the_project_root_from_any_directory(broken: Path, run) -> None:
    (broken / "soundlint.toml").write_text("")
    (broken / "elsewhere").mkdir()
    sarif = json.loads(
        run("check", "--output-format", "sarif", str(broken), cwd=broken / "elsewhere").out
    )
    [sarif_run] = sarif["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif_run["results"]
    }
    assert uris == {"t/template.toml"}
    for entry in sarif_run["results"]:
        assert entry["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
            "%SRCROOT%"
        )
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == broken.resolve().as_uri() + "/"
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    issues = json.loads(
        run("check", "--output-format", "gitlab", str(broken), cwd=broken / "elsewhere").out
    )
    assert {issue["location"]["path"] for issue in issues} == {"t/template.toml"}


def test_ci_paths_are_relative_to_the_repository_in_a_monorepo(tmp_path: Path, run) -> None:
    (tmp_path / ".git").mkdir()
    for team in ("news", "ads"):
        project = tmp_path / team
        write_template(project / "t", {"main": "gone.wav"}, audio=False)
        (project / "soundlint.toml").write_text("")
    sarif = json.loads(run("check", "--output-format", "sarif", "news", "ads").out)
    [sarif_run] = sarif["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif_run["results"]
    }
    assert uris == {"news/t/template.toml", "ads/t/template.toml"}
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
