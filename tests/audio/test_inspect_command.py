"""``soundlint inspect`` says what ``check`` says of a file with no audio, and gives ADPCM
files the frames decoding gives (issue 15, points 23 and 24)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import write_template


def test_no_audio_frames_is_the_same_wav006_as_check_gives(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    soundfile.write(tmp_path / "t" / "main.wav", np.zeros((0, 2)), 48000)
    checked = run("check", "--output-format", "json", "--select", "WAV006", "t")
    [found] = checked.json["diagnostics"]
    inspected = run("inspect", "--output-format", "json", "t/main.wav")
    assert inspected.code == 1
    [entry] = inspected.json["files"]
    [finding] = entry["diagnostics"]
    assert (finding["code"], finding["message"], finding["severity"]) == (
        found["code"],
        found["message"],
        "error",
    )
    assert (finding["offset"], finding["chunk"]) == (36, "data")
    assert "  WAV006 the file holds no audio frames" in run("inspect", "t/main.wav").out


def test_a_cut_file_is_not_also_said_to_hold_no_audio(tmp_path: Path, run) -> None:
    path = tmp_path / "cut.wav"
    soundfile.write(path, np.zeros((100, 2)), 48000)
    path.write_bytes(path.read_bytes()[:44])
    [entry] = run("inspect", "--output-format", "json", "cut.wav").json["files"]
    assert [d["code"] for d in entry["diagnostics"]] == ["WAV002"]


@pytest.mark.parametrize("subtype", ["IMA_ADPCM", "MS_ADPCM"])
def test_adpcm_frames_agree_with_decoding(tmp_path: Path, run, subtype: str) -> None:
    path = tmp_path / "adpcm.wav"
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48000)
    soundfile.write(path, np.stack([tone, tone], axis=1), 48000, subtype)
    decoded = len(soundfile.read(io.BytesIO(path.read_bytes()))[0])
    [entry] = run("inspect", "--output-format", "json", "adpcm.wav").json["files"]
    assert entry["frames"] == decoded
    assert entry["duration_s"] == decoded / 48000
    [measured] = run("measure", "--output-format", "json", "adpcm.wav").json["files"]
    assert measured["frames"] == decoded


def _wav(fmt: bytes, data: bytes) -> bytes:
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


_UNKNOWN_GUID = bytes.fromhex("0123456789abcdef0123456789abcdef")
_EXTENSIBLE_UNKNOWN = struct.pack("<HHIIHH", 0xFFFE, 2, 48000, 192000, 4, 16) + struct.pack(
    "<HHI", 22, 16, 3
)
_IMA_NO_SAMPLES_PER_BLOCK = struct.pack("<HHIIHHHH", 0x11, 1, 48000, 24000, 1024, 4, 2, 0)


def test_a_file_libsndfile_cannot_decode_is_the_wav002_check_gives(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    (tmp_path / "t" / "main.wav").write_bytes(_wav(_IMA_NO_SAMPLES_PER_BLOCK, bytes(2048)))
    checked = run("check", "--output-format", "json", "--select", "WAV002", "t")
    [found] = checked.json["diagnostics"]
    assert "Invalid number of samples per block" in found["message"]
    inspected = run("inspect", "--output-format", "json", "t/main.wav")
    assert inspected.code == 1
    [entry] = inspected.json["files"]
    assert [(d["code"], d["message"]) for d in entry["diagnostics"]] == [
        ("WAV002", found["message"])
    ]
    assert f"  WAV002 {found['message']}" in run("inspect", "t/main.wav").out


def test_an_unknown_extensible_sub_format_cannot_be_decoded(tmp_path: Path, run) -> None:
    (tmp_path / "g.wav").write_bytes(_wav(_EXTENSIBLE_UNKNOWN + _UNKNOWN_GUID, bytes(4800)))
    inspected = run("inspect", "--output-format", "json", "g.wav")
    assert inspected.code == 1
    [entry] = inspected.json["files"]
    assert [(d["code"], d["message"]) for d in entry["diagnostics"]] == [
        (
            "WAV002",
            "cannot decode the audio: libsndfile cannot open it: File contains data in an "
            "unimplemented format.",
        )
    ]


def test_a_directory_stands_for_the_wav_files_under_it(tmp_path: Path, run) -> None:
    for name in ("lib/a.wav", "lib/sub/b.WAV", "lib/.trash/c.wav", "lib/d.flac"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(
            tmp_path / name, np.zeros((100, 1)), 48000, format=name.rsplit(".", 1)[1].upper()
        )
    result = run("inspect", "--output-format", "json", "lib")
    assert result.code == 0
    assert [entry["path"] for entry in result.json["files"]] == ["lib/a.wav", "lib/sub/b.WAV"]


def _chunk(cid: bytes, data: bytes) -> bytes:
    return cid + struct.pack("<I", len(data)) + data + bytes(len(data) % 2)


def test_mp3_in_wav_frames_are_those_decoding_gives_not_the_fact_count(tmp_path: Path, run) -> None:
    stream = io.BytesIO()
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)
    soundfile.write(stream, tone, 44100, format="MP3")
    fmt = struct.pack("<HHIIHHHHIHHH", 0x55, 1, 44100, 16000, 1, 0, 12, 1, 2, 417, 1, 1393)
    fact = struct.pack("<I", 40000)  # not what the stream decodes to
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"fact", fact)
    body += _chunk(b"data", stream.getvalue())
    (tmp_path / "mp3.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    decoded = len(soundfile.read(tmp_path / "mp3.wav")[0])
    [entry] = run("inspect", "--output-format", "json", "mp3.wav").json["files"]
    [measured] = run("measure", "--output-format", "json", "mp3.wav").json["files"]
    assert entry["frames"] == measured["frames"] == decoded != 40000
    assert entry["duration_s"] == decoded / 44100
