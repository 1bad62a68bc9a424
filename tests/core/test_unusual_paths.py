"""Paths and configuration files that cannot be looked at as expected (a symbolic link loop, a
name too long for the file system, a pyproject.toml whose ``tool`` is not a table) are
reported on one line, never as an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_template

LONG_NAME = "a" * 300 + ".wav"


def _one_error_line(result, *expected: str) -> None:
    assert result.code == 2, result.err
    assert result.err.startswith("soundlint: error: "), result.err
    assert "internal error" not in result.err and result.err.count("\n") == 1, result.err
    for text in expected:
        assert text in result.err, result.err


@pytest.mark.parametrize("content", ["tool = 5\n", "[tool]\nsoundlint = 5\n"])
@pytest.mark.parametrize("command", [["check"], ["rules"], ["clean"], ["plugins"]])
def test_a_pyproject_whose_tables_are_not_tables(tmp_path: Path, run, content, command) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "pyproject.toml").write_text(content)
    result = run(*command)
    _one_error_line(result, f"{tmp_path / 'pyproject.toml'}: ", "must be a table")


def test_a_pyproject_named_by_config_whose_tool_is_not_a_table(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "pyproject.toml").write_text("tool = 5\n")
    _one_error_line(run("check", "--config", "conf/pyproject.toml"), "must be a table")


@pytest.fixture
def loop(tmp_path: Path) -> Path:
    (tmp_path / "loop.wav").symlink_to("loop.wav")
    return tmp_path / "loop.wav"


def test_inspect_reports_a_symlink_loop_and_goes_on(tmp_path: Path, run, loop) -> None:
    write_template(tmp_path / "t")
    result = run("inspect", "--output-format", "json", "loop.wav", "t/intro.wav")
    assert result.code == 1, result.err
    looped, fine = result.json["files"]
    [finding] = looped["diagnostics"]
    assert finding["message"] == "loop.wav cannot be read: Too many levels of symbolic links"
    assert fine["diagnostics"] == []


def test_measure_reports_a_symlink_loop_and_goes_on(tmp_path: Path, run, loop) -> None:
    write_template(tmp_path / "t")
    result = run("measure", "--output-format", "json", "loop.wav", "t/intro.wav")
    assert result.code == 1, result.err
    looped, fine = result.json["files"]
    assert looped["error"] == "the path cannot be read: Too many levels of symbolic links"
    assert "error" not in fine and fine["integrated_lufs"] < 0


def test_check_of_a_symlink_loop_is_a_usage_error(tmp_path: Path, run, loop) -> None:
    write_template(tmp_path / "t")
    _one_error_line(run("check", "loop.wav"), "loop.wav: Too many levels of symbolic links")


@pytest.mark.parametrize("command", ["inspect", "measure"])
def test_a_name_too_long_is_reported_for_that_file(tmp_path: Path, run, command) -> None:
    write_template(tmp_path / "t")
    result = run(command, "--output-format", "json", LONG_NAME, "t/intro.wav")
    assert result.code == 1, result.err
    entries = json.loads(result.out)["files"]
    assert len(entries) == 2 and "File name too long" in json.dumps(entries[0])


@pytest.mark.parametrize(
    "args",
    [["check", LONG_NAME], ["check", "--config", LONG_NAME], ["check", "--profile", LONG_NAME]],
    ids=["path", "config", "profile"],
)
def test_a_name_too_long_on_the_command_line_is_a_usage_error(tmp_path: Path, run, args) -> None:
    write_template(tmp_path / "t")
    result = run(*args)
    _one_error_line(result)
    assert "File name too long" in result.err or "unknown profile" in result.err
