"""Configuration: discovery, profiles, merging and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_template(tmp_path / "templates" / "t", genre="")
    return tmp_path


def test_pyproject_table_found_upward_from_the_path(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.soundlint]\nignore = ["MD002"]\n')
    assert check("templates/t").codes() == []
    assert check(".", cwd=project / "templates").codes() == []


def test_soundlint_toml_wins_over_pyproject_in_the_same_directory(project: Path, check) -> None:
    (project / "pyproject.toml").write_text('[tool.soundlint]\nignore = ["MD002"]\n')
    (project / "soundlint.toml").write_text('ignore = ["NM"]\n')
    assert check().codes() == ["MD002"]


def test_pyproject_without_soundlint_table_is_skipped(project: Path, check) -> None:
    (project / "templates" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "soundlint.toml").write_text('ignore = ["MD002"]\n')
    assert check().codes() == []


def test_explicit_config_option(project: Path, check) -> None:
    (project / "elsewhere.toml").write_text('ignore = ["MD"]\n')
    assert check("--config", "elsewhere.toml").codes() == []


def test_unknown_key_is_a_usage_error_naming_it(project: Path, run) -> None:
    (project / "soundlint.toml").write_text('selct = ["MD"]\n')
    result = run("check")
    assert result.code == 2
    assert "unknown key 'selct'" in result.err and "did you mean 'select'" in result.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ignore = [", "invalid TOML"),
        ('ignore = "MD002"', "'ignore' must be a list"),
        ('[rules.MD002]\nfeilds = ["x"]', "unknown option 'feilds'"),
        ("[rules.MD002]\nfields = 3", "expected a list of strings"),
        ("[rules.XX001]\nx = 1", "unknown rule 'XX001'"),
        ('[severity]\nMD002 = "fatal"', "'fatal' is not error, warning or info"),
        ('[per-file-ignores]\n"x" = ["QQ"]', "unknown rule selector 'QQ'"),
        ('profile = "missing"', "unknown profile 'missing'"),
    ],
)
def test_invalid_configuration_exits_2(project: Path, run, content: str, message: str) -> None:
    (project / "soundlint.toml").write_text(content + "\n")
    result = run("check")
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1


def test_severity_override(project: Path, check) -> None:
    (project / "soundlint.toml").write_text('[severity]\nrequired-field-missing = "warning"\n')
    result = check()
    assert result.json["diagnostics"][0]["severity"] == "warning"
    assert result.code == 0


def test_per_file_ignores(project: Path, check) -> None:
    (project / "soundlint.toml").write_text('[per-file-ignores]\n"templates/**" = ["MD002"]\n')
    assert check().codes() == []


def test_more_specific_selector_wins(project: Path, check) -> None:
    (project / "soundlint.toml").write_text('ignore = ["MD"]\nextend-select = ["MD002"]\n')
    assert check().codes() == ["MD002"]


def test_profile_from_path(project: Path, check) -> None:
    (project / "strict.toml").write_text('[rules.MD002]\nfields = ["description", "mood"]\n')
    messages = [d["message"] for d in check("--profile", "strict.toml").json["diagnostics"]]
    assert messages == ["required field 'mood' is missing"]


def test_every_shipped_profile_loads(project: Path, check) -> None:
    for profile in ("audiostack", "ebu-r128", "streaming", "podcast", "atsc-a85"):
        assert check("--profile", profile).code in (0, 1)
