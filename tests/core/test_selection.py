"""Which rules run: the command line is a layer above the configuration file (ruff's rule);
within a layer the more specific selector wins. Settings that make no sense are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A template whose manifest has an empty genre (MD002)."""
    write_template(tmp_path / "templates" / "t", genre="")
    return tmp_path


@pytest.mark.parametrize(
    ("in_the_file", "on_the_command_line", "expected"),
    [
        ('ignore = ["MD002"]', ["--select", "MD002"], ["MD002"]),
        ('ignore = ["MD"]', ["--select", "MD002"], ["MD002"]),
        ('ignore = ["MD002"]', ["--extend-select", "MD002"], ["MD002"]),
        ('ignore = ["MD002"]', ["--extend-select", "MD"], ["MD002"]),
        ('ignore = ["MD002"]', ["--select", "ALL"], ["MD002"]),
        ('select = ["MD002"]', ["--ignore", "MD002"], []),
        ('select = ["MD002"]', ["--ignore", "MD"], []),
        ('select = ["NM"]', ["--extend-select", "MD002"], ["MD002"]),
        ("", ["--select", "MD", "--ignore", "MD002"], []),
        ("", ["--select", "MD002", "--ignore", "MD"], ["MD002"]),
        ('ignore = ["MD"]\nextend-select = ["MD002"]', [], ["MD002"]),
        ('select = ["MD002"]\nignore = ["MD"]', [], ["MD002"]),
        ('ignore = ["MD002"]', ["--select", "NM"], []),
    ],
)
def test_the_command_line_is_a_layer_above_the_file(
    project: Path, check, in_the_file: str, on_the_command_line: list[str], expected: list[str]
) -> None:
    (project / "soundlint.toml").write_text(in_the_file + "\n")
    result = check(*on_the_command_line)
    assert result.codes() == expected, result.err


def test_per_file_ignores_still_apply_under_a_command_line_select(project: Path, check) -> None:
    (project / "soundlint.toml").write_text('[per-file-ignores]\n"templates/**" = ["MD002"]\n')
    assert check("--select", "MD002").codes() == []


@pytest.mark.parametrize(
    ("table", "complaint"),
    [
        ("[rules.SR001]\nsample-rates = []", "rules.SR001.sample-rates: must not be empty"),
        ("[rules.WAV005]\nchannels = []", "rules.WAV005.channels: must not be empty"),
        ("[rules.LN001]\ntarget = nan", "rules.LN001.target: expected a finite number, got nan"),
        ("[rules.LN001]\ntolerance = inf", "rules.LN001.tolerance: expected a finite number"),
        ("[rules.LN002]\nmax-true-peak = -inf", "expected a finite number, got -inf"),
        ("[rules.AU006]\ndurations = { main = [1.0, inf] }", "expected a finite number"),
        ("[rules.AU006]\ndurations = { main = [nan, 2.0] }", "expected a finite number"),
    ],
)
def test_option_values_that_make_no_sense_are_errors(
    project: Path, check, table: str, complaint: str
) -> None:
    (project / "soundlint.toml").write_text(table + "\n")
    result = check()
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("soundlint: error:")
    assert complaint in result.err


def test_a_per_file_ignore_pattern_that_matches_nothing_is_a_warning(project: Path, check) -> None:
    """A typo ignores nothing, so it is pointed out; but files that were deleted, are excluded
    or exist only on some machines must not stop the run (a deletion must never wedge CI)."""
    (project / "soundlint.toml").write_text(
        '[per-file-ignores]\n"templates/**" = ["MD001"]\n"tempaltes/**" = ["MD002"]\n'
    )
    result = check()
    assert result.code == 1, result.err
    assert result.codes() == ["MD002"]
    (warning,) = result.err.splitlines()
    assert warning.startswith("soundlint: warning: ") and "per-file-ignores" in warning
    assert "'tempaltes/**' matches no file" in warning


def test_a_per_file_ignore_pattern_of_excluded_files_is_a_warning(project: Path, check) -> None:
    write_template(project / "legacy" / "old", genre="")
    (project / "soundlint.toml").write_text(
        'exclude = ["legacy"]\nignore = ["MD002"]\n[per-file-ignores]\n"legacy/**" = ["MD001"]\n'
    )
    result = check("--strict")
    assert result.code == 0, result.err
    assert result.codes() == []
    assert "warning: " in result.err and "'legacy/**' matches no file" in result.err


def test_per_file_ignore_patterns_see_the_whole_project(project: Path, check) -> None:
    """A run on one file (as pre-commit makes) does not fault a pattern for the others."""
    write_template(project / "legacy" / "old", genre="")
    (project / "soundlint.toml").write_text('[per-file-ignores]\n"legacy/**" = ["MD002"]\n')
    result = check("templates/t/template.toml")
    assert result.code != 2, result.err
    assert result.codes() == ["MD002"]
    assert check().codes() == ["MD002"]


@pytest.mark.parametrize("pattern", ["*.toml", "**/template.toml", "templates/t/main.wav"])
def test_per_file_ignore_patterns_of_every_kind_of_file_count(
    project: Path, check, pattern: str
) -> None:
    (project / "soundlint.toml").write_text(f'[per-file-ignores]\n"{pattern}" = ["MD002"]\n')
    result = check()
    assert result.code != 2, result.err
