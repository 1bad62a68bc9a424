"""``soundlint measure`` at the edges: formats, files that lie about being WAV, DC offset in
dBFS, values that cannot be measured, directories (issue 15, points 16 and 20)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import write_template, write_wav

RATE = 48000


def _tone(seconds: float, level: float = 0.5, offset: float = 0.0) -> np.ndarray:
    return level * np.sin(2 * np.pi * 997 * np.arange(round(seconds * RATE)) / RATE) + offset


def test_a_line_with_container_encoding_rate_depth_and_channels(tmp_path: Path, run) -> None:
    write_wav(tmp_path / "a.wav", seconds=1.0, channels=2, subtype="PCM_24")
    write_wav(tmp_path / "b.flac", seconds=1.0, channels=1, format="FLAC")
    soundfile.write(tmp_path / "c.wav", _tone(1.0), RATE, "FLOAT")
    result = run("measure", "a.wav", "b.flac", "c.wav")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[1] == "  WAV, PCM, 48000 Hz, 24 bit, 2 ch, 1.000 s"
    assert "  FLAC, PCM, 48000 Hz, 16 bit, 1 ch, 1.000 s" in lines
    assert "  WAV, IEEE float, 48000 Hz, 32 bit, 1 ch, 1.000 s" in lines
    [a, _, _] = run("measure", "--output-format", "json", "a.wav", "b.flac", "c.wav").json["files"]
    assert (a["container"], a["encoding"], a["bits_per_sample"]) == ("WAV", "PCM", 24)


def test_an_mp3_named_wav_is_named_as_such(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", {"main": "song.wav"}, audio=False)
    soundfile.write(tmp_path / "t" / "song.wav", _tone(1.0), RATE, format="MP3")
    soundfile.write(tmp_path / "t" / "song.mp3", _tone(1.0), RATE, format="MP3")
    result = run("measure", "--output-format", "json", "t/song.wav", "t/song.mp3")
    assert result.code == 1
    named_wav, named_mp3 = result.json["files"]
    assert named_wav["container"] == "MP3"
    assert named_wav["error"].startswith(
        "the file is an MP3 file, not a RIFF/WAVE file (byte 0); the values are of the audio"
    )
    assert named_wav["integrated_lufs"] == named_mp3["integrated_lufs"] is not None
    assert "error" not in named_mp3
    check = run("check", "--output-format", "json", "--select", "WAV001", "t")
    [finding] = check.json["diagnostics"]
    assert named_wav["error"].startswith(finding["message"])


def test_dc_offset_in_dbfs_with_the_linear_value_beside_it(tmp_path: Path, run) -> None:
    stereo = np.stack([_tone(1.0, 0.25, 0.01), _tone(1.0, 0.25) * 0], axis=1)
    soundfile.write(tmp_path / "dc.wav", stereo, RATE, "FLOAT")
    [entry] = run("measure", "--output-format", "json", "dc.wav").json["files"]
    level, silent = entry["dc_offset_dbfs"]
    assert level == pytest.approx(-40.0, abs=0.05) and silent is None
    text = run("measure", "dc.wav").out
    assert "  DC offset:        -40.0 dBFS (+0.01), -inf dBFS (+0)" in text.splitlines()


def test_no_loudness_range_from_a_single_3_s_window(tmp_path: Path, run) -> None:
    soundfile.write(tmp_path / "three.wav", _tone(3.05), RATE)
    soundfile.write(tmp_path / "four.wav", _tone(4.0) * np.linspace(0.1, 1.0, 4 * RATE), RATE)
    three, four = run("measure", "--output-format", "json", "three.wav", "four.wav").json["files"]
    assert three["loudness_range_lu"] is None
    assert three["max_short_term_lufs"] is not None
    assert three["missing"]["loudness_range_lu"] == (
        "shorter than 3.1 s: one 3 s window has no range"
    )
    assert four["loudness_range_lu"] > 0.0
    text = run("measure", "three.wav").out
    assert "  loudness range:   - (shorter than 3.1 s: one 3 s window has no range)" in text


def test_sound_only_in_the_lfe_gets_one_reason_naming_it(tmp_path: Path, run) -> None:
    surround = np.zeros((5 * RATE, 6))
    surround[:, 3] = _tone(5.0)  # L R C LFE Ls Rs
    soundfile.write(tmp_path / "lfe.wav", surround, RATE)
    [entry] = run("measure", "--output-format", "json", "lfe.wav").json["files"]
    reason = "only the LFE (channel 4) carries sound, and BS.1770 leaves the LFE out"
    loudness = ("integrated_lufs", "loudness_range_lu", "max_momentary_lufs", "max_short_term_lufs")
    assert {entry["missing"][field] for field in loudness} == {reason}
    assert entry["sample_peak_dbfs"] is not None


def test_a_directory_stands_for_its_audio_files(tmp_path: Path, run) -> None:
    write_template(tmp_path / "library" / "rain", {"main": "main.wav", "outro": "outro.wav"})
    (tmp_path / "library" / ".trash").mkdir()
    write_wav(tmp_path / "library" / ".trash" / "old.wav")
    write_wav(tmp_path / "library" / "loose.flac", format="FLAC")
    result = run("measure", "--output-format", "json", "library")
    assert result.code == 0
    assert [entry["path"] for entry in result.json["files"]] == [
        "library/loose.flac",
        "library/rain/main.wav",
        "library/rain/outro.wav",
    ]


def test_a_directory_without_audio_is_a_usage_error(tmp_path: Path, run) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no audio here\n")
    write_wav(tmp_path / "a.wav")
    result = run("measure", "a.wav", "notes")
    assert (result.code, result.out) == (2, "")
    assert result.err == "soundlint: error: no audio files under notes\n"


def test_a_0_hz_file_says_what_inspect_says(tmp_path: Path, run) -> None:
    fmt = struct.pack("<HHIIHH", 1, 2, 0, 0, 4, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 400)
    (tmp_path / "zero.wav").write_bytes(
        b"RIFF" + struct.pack("<I", len(body) + 400) + body + bytes(400)
    )
    [measured] = run("measure", "--output-format", "json", "zero.wav").json["files"]
    [inspected] = run("inspect", "--output-format", "json", "zero.wav").json["files"]
    [finding] = inspected["diagnostics"]
    assert measured["error"] == finding["message"] == "fmt chunk at byte 12 has sample rate 0"


def _wav(fmt: bytes, *chunks: bytes) -> bytes:
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _data(size: int) -> bytes:
    return b"data" + struct.pack("<I", size) + bytes(size)


@pytest.mark.parametrize(
    ("fmt", "chunks", "reason", "checked"),
    [
        (
            struct.pack("<HHIIHH", 1, 1, RATE, 2 * RATE, 2, 16),
            (_data(4), _data(9600)),
            "data chunk at byte 48 repeats the data chunk at byte 36",
            None,  # WAV002 with measure's error
        ),
        (
            struct.pack("<HHIIHH", 3, 1, RATE, 2 * RATE, 2, 16),
            (_data(9600),),
            "fmt chunk at byte 12 is IEEE float with 16 bits per sample",
            ("WAV004", "16-bit float is not allowed (allowed: 32)"),
        ),
    ],
)
def test_a_file_libsndfile_refuses_gets_the_walkers_reason(
    tmp_path: Path,
    run,
    fmt: bytes,
    chunks: tuple[bytes, ...],
    reason: str,
    checked: tuple[str, str] | None,
) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    (tmp_path / "t" / "main.wav").write_bytes(_wav(fmt, *chunks))
    [entry] = run("measure", "--output-format", "json", "t/main.wav").json["files"]
    assert entry["error"].startswith(f"libsndfile cannot open it: {reason}")
    assert "internal error" not in entry["error"].lower()
    check = run("check", "--output-format", "json", "--select", "WAV002,WAV004", "t").json
    expected = checked or ("WAV002", f"cannot decode the audio: {entry['error']}")
    assert [(d["code"], d["message"]) for d in check["diagnostics"]] == [expected]


def test_a_file_of_no_frames_is_the_wav006_check_gives(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    soundfile.write(tmp_path / "t" / "main.wav", np.zeros((0, 1)), RATE, "PCM_16")
    [found] = run("check", "--output-format", "json", "--select", "WAV006", "t").json["diagnostics"]
    result = run("measure", "t/main.wav")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[-1] == f"  error: {found['message']}"
    assert "  DC offset:        - (no audio frames)" in lines
    assert all(line.strip() and line == line.rstrip() for line in lines)
    [entry] = run("measure", "--output-format", "json", "t/main.wav").json["files"]
    assert (entry["frames"], entry["error"]) == (0, found["message"])
