"""``inspect`` and ``measure`` print file names as ``check`` does: control characters (a
newline, an ANSI escape, a bidirectional override) escaped, so that a name cannot forge
lines or colours in a terminal or log."""

from __future__ import annotations

from pathlib import Path

import pytest

from soundlint.paths import one_line
from tests.conftest import write_wav

NAMES = ["new\nline.wav", "red\x1b[31m.wav", "evil\u202ewav.txt.wav"]
FORBIDDEN = ("\x1b", "\u202e")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("command", ["inspect", "measure"])
def test_file_names_are_escaped(tmp_path: Path, run, command: str, name: str) -> None:
    write_wav(tmp_path / name, seconds=0.1)
    result = run(command, name)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith(one_line(name))
    assert not any(character in result.out for character in FORBIDDEN)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("command", ["inspect", "measure"])
def test_the_error_line_of_a_missing_file_is_escaped(
    tmp_path: Path, run, command: str, name: str
) -> None:
    result = run(command, name)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"soundlint: error: path not found: {one_line(name)}\n"
    assert not any(character in result.err for character in FORBIDDEN)
