"""Progress of the audio analysis: on stderr only; on a terminal after a while, or --progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundlint import progress
from tests.conftest import write_template


@pytest.fixture
def library(tmp_path: Path) -> Path:
    for number in range(3):
        write_template(tmp_path / f"t{number}", level_db=-3.0 - number)
    return tmp_path


def test_progress_option_writes_lines_to_stderr_only(library: Path, run) -> None:
    quiet = run("check", "--no-cache", "-j", "1")
    shown = run("check", "--no-cache", "-j", "1", "--progress")
    assert quiet.err == ""
    assert shown.out == quiet.out
    assert shown.code == quiet.code
    assert shown.err.splitlines()[-1] == "soundlint: analysed 6/6 audio files"


def test_nothing_on_a_non_terminal_by_default(library: Path, run, monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    assert run("check", "--no-cache", "-j", "1").err == ""


def test_a_bar_on_a_terminal_once_the_run_is_long(library: Path, run, monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    plain = run("check", "--no-cache", "-j", "1", "--no-progress")
    assert plain.err == ""
    shown = run("check", "--no-cache", "-j", "1")
    assert "Analysing audio" in shown.err
    assert "\x1b[" in shown.err  # drawn, then taken off the terminal
    assert shown.out == plain.out


def test_no_bar_for_a_short_run_on_a_terminal(library: Path, run, monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY_S", 3600.0)
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    assert run("check", "--no-cache", "-j", "1").err == ""


def test_a_warm_run_shows_no_progress(library: Path, run) -> None:
    run("check", "-j", "1")
    assert run("check", "-j", "1", "--progress").err == ""
