"""A report that could not be written (a full disk: /dev/full) is an error on one line, exit
status 2, never a run that passes or fails quietly, nor an internal error."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_template, write_wav


@pytest.fixture
def full_device(tmp_path: Path) -> Path:
    """A device on which every write fails with ENOSPC: a private one when root (so that a
    bug cannot replace the machine's /dev/full), else /dev/full, which a user cannot replace."""
    if os.geteuid() != 0:
        return Path("/dev/full")
    device = tmp_path / "full"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    return device


def _soundlint(args: list[str], cwd: Path, stdout: Path | None = None) -> tuple[int, str]:
    """Run soundlint, its stdout ``stdout`` when given; return the status and stderr."""
    with open(stdout or os.devnull, "w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "soundlint", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            check=False,
            timeout=120,
        )
    return result.returncode, result.stderr


def _assert_one_error_line(status: int, err: str) -> None:
    assert status == 2, err
    assert err.startswith("soundlint: error: cannot write"), err
    assert "No space left on device" in err and err.count("\n") == 1, err


def test_a_baseline_written_to_a_full_device_is_an_error(tmp_path: Path, full_device) -> None:
    write_template(tmp_path / "t", description="")
    status, err = _soundlint(["check", "--write-baseline", str(full_device)], tmp_path)
    _assert_one_error_line(status, err)
    assert "recorded" not in err
    assert stat.S_ISCHR(full_device.lstat().st_mode), "the device was replaced"


def test_a_baseline_is_not_written_over_a_symlink_loop(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", description="")
    (tmp_path / "loop.json").symlink_to("loop.json")
    result = run("check", "--write-baseline", "loop.json")
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert "cannot write baseline loop.json" in result.err
    assert (tmp_path / "loop.json").is_symlink()


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--output-format", "json"],
        ["check", "--statistics"],
        ["rules"],
        ["rule", "MD002"],
        ["plugins"],
        ["measure", "t/intro.wav"],
        ["inspect", "t/intro.wav"],
        ["--version"],
        ["-p", "no:names", "--version"],
    ],
)
def test_stdout_on_a_full_device_is_an_error(tmp_path: Path, full_device, args) -> None:
    write_template(tmp_path / "t")
    status, err = _soundlint(args, tmp_path, stdout=full_device)
    _assert_one_error_line(status, err)


def test_a_large_report_meets_the_full_device_before_the_end(tmp_path: Path, full_device) -> None:
    """More than a buffer's worth: the write fails inside the command, not at the last flush."""
    for index in range(40):
        write_wav(tmp_path / f"a{index:02}.wav", seconds=0.1)
    status, err = _soundlint(["measure", "."], tmp_path, stdout=full_device)
    _assert_one_error_line(status, err)
