"""A file the decoder cannot take because of its format is reported by that format's rule
(WAV004, SR001), not as a corrupt file (issue 8, item 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.conftest import write_template
from tests.riff.riffbuild import chunk, extensible_body, fmt_body, riff


def _segment(tmp_path: Path, data: bytes) -> None:
    write_template(tmp_path / "t", {"main": "main.wav"}, audio=False)
    (tmp_path / "t" / "main.wav").write_bytes(data)


def _pcm(*, bits: int = 16, rate: int = 48000, tag: int = 1, seconds: float = 1.0) -> bytes:
    frames = round(seconds * rate)
    width = (bits + 7) // 8
    tone = (0.25 * np.sin(2 * np.pi * 440 * np.arange(frames) / rate) * 32767).astype("<i2")
    body = tone.tobytes() if width == 2 else bytes(width * frames)
    return riff(
        chunk(b"fmt ", fmt_body(tag=tag, channels=1, bits=bits, rate=rate)), chunk(b"data", body)
    )


def test_a_rate_too_low_to_measure_is_sr001_not_wav002(tmp_path: Path, check) -> None:
    _segment(tmp_path, _pcm(rate=3000))
    result = check("--select", "WAV,SR,LN001")
    assert result.codes() == ["SR001"]


def test_an_allowed_rate_too_low_to_measure_is_ln005_not_wav002(tmp_path: Path, check) -> None:
    _segment(tmp_path, _pcm(rate=3000))
    (tmp_path / "soundlint.toml").write_text("[rules.SR001]\nsample-rates = [3000]\n")
    [diagnostic] = check("--select", "WAV,SR,LN").json["diagnostics"]
    assert diagnostic["code"] == "LN005"
    assert "K-weighting needs a rate above 3364 Hz, not 3000 Hz" in diagnostic["message"]


def test_pcm_too_wide_to_decode_is_wav004_not_wav002(tmp_path: Path, check) -> None:
    _segment(tmp_path, _pcm(bits=72))
    [diagnostic] = check("--select", "WAV,SR,LN001").json["diagnostics"]
    assert diagnostic["code"] == "WAV004"
    assert "72-bit PCM" in diagnostic["message"]


def test_16_bit_float_is_wav004_not_wav002(tmp_path: Path, check) -> None:
    _segment(tmp_path, _pcm(bits=16, tag=3))
    assert check("--select", "WAV,SR,LN001").codes() == ["WAV004", "WAV007"]


def test_64_bit_pcm_is_wav004_and_decoded(tmp_path: Path, check) -> None:
    frames = 48000
    values = (0.25 * np.sin(2 * np.pi * 440 * np.arange(frames) / 48000) * 2.0**63).astype("<i8")
    fmt = fmt_body(channels=1, bits=64, rate=48000)
    _segment(tmp_path, riff(chunk(b"fmt ", fmt), chunk(b"data", values.tobytes())))
    assert check("--select", "WAV,SR,LN001").codes() == ["WAV004"]


def test_24_bit_in_4_byte_containers_yield_no_dc_offset_from_misread_samples(
    tmp_path: Path, check
) -> None:
    # hound's pcmwaveformat-24bit-4byte layout: right-justified, the top byte zero
    frames = 2 * 48000
    tone = 0.25 * np.sin(2 * np.pi * 440 * np.arange(frames) / 48000)
    values = np.round(tone * 2**23).astype("<i4") & 0xFFFFFF
    fmt = fmt_body(channels=1, bits=24, rate=48000, block_align=4)
    _segment(tmp_path, riff(chunk(b"fmt ", fmt), chunk(b"data", values.tobytes())))
    assert check("--select", "WAV002,AU004").codes() == []


def test_wav004_judges_the_valid_bits_of_an_extensible_container(tmp_path: Path, check) -> None:
    # 24 valid bits in 32-bit containers (WASAPI capture, some recorders): a 24-bit file
    values = (np.arange(4800, dtype=np.int64) << 8).astype("<i4")
    body = extensible_body(channels=1, rate=48000, bits=32, valid_bits=24, mask=0x4)
    _segment(tmp_path, riff(chunk(b"fmt ", body), chunk(b"data", values.tobytes())))
    assert check("--select", "WAV").codes() == []
    body20 = extensible_body(channels=1, rate=48000, bits=24, valid_bits=20, mask=0x4)
    _segment(tmp_path, riff(chunk(b"fmt ", body20), chunk(b"data", bytes(3 * 4800))))
    [diagnostic] = check("--select", "WAV").json["diagnostics"]
    assert diagnostic["message"].startswith("20-bit PCM is not allowed")
