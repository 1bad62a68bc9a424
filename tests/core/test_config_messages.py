"""A configuration error names the file (and its table) it is in, and says what is wrong
with the value, not what the value led to."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('cache-dir = ""', "'cache-dir' is empty; leave it out for .soundlint_cache"),
        ('profile = ""', "'profile' is empty; leave it out for audiostack"),
        ('profile = "nope"', "unknown profile 'nope'"),
        ('profile = "rules/ours.toml"', "profile file not found: "),
        ('loudness-engine = "foo"', "'loudness-engine' must be one of soundlint, pyloudnorm"),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["measure", "t/intro.wav"]])
def test_the_message_names_the_configuration_file(
    tmp_path: Path, run, content: str, message: str, command: list[str]
) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "pyproject.toml").write_text(f"[tool.soundlint]\n{content}\n")
    result = run(*command)
    assert result.code == 2, result.err
    label = f"{tmp_path / 'pyproject.toml'} [tool.soundlint]: "
    assert result.err.startswith(f"soundlint: error: {label}"), result.err
    assert message in result.err and result.err.count("\n") == 1, result.err


def test_a_profile_on_the_command_line_is_not_blamed_on_the_file(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "soundlint.toml").write_text('profile = "podcast"\n')
    result = run("check", "--profile", "nope")
    assert result.code == 2
    assert result.err.startswith("soundlint: error: unknown profile 'nope'"), result.err
