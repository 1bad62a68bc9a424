"""--baseline and --write-baseline: adopt soundlint on a library with findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import write_template

SCRIPT = """<!-- soundlint: template=t -->
<as:section name="a" soundSegment="intro">Hello.</as:section>
<as:section name="b" soundSegment="mian">World.</as:section>
"""


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A library with findings in a manifest, a script and audio (a too-loud segment)."""
    write_template(tmp_path / "t", description="", level_db=-0.01)
    (tmp_path / "t" / "stray.wav").write_bytes((tmp_path / "t" / "intro.wav").read_bytes())
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "promo.xml").write_text(SCRIPT)
    return tmp_path


def test_write_then_check_against_the_baseline(legacy: Path, check) -> None:
    full = check()
    assert full.code == 1
    codes = sorted(full.codes())
    assert {"MD002", "MD005", "SC002"} <= set(codes)

    written = check("--write-baseline", "base/soundlint-baseline.json")
    assert written.code == 0
    assert written.out == ""
    assert f"recorded {len(codes)} findings in base/soundlint-baseline.json" in written.err
    document = json.loads((legacy / "base" / "soundlint-baseline.json").read_text())
    assert sorted(entry["code"] for entry in document["findings"]) == codes
    assert not list((legacy / "base").glob(".*"))  # no temporary file left behind

    quiet = check("--baseline", "base/soundlint-baseline.json")
    assert (quiet.code, quiet.json["diagnostics"]) == (0, [])


def test_only_new_findings_are_reported(legacy: Path, check) -> None:
    check("--write-baseline", "baseline.json")
    script = legacy / "scripts" / "promo.xml"
    script.write_text(SCRIPT + '<as:section name="c" soundSegment="otro">Bye.</as:section>\n')
    result = check("--baseline", "baseline.json")
    assert result.code == 1
    [new] = result.json["diagnostics"]
    assert (new["code"], new["line"]) == ("SC002", 4)
    assert "otro" in new["message"]


def test_baseline_survives_moved_lines_and_touched_audio(legacy: Path, check) -> None:
    check("--write-baseline", "baseline.json")
    script = legacy / "scripts" / "promo.xml"
    script.write_text(SCRIPT.replace("-->\n", "-->\n<!-- reviewed -->\n\n\n"))
    manifest = legacy / "t" / "template.toml"
    manifest.write_text("# a comment on top\n\n" + manifest.read_text())
    for audio in (legacy / "t").glob("*.wav"):
        audio.write_bytes(audio.read_bytes())
        os.utime(audio, (1_000_000_000, 1_000_000_000))
    moved = check()
    assert {d["line"] for d in moved.json["diagnostics"] if d["code"] == "SC002"} == {6}
    result = check("--baseline", "baseline.json")
    assert (result.code, result.json["diagnostics"]) == (0, [])


def test_a_second_identical_finding_is_new(legacy: Path, check) -> None:
    check("--write-baseline", "baseline.json")
    (legacy / "t" / "stray2.wav").write_bytes((legacy / "t" / "intro.wav").read_bytes())
    result = check("--baseline", "baseline.json")
    assert [(d["code"], Path(d["path"]).name) for d in result.json["diagnostics"]] == [
        ("MD005", "template.toml")
    ]
    assert "stray2.wav" in result.json["diagnostics"][0]["message"]


@pytest.mark.parametrize(
    ("content", "wording"),
    [(None, "baseline file not found"), ("{", "is not JSON"), ("[]", "not a soundlint baseline")],
)
def test_bad_baseline_is_a_usage_error(
    legacy: Path, check, content: str | None, wording: str
) -> None:
    if content is not None:
        (legacy / "baseline.json").write_text(content)
    result = check("--baseline", "baseline.json")
    assert result.code == 2
    assert result.out == ""
    assert wording in result.err
    assert len(result.err.splitlines()) == 1
