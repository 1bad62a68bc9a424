"""SR and WAV rules on segment headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_template, write_wav


def _one_segment(tmp_path: Path) -> Path:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    return tmp_path / "t" / "main.wav"


@pytest.mark.parametrize(
    ("kwargs", "codes"),
    [
        ({}, []),
        ({"subtype": "PCM_24", "rate": 44100, "channels": 1}, []),
        ({"subtype": "FLOAT"}, []),
        ({"rate": 22050}, ["SR001"]),
        ({"subtype": "PCM_U8"}, ["WAV004"]),
        ({"subtype": "DOUBLE"}, ["WAV004"]),
        ({"subtype": "PCM_32"}, ["WAV004"]),
        ({"subtype": "ULAW"}, ["WAV003"]),
        ({"subtype": "IMA_ADPCM"}, ["WAV003"]),
        ({"channels": 6}, ["WAV005"]),
        ({"seconds": 0}, ["WAV006"]),
    ],
)
def test_wav_format_rules(tmp_path: Path, check, kwargs: dict, codes: list[str]) -> None:
    write_wav(_one_segment(tmp_path), **kwargs)
    result = check("--select", "WAV,SR")
    assert result.codes() == codes
    for diagnostic in result.json["diagnostics"]:
        assert diagnostic["path"] == "t/main.wav"
        assert (diagnostic["template"], diagnostic["segment"]) == ("t", "main")


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100, "MP3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 100, "MP3"),
        (b"OggS\x00\x02" + b"\x00" * 100, "Ogg"),
        (b"FORM\x00\x00\x00\x20AIFFCOMM" + b"\x00" * 100, "AIFF"),
        (b".snd\x00\x00\x00\x18" + b"\x00" * 100, "AU"),
        (b"", "empty"),
        (b"this is not audio\n", "text"),
    ],
)
def test_wav001_names_what_the_file_is(tmp_path: Path, check, content: bytes, named: str) -> None:
    _one_segment(tmp_path).write_bytes(content)
    [diagnostic] = check().json["diagnostics"]
    assert diagnostic["code"] == "WAV001"
    assert named in diagnostic["message"]


def test_wav001_flac_written_by_soundfile(tmp_path: Path, check) -> None:
    write_wav(_one_segment(tmp_path), format="FLAC")
    result = check()
    assert result.codes() == ["WAV001"]
    assert "FLAC" in result.json["diagnostics"][0]["message"]


def test_wav002_names_the_broken_bytes(tmp_path: Path, check) -> None:
    _one_segment(tmp_path).write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunk" + b"\x00" * 8)
    diagnostics = check().json["diagnostics"]
    assert [(d["code"], d["offset"]) for d in diagnostics] == [("WAV002", 0), ("WAV002", 20)]
    assert "file is 24 bytes: 20 bytes missing" in diagnostics[0]["message"]
    assert "header at byte 20 is cut off" in diagnostics[1]["message"]


def test_options_come_from_the_profile(tmp_path: Path, check) -> None:
    write_wav(_one_segment(tmp_path), rate=44100)
    assert check("--profile", "ebu-r128", "--select", "SR").codes() == ["SR001"]
    assert check("--profile", "audiostack", "--select", "SR").codes() == []


def test_sr002_mixed_rates_in_one_template(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"a": "a.wav", "b": "b.wav", "c": "c.wav"}, audio=False)
    write_wav(tmp_path / "t" / "a.wav", rate=48000)
    write_wav(tmp_path / "t" / "b.wav", rate=44100)
    write_wav(tmp_path / "t" / "c.wav", rate=48000)
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert (diagnostic["code"], diagnostic["segment"]) == ("SR002", "b")
    assert "44100" in diagnostic["message"] and "48000" in diagnostic["message"]


def test_sr002_tie_names_no_most_common_rate(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t", {"a": "a.wav", "b": "b.wav"}, audio=False)
    write_wav(tmp_path / "t" / "a.wav", rate=48000)
    write_wav(tmp_path / "t" / "b.wav", rate=44100)
    [diagnostic] = check().json["diagnostics"]
    assert diagnostic["code"] == "SR002" and diagnostic["segment"] is None
    assert diagnostic["message"] == (
        "the template's segments are at 2 different rates, none most common: "
        "44100 Hz (b), 48000 Hz (a)"
    )
    assert diagnostic["line"] == 6  # the [segments] table
