"""--shard I/N: N jobs together check everything exactly once; project-wide rules still work."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import write_template

BOUND = """<!-- soundlint: template={name} -->
<as:section name="a" soundSegment="intro">Hi.</as:section>
<as:section name="b" soundSegment="mian">Oops.</as:section>
"""
UNBOUND = '<as:section name="a">Unbound {number}.</as:section>\n<as:break time="fast"/>\n'


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Twelve templates (two pairs sharing a name, one with a missing segment), a script bound
    to each and six unbound scripts."""
    for number in range(12):
        name = f"tpl-{number % 10}"  # tpl-0 and tpl-1 twice: NM001
        directory = tmp_path / "templates" / f"d{number:02d}"
        segments = {"intro": "intro.wav", "main": "main.wav"}
        if number == 5:
            segments["outro"] = "gone.wav"
        write_template(directory, segments, name=name, audio=False)
        for segment in ("intro", "main"):
            (directory / f"{segment}.wav").write_bytes(_tiny_wav())
        (tmp_path / "scripts").mkdir(exist_ok=True)
        (tmp_path / "scripts" / f"s{number:02d}.xml").write_text(BOUND.format(name=name))
    for number in range(6):
        (tmp_path / "scripts" / f"u{number}.xml").write_text(UNBOUND.format(number=number))
    return tmp_path


def _tiny_wav() -> bytes:
    import io

    import numpy as np
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros((4800, 2)), 48000, "PCM_16", format="WAV")
    return buffer.getvalue()


def _findings(check, *args: str) -> list[str]:
    result = check("--select", "MD,NM,SC,SR,WAV", *args)
    return [json.dumps(d, sort_keys=True) for d in result.json["diagnostics"]]


def test_shards_together_report_the_full_run_exactly_once(library: Path, check) -> None:
    full = _findings(check)
    codes = Counter(json.loads(d)["code"] for d in full)
    assert codes["NM001"] >= 4 and codes["MD004"] == 1 and codes["SC002"] == 12
    assert codes["SC006"] == 6  # one a unbound script
    parts = [_findings(check, "--shard", f"{index}/3") for index in (1, 2, 3)]
    union = [finding for part in parts for finding in part]
    assert len(union) == len(set(union))
    assert sorted(union) == sorted(full)
    assert all(parts)


def test_a_template_keeps_its_shard_when_others_are_added(library: Path, check) -> None:
    def shard_of_template_paths() -> dict[str, int]:
        owner = {}
        for index in (1, 2, 3):
            for finding in _findings(check, "--shard", f"{index}/3"):
                path = json.loads(finding)["path"]
                if path.startswith("templates/"):
                    owner[path.split("/")[1]] = index
        return owner

    before = shard_of_template_paths()
    write_template(library / "templates" / "a-new-one", {"x": "missing.wav"}, audio=False)
    after = shard_of_template_paths()
    assert {name: after[name] for name in before} == before


def test_summary_counts_only_the_shard(library: Path, check) -> None:
    totals = [check("--shard", f"{i}/2").json["summary"]["templates"] for i in (1, 2)]
    assert sum(totals) == 12


@pytest.mark.parametrize("value", ["0/3", "4/3", "1/0", "a/b", "3", "-1/2"])
def test_bad_shard_is_a_usage_error(library: Path, run, value: str) -> None:
    result = run("check", f"--shard={value}")
    assert result.code == 2
    assert "--shard" in result.err
    assert len(result.err.splitlines()) == 1


def test_a_baseline_is_written_for_the_whole_project(library: Path, run) -> None:
    result = run("check", "--shard", "1/2", "--write-baseline", "baseline.json")
    assert result.code == 2
    assert "without --shard" in result.err
    assert not (library / "baseline.json").exists()


def test_a_whole_project_baseline_applies_to_each_shard(library: Path, check) -> None:
    assert check("--write-baseline", "baseline.json").code == 0
    for index in (1, 2, 3):
        result = check("--shard", f"{index}/3", "--baseline", "baseline.json")
        assert (result.code, result.json["diagnostics"]) == (0, [])
