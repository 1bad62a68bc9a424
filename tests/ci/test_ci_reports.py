"""Complete CI reports: SARIF for code scanning (checked by Microsoft's validator), JUnit with
passing cases for clean files, and --statistics."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.ci import sarif_validator
from tests.conftest import write_template, write_wav

RATE = 48000
SCRIPT = """<!-- soundlint: template=t -->
<as:section name="a" soundSegment="intro">Hello.</as:section>
<as:section name="b" soundSegment="mian">World.</as:section>
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A template whose 'main' clips, whose 'outro' is an MP3 named .wav, and a script with an
    unknown segment; plus a clean template."""
    write_template(tmp_path / "t", {"intro": "intro.wav", "main": "main.wav", "outro": "o.wav"})
    clipped = 0.1 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    clipped[24000:24010] = 1.0
    soundfile.write(tmp_path / "t" / "main.wav", clipped, RATE, subtype="PCM_24")
    (tmp_path / "t" / "o.wav").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200))
    write_template(tmp_path / "clean")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "promo.xml").write_text(SCRIPT)
    return tmp_path


def _sarif(run, *args: str) -> dict:
    result = run("check", "--output-format", "sarif", "--no-cache", *args)
    assert result.code == 1, result.err
    return json.loads(result.out)["runs"][0]


def test_sarif_driver_lists_only_the_rules_that_fired(library: Path, run) -> None:
    sarif_run = _sarif(run)
    driver = sarif_run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    fired = sorted({r["ruleId"] for r in sarif_run["results"]})
    assert [rule["id"] for rule in driver["rules"]] == fired
    au001 = next(rule for rule in driver["rules"] if rule["id"] == "AU001")
    assert au001["name"] == "clipping"
    assert au001["shortDescription"]["text"] and au001["fullDescription"]["text"]
    assert "## How to fix" in au001["help"]["markdown"]
    assert au001["defaultConfiguration"]["level"] == "error"
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == library.resolve().as_uri() + "/"


def test_sarif_audio_finding_points_at_the_file_and_its_manifest_line(library: Path, run) -> None:
    results = _sarif(run)["results"]
    clipping = next(r for r in results if r["ruleId"] == "AU001")
    [location] = clipping["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "t/main.wav",
        "uriBaseId": "%SRCROOT%",
    }
    [related] = clipping["relatedLocations"]
    manifest_lines = (library / "t" / "template.toml").read_text().splitlines()
    line = related["physicalLocation"]["region"]["startLine"]
    assert manifest_lines[line - 1].startswith('"main" = "main.wav"')
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "t/template.toml"
    assert clipping["properties"]["startSeconds"] == 0.5
    assert clipping["properties"]["segment"] == "main"
    not_wav = next(r for r in results if r["ruleId"] == "WAV001")
    assert not_wav["properties"]["byteOffset"] == 0
    assert not_wav["locations"][0]["physicalLocation"]["region"]["byteOffset"] == 0


def test_sarif_fingerprints_survive_lines_moving_and_touching(library: Path, run) -> None:
    before = _sarif(run)["results"]
    script = library / "scripts" / "promo.xml"
    script.write_text(SCRIPT.replace("-->\n", "-->\n<!-- a new comment -->\n\n"))
    manifest = library / "t" / "template.toml"
    manifest.write_text("# moved down\n\n" + manifest.read_text())
    audio = library / "t" / "main.wav"
    audio.write_bytes(audio.read_bytes())  # touched, same bytes
    after = _sarif(run)["results"]

    def prints(results: list[dict]) -> dict[str, tuple[str, int]]:
        return {
            r["partialFingerprints"]["soundlint/v1"]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }

    assert len(prints(before)) == len(before)
    assert prints(before).keys() == prints(after).keys()
    moved = [fp for fp, (code, line) in prints(before).items() if prints(after)[fp][1] != line]
    assert {prints(before)[fp][0] for fp in moved} >= {"SC002"}


def test_sarif_passes_microsoft_validator_with_github_rules(library: Path, run) -> None:
    executable, reason = sarif_validator.multitool()
    if executable is None:
        pytest.skip(f"SARIF Multitool unavailable: {reason}")
    # A finding in a file whose name needs quoting, and one in a script with a bad column.
    (library / "scripts" / "a promo #2.xml").write_text(SCRIPT)
    result = run("check", "--output-format", "sarif", "--output", "out.sarif", "--no-cache")
    assert result.code == 1
    problems = sarif_validator.validate(executable, library / "out.sarif", library)
    assert problems == []


def test_sarif_matches_the_schema_shipped_with_the_validator(library: Path, run) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    executable, reason = sarif_validator.multitool()
    if executable is None:
        pytest.skip(f"SARIF Multitool (which ships the schema) unavailable: {reason}")
    schema = json.loads(sarif_validator.schema_file(executable).read_text(encoding="utf-8-sig"))
    result = run("check", "--output-format", "sarif", "--no-cache")
    jsonschema.validate(json.loads(result.out), schema)


def test_junit_has_a_suite_for_each_checked_file_and_passes_clean_ones(library: Path, run) -> None:
    root = ElementTree.fromstring(run("check", "--output-format", "junit", "--no-cache").out)
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {
        "clean/template.toml",
        "clean/intro.wav",
        "clean/main.wav",
        "t/template.toml",
        "t/intro.wav",
        "t/main.wav",
        "t/o.wav",
        "scripts/promo.xml",
    }
    clean = suites["clean/main.wav"]
    [case] = clean.findall("testcase")
    assert case.find("failure") is None
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    assert suites["t/main.wav"].find("testcase/failure") is not None
    cases = root.findall("testsuite/testcase")
    assert root.get("tests") == str(len(cases))
    assert root.get("failures") == str(len(root.findall("testsuite/testcase/failure")))


def test_statistics_counts_per_code_most_first(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", {"a": "a.wav"}, description="")
    for name in ("x", "y", "z"):
        write_wav(tmp_path / "t" / f"{name}.wav", seconds=0.5)
    result = run("check", "--statistics")
    assert result.code == 1
    assert result.out.splitlines() == [
        "3\tMD005\taudio-file-unlisted",
        "1\tMD002\trequired-field-missing",
    ]
    listing = run("check", "--statistics", "--output-format", "json").json
    assert listing == [
        {"code": "MD005", "name": "audio-file-unlisted", "count": 3},
        {"code": "MD002", "name": "required-field-missing", "count": 1},
    ]
    refused = run("check", "--statistics", "--output-format", "sarif")
    assert refused.code == 2
    assert "--statistics" in refused.err


def test_junit_reads_as_a_dashboard_reads_it(library: Path, run) -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is not installed")
    result = run("check", "--output-format", "junit", "--output", "junit.xml", "--no-cache")
    assert result.code == 1
    xml = junitparser.JUnitXml.fromfile(str(library / "junit.xml"))
    cases = [(suite.name, case) for suite in xml for case in suite]
    failed = [name for name, case in cases if not case.is_passed and not case.is_skipped]
    passed = {name for name, case in cases if case.is_passed}
    assert sorted(set(failed)) == ["scripts/promo.xml", "t/main.wav", "t/o.wav"]
    assert passed >= {"clean/template.toml", "clean/intro.wav", "clean/main.wav", "t/intro.wav"}
    for suite in xml:
        assert suite.tests == len(list(suite))
        assert suite.failures == sum(1 for case in suite if not case.is_passed)


def test_statistics_of_a_clean_run_says_so(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    result = run("check", "--statistics")
    assert (result.code, result.out) == (0, "All checks passed (1 template, 0 scripts, 3 files).\n")
    assert run("check", "--statistics", "--output-format", "json").json == []


def test_segments_sharing_a_file_are_measured_once_and_named_in_every_finding(
    tmp_path: Path, run
) -> None:
    write_template(tmp_path / "t", {"intro": "sting.wav", "main": "main.wav", "outro": "sting.wav"})
    write_wav(tmp_path / "t" / "sting.wav", level_db=-3.0)  # too loud: LN001 for both
    args = ("check", "--no-cache", "--select", "LN001")
    text = run(*args, "--progress")
    assert "analysed 2/2 audio files" in text.err
    assert [
        line.split(" LN001 ")[1].split(": ")[0]
        for line in text.out.splitlines()
        if " LN001 " in line
    ] == [
        "segment 'intro' (same file as 'outro')",
        "segment 'outro' (same file as 'intro')",
    ]
    found = json.loads(run(*args, "--output-format", "json").out)["diagnostics"]
    assert [(d["segment"], d["message"].split(":")[0]) for d in found] == [
        ("intro", "segment 'intro' (same file as 'outro')"),
        ("outro", "segment 'outro' (same file as 'intro')"),
    ]
    manifest_lines = (tmp_path / "t" / "template.toml").read_text().splitlines()
    results = _sarif(run, "--select", "LN001")["results"]
    listed = [
        manifest_lines[r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        for r in results
    ]
    assert listed == ['"intro" = "sting.wav"', '"outro" = "sting.wav"']
