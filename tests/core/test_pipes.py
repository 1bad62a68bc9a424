"""Output streams as they come: a reader that goes away (``soundlint ... | head -1``) ends the
run quietly, with the status a shell gives a command killed by SIGPIPE (128 + 13), never an
internal error; a stream that cannot encode a character gets it escaped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from soundlint.paths import JSON_ESCAPE
from tests.conftest import write_template

SIGPIPE_STATUS = 128 + signal.SIGPIPE


def _run_into_closed_pipe(
    args: list[str], cwd: Path, *, buffered: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run soundlint with its stdout a pipe whose reader has already gone; ``buffered``: with
    Python's usual block-buffered stdout (else unbuffered, so every write meets the pipe)."""
    reader, writer = os.pipe()
    os.close(reader)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if not buffered:
        environment["PYTHONUNBUFFERED"] = "1"
    try:
        return subprocess.run(
            [sys.executable, "-m", "soundlint", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=environment,
            check=False,
            timeout=120,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["-V"],
        ["-p", "no:names", "--version"],
        ["plugins"],
        ["rules"],
        ["rules", "--output-format", "json"],
        ["rule", "SC002"],
        ["check"],
        ["check", "--output-format", "json"],
    ],
)
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str], buffered: bool) -> None:
    for index in range(60):  # output well beyond a pipe's and a buffer's size
        write_template(tmp_path / f"t{index}", description="", audio=False)
    result = _run_into_closed_pipe(args, tmp_path, buffered=buffered)
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


ASCII_STDOUT = [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
]


@pytest.mark.parametrize("environment", ASCII_STDOUT, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_an_ascii_stdout_gets_other_characters_escaped(
    tmp_path: Path, environment: dict[str, str], output_format: str
) -> None:
    """Escaped as JSON escapes them, so that JSON stays valid and means the same."""
    write_template(tmp_path / "bruit-fünf", description="", audio=False)
    result = subprocess.run(
        [sys.executable, "-m", "soundlint", "check", "--output-format", output_format],
        capture_output=True,
        cwd=tmp_path,
        env=os.environ | environment,
        check=False,
        timeout=120,
    )
    assert result.stderr == b""
    assert result.returncode == 1
    assert result.stdout.isascii()
    if output_format == "text":
        assert result.stdout.startswith(b"bruit-f\\u00fcnf/template.toml:")
    else:
        document = json.dumps(json.loads(result.stdout), ensure_ascii=False)
        assert '"bruit-fünf' in document


def test_characters_beyond_the_bmp_are_escaped_as_json_surrogate_pairs() -> None:
    encoded = '"é😀"'.encode("latin-1", JSON_ESCAPE)
    assert encoded == b'"\xe9\\ud83d\\ude00"'
    assert json.loads(encoded.decode("latin-1")) == "é😀"
