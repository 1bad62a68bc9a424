"""Which files belong to a project: globs relative to its root, what git ignores."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import write_template


def git_init(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(directory)], check=True)
    return directory


def test_a_project_inside_a_directory_called_scripts_has_no_stray_scripts(
    tmp_path: Path, check
) -> None:
    project = git_init(tmp_path / "scripts" / "project")
    write_template(project / "templates" / "epic")
    (project / "notes.txt").write_text("<as:section soundSegment='nope'>x</as:section>\n")
    result = check(cwd=project)
    assert result.json["summary"]["scripts"] == 0
    assert result.codes() == []


def test_exclude_is_relative_to_the_root(tmp_path: Path, check) -> None:
    project = git_init(tmp_path / "archive" / "project")
    write_template(project / "templates" / "epic", description="")
    (project / "soundlint.toml").write_text('exclude = ["archive/**"]\n')
    assert "MD002" in check(cwd=project).codes()


@pytest.fixture
def ignoring_repository(tmp_path: Path) -> Path:
    git_init(tmp_path)
    write_template(tmp_path / "templates" / "good")
    write_template(tmp_path / "build" / "rendered", description="")
    write_template(tmp_path / "local" / "mine", description="")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("local\n")
    return tmp_path


def test_files_ignored_by_git_are_not_discovered(ignoring_repository: Path, check) -> None:
    result = check()
    assert result.codes() == []
    assert result.json["summary"]["templates"] == 1


def test_no_respect_gitignore(ignoring_repository: Path, check) -> None:
    result = check("--no-respect-gitignore")
    assert result.codes() == ["MD002", "MD002"]


def test_respect_gitignore_config_key(ignoring_repository: Path, check) -> None:
    (ignoring_repository / "soundlint.toml").write_text("respect-gitignore = false\n")
    assert check().codes() == ["MD002", "MD002"]


def test_ignored_files_named_outright_are_checked(ignoring_repository: Path, check) -> None:
    assert check("build/rendered/template.toml").codes() == ["MD002"]


def test_outside_a_repository_nothing_is_ignored(tmp_path: Path, check) -> None:
    write_template(tmp_path / "build" / "rendered", description="")
    (tmp_path / ".gitignore").write_text("build/\n")
    assert check().codes() == ["MD002"]


BOUND_TO_T = '<!-- soundlint: template=t -->\n<as:section soundSegment="mian">x</as:section>\n'


def test_a_file_named_outright_with_a_binding_directive_is_a_script(tmp_path: Path, check) -> None:
    git_init(tmp_path)
    write_template(tmp_path / "templates" / "t")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "promo.html").write_text(BOUND_TO_T)
    result = check("notes/promo.html")
    assert result.codes() == ["SC002"]
    assert result.json["summary"]["scripts"] == 1
    assert "SC002" not in check().codes()  # not discovered: only named outright


def test_explicit_paths_that_check_nothing_say_so_in_the_summary(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "notes.xml").write_text("<a/>")
    result = run("check", "notes.xml")
    assert result.code == 0
    assert "All checks passed" not in result.out
    assert result.out.strip() == "Nothing checked: no templates or scripts found (0 files)."


def test_a_config_elsewhere_does_not_move_the_checked_directory(tmp_path: Path, check) -> None:
    project = git_init(tmp_path / "project")
    write_template(project / "templates" / "t", description="")
    write_template(tmp_path / "shared" / "other", description="")
    (tmp_path / "shared" / "soundlint.toml").write_text('ignore = ["SC009"]\n')
    result = check("--config", "../shared/soundlint.toml", cwd=project)
    assert {d["path"] for d in result.json["diagnostics"]} == {"templates/t/template.toml"}
    assert result.codes() == ["MD002"]


def test_a_pyproject_that_lost_its_soundlint_table_stands_for_its_directory(
    tmp_path: Path, check
) -> None:
    write_template(tmp_path / "templates" / "t", description="")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')  # [tool.soundlint] gone
    assert check("--pre-commit", "pyproject.toml").codes() == ["MD002"]


def test_files_named_outright_that_exclude_matches_check_nothing(tmp_path: Path, check) -> None:
    write_template(tmp_path / "vendor" / "old", {"main": "gone.wav"}, audio=False)
    write_template(tmp_path / "t", {"main": "gone.wav"}, audio=False)
    (tmp_path / "soundlint.toml").write_text('exclude = ["vendor"]\n')
    result = check("vendor/old/template.toml")
    assert result.codes() == []
    assert result.json["summary"]["templates"] == 0
