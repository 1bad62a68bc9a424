"""``soundlint inspect``: chunks, fmt, bext and INFO, and the WAV diagnostics."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from tests.conftest import write_wav


def _with_info(valid: bytes) -> bytes:
    """Append a LIST/INFO chunk with a title and fix the RIFF size."""
    title = b"Sunrise\x00"
    info = b"INFO" + b"INAM" + struct.pack("<I", len(title)) + title
    body = valid[12:] + b"LIST" + struct.pack("<I", len(info)) + info
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def test_inspect_valid_file_text(tmp_path: Path, run) -> None:
    write_wav(tmp_path / "a.wav", seconds=0.5, channels=1, rate=48000)
    result = run("inspect", "a.wav")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "a.wav: WAV, 48044 bytes"
    assert (
        "  fmt: PCM (tag 0x0001), 1 ch, 48000 Hz, 16 bit, byte rate 96000, block align 2" in lines
    )
    assert "  data: 24000 frames (0.500 s) at byte 44" in lines


def test_inspect_json_with_info_and_findings(tmp_path: Path, run) -> None:
    valid = write_wav(tmp_path / "a.wav", seconds=0.1, channels=1).read_bytes()
    (tmp_path / "tagged.wav").write_bytes(_with_info(valid))
    (tmp_path / "cut.wav").write_bytes(valid[:1000])
    result = run("inspect", "--output-format", "json", "tagged.wav", "cut.wav")
    assert result.code == 1
    tagged, cut = json.loads(result.out)["files"]
    assert [c["id"] for c in tagged["chunks"]] == ["fmt ", "data", "LIST"]
    assert tagged["info"] == {"INAM": "Sunrise"}
    assert tagged["diagnostics"] == []
    [finding] = cut["diagnostics"]
    assert (finding["code"], finding["severity"], finding["offset"]) == ("WAV002", "error", 36)
    assert finding["message"].endswith("8644 bytes (90.0 ms) missing")


def test_inspect_warnings_do_not_fail(tmp_path: Path, run) -> None:
    valid = write_wav(tmp_path / "a.wav", seconds=0.1, channels=1).read_bytes()
    (tmp_path / "trailing.wav").write_bytes(valid + b"\x00" * 3)
    result = run("inspect", "--output-format", "json", "trailing.wav")
    [entry] = json.loads(result.out)["files"]
    assert {d["code"] for d in entry["diagnostics"]} == {"WAV007"}
    assert result.code == 0


def test_inspect_non_wav_missing_and_directory(tmp_path: Path, run) -> None:
    (tmp_path / "song.wav").write_bytes(b"fLaC\x00\x00\x00\x22" + b"\x00" * 50)
    (tmp_path / "folder.wav").mkdir()
    result = run("inspect", "song.wav")
    assert result.code == 1 and result.err == ""
    assert "WAV001" in result.out and "FLAC" in result.out
    for path, error in [
        ("folder.wav", "no WAV files under folder.wav"),
        ("missing.wav", "path not found: missing.wav"),
    ]:
        result = run("inspect", "song.wav", path)
        assert (result.code, result.out, result.err) == (2, "", f"soundlint: error: {error}\n")
