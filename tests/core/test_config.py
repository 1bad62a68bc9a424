"""Configuration: discovery, profiles, merging and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundlint import api
from soundlint.config import Overrides
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
        ('ignore = "MD002"', "'ignore' must be a list, not a string"),
        ('cache-max-mb = "big"', "'cache-max-mb' must be an integer, not a string"),
        ("cache-max-mb = true", "'cache-max-mb' must be an integer, not a boolean"),
        ("profile = 3", "'profile' must be a string, not an integer"),
        ('respect-gitignore = "no"', "'respect-gitignore' must be a boolean, not a string"),
        ("per-file-ignores = 1", "'per-file-ignores' must be a table, not an integer"),
        ("[rules.SR001]\nsample-rates = [0]", "sample-rates: each must be more than 0, not 0"),
        ("[rules.SR001]\nsample-rates = [48000, -44100]", "more than 0, not -44100"),
        ("[rules.WAV004]\npcm-bit-depths = [0, 24]", "pcm-bit-depths: each must be more than 0"),
        ("[rules.WAV005]\nchannels = [2, -1]", "channels: each must be more than 0, not -1"),
        ('[rules.MD002]\nfeilds = ["x"]', "unknown option 'feilds'"),
        ("[rules.MD002]\nfields = 3", "expected a list of strings"),
        ("[rules.XX001]\nx = 1", "unknown rule 'XX001'"),
        ('[severity]\nMD002 = "fatal"', "'fatal' is not error, warning or info"),
        ('[per-file-ignores]\n"x" = ["QQ"]', "unknown rule selector 'QQ'"),
        ('profile = "missing"', "unknown profile 'missing'"),
        ('profile = "rules/ours.toml"', "profile file not found: "),
        ("[rules.AU006]\ndurations = { intro = [20.0, 1.0] }", "0 <= shortest <= longest"),
        ("[rules.AU003]\nmax-seconds = -1.0", "must be 0 or more"),
        ('select = ["md002"]', "did you mean 'MD002'"),
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


@pytest.mark.parametrize(
    ("profile", "rates", "target", "tolerance", "ceiling"),
    [
        ("audiostack", [44100, 48000], -16.0, 3.0, -1.0),
        ("ebu-r128", [48000], -23.0, 0.5, -1.0),
        ("atsc-a85", [48000], -24.0, 2.0, -2.0),
        ("streaming", [44100, 48000], -14.0, 1.0, -1.0),
        ("podcast", [44100, 48000], -16.0, 1.0, -1.0),
    ],
)
def test_shipped_profiles_set_the_documented_targets(
    project: Path, profile: str, rates: list[int], target: float, tolerance: float, ceiling: float
) -> None:
    session = api.start([project])
    settings = session.settings(Overrides(profile=profile))
    options = settings.rule_options
    assert options["SR001"]["sample-rates"] == rates
    assert (options["LN001"]["target"], options["LN001"]["tolerance"]) == (target, tolerance)
    assert options["LN002"]["max-true-peak"] == ceiling
    assert options["WAV004"] == {"pcm-bit-depths": [16, 24], "float-bit-depths": [32]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('select = ["XX"]', "unknown rule selector 'XX'"),
        ('select = "MD"', "'select' must be a list of strings"),
        ("[rules.LN01]\ntarget = -20.0", "unknown rule 'LN01'"),
        ("[rules.LN001]\ntargte = -20.0", "unknown option 'targte'"),
    ],
)
def test_a_profile_file_is_validated_like_the_project(
    project: Path, run, content: str, message: str
) -> None:
    (project / "mine.toml").write_text(content + "\n")
    result = run("check", "--profile", "mine.toml")
    assert result.code == 2
    assert "mine.toml" in result.err and message in result.err


def test_a_profile_file_sets_options(project: Path, check) -> None:
    (project / "mine.toml").write_text("[rules.MD002]\nfields = []\n")
    assert check("--profile", "mine.toml").codes() == []


def test_tool_table_in_soundlint_toml_gets_a_hint(project: Path, run) -> None:
    (project / "soundlint.toml").write_text('[tool.soundlint]\nignore = ["MD"]\n')
    result = run("check")
    assert result.code == 2
    assert "without a [tool.soundlint] table" in result.err
