"""``--output`` writes through to whatever is not a regular file; only regular files are
replaced atomically."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import write_template


def _project(root: Path) -> None:
    write_template(root / "b", description="")


def _report(text: str) -> dict:
    return json.loads(text)


def test_a_fifo_reader_gets_the_report(tmp_path: Path, check) -> None:
    _project(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = check("--output", str(fifo))
    reader.join(timeout=10)
    assert result.code == 1, result.err
    assert not reader.is_alive()
    assert [d["code"] for d in _report(received[0].decode())["diagnostics"]] == ["MD002"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_symlink_is_kept_and_its_target_written(tmp_path: Path, check) -> None:
    _project(tmp_path)
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "real.json"
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "real.json")
    assert check("--output", "latest.json").code == 1
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "real.json")
    assert _report(target.read_text())["summary"]["errors"] == 1
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["real.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path, check) -> None:
    _project(tmp_path)
    link = tmp_path / "latest.json"
    link.symlink_to("real.json")
    assert check("--output", "latest.json").code == 1
    assert link.is_symlink()
    assert _report((tmp_path / "real.json").read_text())["summary"]["errors"] == 1


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A null character device: a private one when root (so that a bug cannot replace the
    machine's /dev/null), else /dev/null itself, which a user cannot replace anyway."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return device


def test_a_character_device_is_written_not_replaced(tmp_path: Path, check, null_device) -> None:
    _project(tmp_path)
    result = check("--output", str(null_device))
    assert result.code == 1, result.err
    assert result.out == ""
    assert stat.S_ISCHR(null_device.lstat().st_mode)
    assert null_device.stat().st_rdev == os.makedev(1, 3)


def test_dev_null_stays_a_device(tmp_path: Path, check) -> None:
    if os.geteuid() == 0 and not stat.S_ISCHR(Path("/dev/null").stat().st_mode):
        pytest.skip("/dev/null is not a device here")
    _project(tmp_path)
    assert check("--output", "/dev/null").code == 1
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_dash_means_stdout(tmp_path: Path, check) -> None:
    _project(tmp_path)
    result = check("--output", "-")
    assert result.code == 1
    assert _report(result.out)["summary"]["errors"] == 1
    assert not (tmp_path / "-").exists()


def test_a_descriptor_link_writes_to_the_descriptor(tmp_path: Path) -> None:
    """/dev/stdout, /dev/fd/N and >(...) are links to an open descriptor: write to it, as
    the shell set it up (here a private link to /proc/self/fd/1, the same as /dev/stdout)."""
    _project(tmp_path)
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    for output in (str(stdout_link), "/dev/stdout"):
        if output == "/dev/stdout" and not stat.S_ISLNK(os.lstat("/dev/stdout").st_mode):
            continue
        command = [sys.executable, "-m", "soundlint", "check", "--output-format", "json"]
        result = subprocess.run(
            [*command, "--output", output],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        assert _report(result.stdout)["summary"]["errors"] == 1
        assert stdout_link.is_symlink()


def test_stdout_redirected_to_a_file_is_appended_to_not_replaced(tmp_path: Path) -> None:
    """``>> log`` with ``--output /dev/stdout`` keeps what the log held."""
    _project(tmp_path)
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    log.write_text("before\n")
    with open(log, "a") as handle:
        subprocess.run(
            [sys.executable, "-m", "soundlint", "check", "--output", str(stdout_link)],
            stdout=handle,
            cwd=tmp_path,
            check=False,
        )
    lines = log.read_text().splitlines()
    assert lines[0] == "before"
    assert any("MD002" in line for line in lines[1:])


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_process_substitution_gets_the_report(tmp_path: Path) -> None:
    _project(tmp_path)
    command = (
        f"{sys.executable} -m soundlint check --output-format json --output >(cat > got.json); "
        "status=$?; wait; exit $status"
    )
    result = subprocess.run(
        ["/bin/bash", "-c", command], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 1, result.stderr
    assert _report((tmp_path / "got.json").read_text())["summary"]["errors"] == 1
