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
