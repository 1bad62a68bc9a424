"""Channel weights from WAVE_FORMAT_EXTENSIBLE channel masks and default layouts."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from audio_signals import tone

from soundlint.audio.analyse import measure_file, measure_file_pyloudnorm
from soundlint.audio.layout import channel_weights
from soundlint.audio.meter import LoudnessMeter

RATE = 48000
KS_FLOAT = struct.pack("<I", 3) + bytes.fromhex("00001000800000aa00389b71")


def write_extensible(path: Path, samples: np.ndarray, mask: int) -> Path:
    """A 32-bit float WAVE_FORMAT_EXTENSIBLE file with channel mask ``mask``."""
    channels = samples.shape[1]
    align = 4 * channels
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, RATE, RATE * align, align, 32, 22, 32, mask)
    data = samples.astype("<f4").tobytes()
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt + KS_FLOAT)) + fmt + KS_FLOAT
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def _layout(loud: int, channels: int, seconds: float = 3.0) -> np.ndarray:
    """A -20 dBFS tone in channel ``loud``, a quieter one in every other channel."""
    samples = np.repeat(tone(-40.0, seconds, channels=1), channels, axis=1)
    samples[:, loud] = tone(-20.0, seconds, channels=1)[:, 0]
    return samples


def _integrated(samples: np.ndarray, weights: list[float]) -> float:
    """BS.1770 integrated loudness with explicit weights, via pyloudnorm's mono meter."""
    meter = pyloudnorm.Meter(RATE, filter_class="DeMan")
    energies = [
        10 ** ((meter.integrated_loudness(samples[:, [c]].astype(np.float64)) + 0.691) / 10)
        for c in range(samples.shape[1])
    ]
    return -0.691 + 10 * np.log10(sum(w * e for w, e in zip(weights, energies, strict=True)))


@pytest.mark.parametrize(
    ("channels", "mask", "expected"),
    [
        (6, 0x3F, [1, 1, 1, 0, 1.41, 1.41]),  # 5.1 (back)
        (6, 0x60F, [1, 1, 1, 0, 1.41, 1.41]),  # 5.1 (side)
        (8, 0x63F, [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41]),  # 7.1
        (6, 0x707, [1, 1, 1, 1, 1.41, 1.41]),  # 6.0: L R C Cs Ls Rs, no LFE
        (3, 0x0B, [1, 1, 0]),  # 2.1: the LFE third
        (4, 0x0C, [1, 0, 1, 1]),  # C, LFE, then two channels the mask does not place
        (6, 0, [1, 1, 1, 0, 1.41, 1.41]),  # mask 0: not assigned, the default layout
        (8, None, [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41]),  # 7.1 by default
        (4, None, [1, 1, 1.41, 1.41]),  # quad
        (5, None, [1, 1, 1, 1.41, 1.41]),
        (10, None, [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41, 1, 1]),  # a 7.1 bed and heights
    ],
)
def test_channel_weights(channels: int, mask: int | None, expected: list[float]) -> None:
    assert channel_weights(channels, mask).tolist() == expected


def test_seven_one_file_leaves_its_lfe_out(tmp_path: Path) -> None:
    samples = _layout(loud=3, channels=8)
    result = measure_file(write_extensible(tmp_path / "71.wav", samples, 0x63F))
    weights = [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41]
    assert result.integrated_lufs == pytest.approx(_integrated(samples, weights), abs=1e-4)


def test_six_channels_without_lfe_keep_all_six(tmp_path: Path) -> None:
    samples = _layout(loud=3, channels=6)
    result = measure_file(write_extensible(tmp_path / "60.wav", samples, 0x707))
    weights = [1, 1, 1, 1, 1.41, 1.41]
    assert result.integrated_lufs == pytest.approx(_integrated(samples, weights), abs=1e-4)


def test_lfe_left_out_wherever_the_mask_puts_it(tmp_path: Path) -> None:
    samples = _layout(loud=2, channels=3)
    result = measure_file(write_extensible(tmp_path / "21.wav", samples, 0x0B))
    assert result.integrated_lufs == pytest.approx(_integrated(samples, [1, 1, 0]), abs=1e-4)


def test_eight_channels_without_a_mask_are_seven_one() -> None:
    samples = _layout(loud=3, channels=8)
    meter = LoudnessMeter(RATE, 8)
    meter.feed(samples.astype(np.float32))
    weights = [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41]
    assert meter.result().integrated_lufs == pytest.approx(_integrated(samples, weights), abs=1e-4)


def test_pyloudnorm_engine_leaves_lfe_out_by_the_mask(tmp_path: Path) -> None:
    samples = _layout(loud=2, channels=3)
    path = write_extensible(tmp_path / "21.wav", samples, 0x0B)
    expected = pyloudnorm.Meter(RATE).integrated_loudness(samples[:, :2].astype(np.float64))
    assert measure_file_pyloudnorm(path).integrated_lufs == pytest.approx(expected, abs=1e-6)


def test_pyloudnorm_engine_places_quad_surrounds_at_1_41(tmp_path: Path) -> None:
    samples = _layout(loud=3, channels=4)
    path = tmp_path / "quad.wav"
    soundfile.write(path, samples, RATE, subtype="FLOAT")
    five = np.zeros((samples.shape[0], 5))
    five[:, [0, 1, 3, 4]] = samples  # L R (no C) Ls Rs
    expected = pyloudnorm.Meter(RATE).integrated_loudness(five)
    assert measure_file_pyloudnorm(path).integrated_lufs == pytest.approx(expected, abs=1e-6)


def test_a_file_of_only_lfe_has_no_loudness_and_says_why(tmp_path: Path) -> None:
    path = write_extensible(tmp_path / "lfe.wav", tone(-20.0, 1.0, channels=1), 0x8)
    for result in (measure_file(path), measure_file_pyloudnorm(path)):
        assert result.integrated_lufs is None
        assert dict(result.missing)["integrated_lufs"].startswith("only LFE channels")
        assert result.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)
