"""A reader that goes away (``soundlint ... | head -1``) ends the run quietly, with the status
a shell gives a command killed by SIGPIPE (128 + 13), never an internal error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_template

SIGPIPE_STATUS = 128 + signal.SIGPIPE


def _run_into_closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run soundlint with its stdout a pipe whose reader has already gone."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "soundlint", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            check=False,
            timeout=120,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [["rules"], ["rules", "--output-format", "json"], ["rule", "SC002"], ["check"]],
)
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    write_template(tmp_path / "t", description="")
    result = _run_into_closed_pipe(args, tmp_path)
    assert result.stderr == ""
    assert result.returncode == SIGPIPE_STATUS


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_head_takes_the_first_line(tmp_path: Path) -> None:
    for index in range(40):
        write_template(tmp_path / f"t{index}", description="", audio=False)
    command = (
        f"{sys.executable} -m soundlint check | head -1; "
        f"{sys.executable} -m soundlint rules | head -1; "
        "echo ${PIPESTATUS[0]}"
    )
    result = subprocess.run(
        ["/bin/bash", "-c", command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("t0/template.toml:")
    assert lines[1].startswith("AU001")
    assert lines[2] in ("0", str(SIGPIPE_STATUS))
    assert result.stderr == ""
