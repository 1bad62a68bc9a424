"""Discovery: directories and files map to templates and the scripts bound to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundlint import api
from tests.conftest import write_template
from tests.core.test_project_files import git_init


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_template(tmp_path / "templates" / "epic", description="")
    write_template(tmp_path / "templates" / "calm", genre="")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "epic.xml").write_text(
        '<!-- soundlint: template=epic -->\n<as:section soundSegment="mian">x</as:section>\n'
    )
    (scripts / "calm.xml").write_text(
        '<!-- soundlint: template=calm -->\n<as:section soundSegment="nope">x</as:section>\n'
    )
    return tmp_path


def _linted(result) -> set[tuple[str, str]]:
    """Paths and codes reported, leaving out the SC009 infos about unused segments."""
    return {(d["path"], d["code"]) for d in result.json["diagnostics"] if d["code"] != "SC009"}


def test_whole_project_by_default(project: Path, check) -> None:
    assert _linted(check()) == {
        ("scripts/calm.xml", "SC002"),
        ("scripts/epic.xml", "SC002"),
        ("templates/calm/template.toml", "MD002"),
        ("templates/epic/template.toml", "MD002"),
    }


def test_a_changed_wav_lints_its_template_and_bound_scripts(project: Path, check) -> None:
    result = check("templates/epic/main.wav")
    assert _linted(result) == {
        ("scripts/epic.xml", "SC002"),
        ("templates/epic/template.toml", "MD002"),
    }
    assert result.json["summary"]["templates"] == 1
    assert result.json["summary"]["scripts"] == 1


def test_a_changed_script_lints_the_script_only(project: Path, check) -> None:
    assert _linted(check("scripts/calm.xml")) == {("scripts/calm.xml", "SC002")}


def test_a_named_manifest_lints_the_scripts_its_change_may_rebind(project: Path, check) -> None:
    """A manifest may have renamed its template: the scripts bound to it, to a name no template
    has (its old one, perhaps) and to none are checked again; a script bound by name to another
    template that exists is that template's alone."""
    scripts = project / "scripts"
    (scripts / "lost.xml").write_text("<!-- soundlint: template=old -->\n" + _SECTION)
    (scripts / "unbound.xml").write_text(_SECTION)
    result = check("templates/epic/template.toml")
    assert {path for path, _code in _linted(result)} == {
        "scripts/epic.xml",
        "scripts/lost.xml",
        "scripts/unbound.xml",
        "templates/epic/template.toml",
    }
    assert result.json["summary"]["scripts"] == 3


_SECTION = '<as:section soundSegment="main">x</as:section>\n'


def test_files_that_are_neither_are_ignored(project: Path, check) -> None:
    (project / "notes.txt").write_text("hello")
    result = check("notes.txt")
    assert result.code == 0
    assert result.json["summary"]["templates"] == 0


def test_hidden_and_excluded_directories_are_skipped(project: Path, check) -> None:
    write_template(project / ".cache" / "copy", description="")
    write_template(project / "archive" / "old", description="")
    (project / "soundlint.toml").write_text('exclude = ["archive"]\n')
    paths = {path for path, _ in _linted(check())}
    assert not any(p.startswith((".cache", "archive")) for p in paths)


def test_script_templates_table_and_single_template_binding(tmp_path: Path, check) -> None:
    write_template(tmp_path / "only")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.xml").write_text(
        '<as:section soundSegment="intro">x</as:section><as:section soundSegment="main"/>'
    )
    assert check().codes() == []
    write_template(tmp_path / "second")
    assert check().codes() == ["SC008"]
    (tmp_path / "soundlint.toml").write_text('[script-templates]\n"scripts/*.xml" = "second"\n')
    assert check().codes() == []


def test_binding_to_a_missing_template_suggests_one(tmp_path: Path, check) -> None:
    write_template(tmp_path / "epic")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.xml").write_text("<!-- soundlint: template=epik -->\nHello")
    [diagnostic] = check().json["diagnostics"]
    assert diagnostic["code"] == "SC008"
    assert "did you mean 'epic'" in diagnostic["message"]
    assert diagnostic["line"] == 1


def test_lint_api(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(project)  # the project holding templates/calm, whose scripts bind to it
    monkeypatch.chdir(project)
    result = api.lint(["templates/calm"])
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [
        ("SC002", "error"),
        ("MD002", "error"),
        ("SC009", "info"),
        ("SC009", "info"),
    ]


@pytest.mark.parametrize("in_git", [False, True])
def test_the_cache_is_never_discovered_wherever_it_is(project: Path, check, in_git: bool) -> None:
    """A cache-dir under scripts/ holds .json files the scripts globs match: runs after the
    first must not lint the cache's index and measurements (nor git's ignoring them hide it)."""
    if in_git:
        git_init(project)
    (project / "soundlint.toml").write_text('cache-dir = "scripts/cache"\n')
    first = check("--no-respect-gitignore")
    assert (project / "scripts" / "cache" / "index.json").is_file()
    assert check("--no-respect-gitignore").json == first.json
    assert check("scripts/cache/index.json").json["diagnostics"] == []
    (project / "soundlint.toml").write_text('cache-dir = "elsewhere"\n')
    assert check("--no-respect-gitignore").json == first.json
    assert check("scripts/cache/index.json").json["diagnostics"] == []
