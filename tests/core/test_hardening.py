"""Malformed input through the whole tool: always diagnostics and exit 1, never a traceback."""

from __future__ import annotations

import os
import random
import struct
from pathlib import Path

import pytest

from tests.conftest import write_template, write_wav


def _valid_wav(tmp_path: Path) -> bytes:
    return write_wav(tmp_path / "valid.wav", seconds=0.2, channels=2, subtype="PCM_24").read_bytes()


def _corpus(tmp_path: Path) -> dict[str, bytes]:
    valid = _valid_wav(tmp_path)
    rng = random.Random(1234)
    corpus = {"empty": b"", "zero-channels": _fmt_with(valid, channels=0)}
    corpus["zero-rate"] = _fmt_with(valid, rate=0)
    corpus["declared-4GiB-data"] = valid[:40] + struct.pack("<I", 0xFFFFFFFF) + valid[44:200]
    corpus["declared-4GiB-riff"] = valid[:4] + struct.pack("<I", 0xFFFFFFFF) + valid[8:200]
    for cut in (4, 8, 12, 20, 36, 40, 44, 45, 1001):
        corpus[f"truncated-at-{cut}"] = valid[:cut]
    for index in range(12):
        flipped = bytearray(valid[:2000])
        position = rng.randrange(0, 44)
        flipped[position] ^= 1 << rng.randrange(8)
        corpus[f"flip-{index}-byte-{position}"] = bytes(flipped)
    return corpus


def _fmt_with(valid: bytes, *, channels: int | None = None, rate: int | None = None) -> bytes:
    data = bytearray(valid)
    if channels is not None:
        data[22:24] = struct.pack("<H", channels)
    if rate is not None:
        data[24:28] = struct.pack("<I", rate)
    return bytes(data)


def test_malformed_wav_corpus_gives_diagnostics_and_exit_1(tmp_path: Path, check) -> None:
    corpus = _corpus(tmp_path)
    write_template(tmp_path / "t", {name: f"{name}.wav" for name in corpus}, audio=False)
    for name, content in corpus.items():
        (tmp_path / "t" / f"{name}.wav").write_bytes(content)
    (tmp_path / "valid.wav").unlink()
    result = check("--select", "WAV", "-j", "2", "--no-cache")
    assert result.code == 1, result.err
    assert result.err == ""
    reported = {d["segment"] for d in result.json["diagnostics"]}
    unreported = [name for name in corpus if name not in reported and not name.startswith("flip-")]
    assert unreported == []


def test_special_files_as_segments(tmp_path: Path, check) -> None:
    directory = tmp_path / "t"
    write_template(
        directory,
        {"dir": "x.wav", "fifo": "pipe.wav", "loop": "loop.wav", "main": "main.wav"},
        audio=False,
    )
    (directory / "x.wav").mkdir()
    os.mkfifo(directory / "pipe.wav")
    os.symlink("loop.wav", directory / "loop.wav")
    write_wav(directory / "main.wav")
    result = check("--no-cache")
    assert result.code == 1 and result.err == ""
    by_segment = {d["segment"]: d["code"] for d in result.json["diagnostics"]}
    assert by_segment == {"dir": "MD004", "fifo": "MD004", "loop": "MD004"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_segment(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "t" / "main.wav").chmod(0)
    result = check("--no-cache")
    assert result.code == 1 and "main" in {d["segment"] for d in result.json["diagnostics"]}


def test_non_utf8_file_names(tmp_path: Path, run) -> None:
    directory = write_template(tmp_path / "t")
    raw = os.fsencode(directory) + b"/stray-\xff.wav"
    with open(raw, "wb") as handle:
        handle.write(b"RIFF")
    result = run("check", "--no-cache")
    assert result.code == 0 and result.err == ""  # MD005 is a warning
    assert "stray-\\xff.wav" in result.out
    json_result = run("check", "--output-format", "json", "--no-cache")
    assert "stray-\\\\xff.wav" in json_result.out


def test_garbage_manifests_and_scripts(tmp_path: Path, check) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "template.toml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "template.toml").mkdir()
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "laughs.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><as:section>&b;</as:section>'
    )
    (scripts / "binary.xml").write_bytes(b"\x00\xff\xfe" * 100)
    (scripts / "bad.json").write_text('{"scriptText": 3')
    result = check()
    assert result.code == 1 and result.err == ""
    found = {(d["path"], d["code"]) for d in result.json["diagnostics"]}
    assert ("bin/template.toml", "MD001") in found
    assert ("dir/template.toml", "MD001") in found
    assert {("scripts/laughs.xml", "SC001"), ("scripts/binary.xml", "SC001")} <= found
    assert ("scripts/bad.json", "SC001") in found
