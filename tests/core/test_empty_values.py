"""Empty values (an unset variable on the command line, an empty list or string in the
configuration) are usage or configuration errors where they would change what runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_template(tmp_path / "t", description="")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["check", "-p", ""],
        ["-p", "", "check"],
        ["check", "-p", "no:"],
        ["check", "--profile", ""],
        ["measure", ""],
        ["inspect", ""],
    ],
)
def test_an_empty_value_is_a_usage_error(project: Path, run, args) -> None:
    result = run(*args)
    assert result.code == 2, result.err
    assert result.err.startswith("soundlint: error: ") and "empty" in result.err, result.err
    assert result.err.count("\n") == 1 and "SL001" not in result.out


@pytest.mark.parametrize("option", ["--ignore", "--extend-select"])
def test_an_empty_ignore_or_extend_select_adds_nothing(project: Path, check, option) -> None:
    """As the README says: they only add nothing to the selection, so they are accepted."""
    result = check(option, "")
    assert result.code == 1 and result.codes() == ["MD002"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("select = []", "'select' selects no rule"),
        ('select = [""]', "'select' holds an empty string"),
        ('ignore = ["MD002", ""]', "'ignore' holds an empty string"),
        ('scripts = [""]', "'scripts' holds an empty string"),
        ('exclude = [""]', "'exclude' holds an empty string"),
        ('plugins = [""]', "'plugins' holds an empty string"),
        ('[per-file-ignores]\n"t/**" = [""]', "per-file-ignores.t/** holds an empty string"),
    ],
)
def test_empty_configuration_values_are_errors(project: Path, run, content, message) -> None:
    (project / "soundlint.toml").write_text(content + "\n")
    result = run("check")
    assert result.code == 2, result.out
    assert f"{project / 'soundlint.toml'}: " in result.err and message in result.err, result.err
    assert result.err.count("\n") == 1


def test_a_profile_file_selecting_nothing_is_an_error(project: Path, run) -> None:
    (project / "nothing.toml").write_text("select = []\n")
    result = run("check", "--profile", "nothing.toml")
    assert result.code == 2
    assert "nothing.toml: 'select' selects no rule" in result.err


def test_ignoring_every_rule_still_passes(project: Path, run) -> None:
    """The way to run nothing on purpose, as in ruff."""
    (project / "soundlint.toml").write_text('ignore = ["ALL"]\n')
    result = run("check")
    assert result.code == 0, result.err
