"""Without a configuration, the project is found from the paths checked, never from where the
run stands: the same pack checked from inside it, from its parent, from a home directory
holding other packs and from ``/`` gets the same verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_template

SCRIPT = '<as:section soundSegment="main">x</as:section>\n'


def _pack(directory: Path, *, genre: str = "trailer") -> Path:
    """A template ``t`` and a script bound to it as "the only template"."""
    write_template(directory / "templates" / "t", genre=genre)
    (directory / "scripts").mkdir()
    (directory / "scripts" / "only.xml").write_text(SCRIPT)
    return directory


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home directory holding packs: ``packs/a`` (an empty genre: MD002) and another pack with
    a template of the same name, which would break the uniqueness of names (NM001) and the
    binding of a's script (SC008) were it taken for part of a's project."""
    home = tmp_path / "home"
    _pack(home / "packs" / "a", genre="")
    _pack(home / "packs" / "other")
    write_template(home / "drafts" / "t")
    return home


def _soundlint(home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``soundlint check ARGS`` run as a user runs it, from ``cwd`` with HOME at ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "soundlint", "check", *args],
        cwd=cwd,
        env=os.environ | {"HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _check(home: Path, cwd: Path, *args: str) -> tuple[int, list[tuple[str, str]]]:
    """Exit status and findings (code, absolute path) of the CLI run as a user runs it."""
    result = _soundlint(home, cwd, "--output-format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    found = sorted(
        (d["code"], str((cwd / d["path"]).resolve()))
        for d in json.loads(result.stdout)["diagnostics"]
    )
    return result.returncode, found


def test_a_pack_gets_the_same_verdict_wherever_the_run_stands(home: Path) -> None:
    pack = home / "packs" / "a"
    inside = _check(home, pack)
    assert inside[0] == 1
    assert {code for code, _path in inside[1]} == {"MD002", "SC009"}
    assert _check(home, pack, ".") == inside
    assert _check(home, pack.parent, "a") == inside
    assert _check(home, home, "packs/a") == inside
    assert _check(home, Path("/"), str(pack)) == inside


@pytest.mark.parametrize("name", ["scripts/only.xml", "templates/t/template.toml"])
def test_a_file_of_a_pack_gets_the_same_verdict_wherever_the_run_stands(
    home: Path, name: str
) -> None:
    pack = home / "packs" / "a"
    inside = _check(home, pack, name)
    assert _check(home, home, f"packs/a/{name}") == inside
    assert _check(home, Path("/"), str(pack / name)) == inside


def test_a_pack_and_its_template_named_together_are_one_project(home: Path) -> None:
    pack = home / "packs" / "a"
    inside = _check(home, pack)
    assert _check(home, home, "packs/a", "packs/a/templates/t") == inside
    assert _check(home, home, "packs/a/templates/t/main.wav", "packs/a/scripts/only.xml") == inside


def test_a_template_directly_in_a_home_directory_is_a_project_of_its_own(home: Path) -> None:
    """Neither a home directory nor ``/`` is ever taken for a pack, even holding scripts/."""
    write_template(home / "solo", name="t")
    (home / "scripts").mkdir()
    inside = _check(home, home / "solo", "template.toml")
    assert inside == (0, [])
    assert _check(home, home, "solo/template.toml") == inside
    assert _check(home, Path("/"), str(home / "solo" / "template.toml")) == inside


@pytest.fixture
def broken(home: Path) -> Path:
    """Pack ``a`` with a script bound to its template naming a segment it lacks (SC002)."""
    pack = home / "packs" / "a"
    (pack / "scripts" / "bad.xml").write_text('<as:section soundSegment="nope">x</as:section>\n')
    (pack / "templates" / "t" / "notes").mkdir()
    (pack / "templates" / "t" / "notes" / "mix.txt").write_text("levels\n")
    return pack


@pytest.mark.parametrize("part", ["scripts", "templates", "templates/t", "templates/t/notes"])
def test_a_directory_of_a_pack_gets_the_packs_verdict_for_it(
    home: Path, broken: Path, part: str
) -> None:
    """A directory checked alone is part of its pack: the scripts/ globs still select its
    scripts, a template's verdict counts the scripts bound to it, and a directory inside a
    template stands for the template, as its files do."""
    whole = _check(home, broken)
    assert ("SC002", str(broken / "scripts" / "bad.xml")) in whole[1]
    scripts = str(broken / "scripts")
    expected = (1, [f for f in whole[1] if part != "scripts" or f[1].startswith(scripts)])
    inside = _check(home, broken / part)
    assert inside == expected
    assert _check(home, broken, part) == inside
    assert _check(home, home, f"packs/a/{part}") == inside
    assert _check(home, Path("/"), str(broken / part)) == inside


def test_checking_inside_a_template_keeps_the_cache_at_the_packs_root(
    home: Path, broken: Path
) -> None:
    template = broken / "templates" / "t"
    result = _soundlint(home, template)
    assert result.returncode == 1, result.stderr
    assert "Not ready: 1 template (t)" in result.stdout
    assert not (template / ".soundlint_cache").exists()
    assert (broken / ".soundlint_cache").is_dir()


def test_a_directory_that_selects_nothing_says_where_its_patterns_start(home: Path) -> None:
    """Scripts directly in a home directory have no pack (the home directory is never one):
    checked alone they match no `scripts` pattern, which the run says instead of passing."""
    (home / "scripts").mkdir()
    (home / "scripts" / "a.xml").write_text(SCRIPT)
    for cwd, args in ((home / "scripts", ()), (home, ("scripts",))):
        result = _soundlint(home, cwd, *args)
        assert result.returncode == 0, result.stderr
        assert "no file the `scripts` patterns select" in result.stderr
        assert f"relative to the project root {home / 'scripts'}" in result.stderr


def test_a_configured_project_reports_paths_from_its_own_root(home: Path) -> None:
    """Paths (and baselines) are relative to a configured project's root even where a
    directory above it looks like a pack."""
    work = home / "work"
    (work / "scripts").mkdir(parents=True)
    write_template(work / "a" / "templates" / "t", genre="")
    (work / "a" / "soundlint.toml").write_text('ignore = ["SC009"]\n')
    result = _soundlint(home, work, "--output-format", "sarif", "a")
    assert result.returncode == 1, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (work / "a").as_uri() + "/"
    (finding,) = run["results"]
    location = finding["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "templates/t/template.toml"
