"""EBU Tech 3341 (loudness meter) and Tech 3342 (loudness range) conformance cases."""

from __future__ import annotations

import numpy as np
import pytest
from audio_signals import (
    SILENCE_DBFS,
    burst_case,
    faded_sine,
    measure,
    run_meter,
    tone,
    tone_segments,
)

# Every case runs through both implementations of the kernel (see conftest.py).
pytestmark = pytest.mark.usefixtures("kernel_backend")

TOLERANCE_LU = 0.1


@pytest.mark.parametrize("rate", [48000, 44100, 22050])
def test_case1_tone_minus_23(rate: int) -> None:
    result = measure(tone(-23.0, 20.0, rate=rate), rate=rate)
    assert result.integrated_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)
    assert result.max_momentary_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)
    assert result.max_short_term_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


def test_case2_tone_minus_33() -> None:
    result = measure(tone(-33.0, 20.0))
    assert result.integrated_lufs == pytest.approx(-33.0, abs=TOLERANCE_LU)
    assert result.max_momentary_lufs == pytest.approx(-33.0, abs=TOLERANCE_LU)
    assert result.max_short_term_lufs == pytest.approx(-33.0, abs=TOLERANCE_LU)


@pytest.mark.parametrize(
    "segments",
    [
        [(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)],
        [(-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)],
        [(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)],
    ],
    ids=["case3", "case4", "case5"],
)
def test_gated_integrated(segments: list[tuple[float, float]]) -> None:
    result = measure(tone_segments(segments))
    assert result.integrated_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


def test_case6_five_channels() -> None:
    levels = [-28.0, -28.0, -24.0, -30.0, -30.0]
    samples = np.hstack([tone(level, 20.0, channels=1) for level in levels])
    result = measure(samples)
    assert result.integrated_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


def test_six_channels_exclude_lfe() -> None:
    levels = [-28.0, -28.0, -24.0, 0.0, -30.0, -30.0]  # L R C LFE Ls Rs: a full-scale LFE
    samples = np.hstack([tone(level, 5.0, channels=1) for level in levels])
    assert measure(samples).integrated_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


def test_997_hz_full_scale_sine_in_one_channel_reads_minus_3_01() -> None:
    samples = np.zeros((48000 * 5, 2))
    samples[:, 0] = np.sin(2.0 * np.pi * 997.0 * np.arange(samples.shape[0]) / 48000)
    assert measure(samples).integrated_lufs == pytest.approx(-3.01, abs=0.01)


def test_case9_short_term_constant_after_3_s() -> None:
    samples = tone_segments([(-20.0, 1.34), (-30.0, 1.66)] * 5)
    meter = run_meter(samples)
    short_term = meter.short_term_lufs()
    assert meter.result().max_short_term_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)
    assert short_term.size > 100
    assert np.all(np.abs(short_term + 23.0) <= TOLERANCE_LU)


@pytest.mark.parametrize("index", range(20))
def test_case10_max_short_term(index: int) -> None:
    samples = tone_segments([(SILENCE_DBFS, index * 0.15), (-23.0, 3.0), (SILENCE_DBFS, 1.0)])
    result = measure(samples)
    assert result.max_short_term_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


def test_case12_momentary_constant_after_1_s() -> None:
    samples = tone_segments([(-20.0, 0.18), (-30.0, 0.22)] * 25)
    meter = run_meter(samples)
    momentary = meter.momentary_lufs()[6:]
    assert meter.result().max_momentary_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)
    assert momentary.size > 80
    assert np.all(np.abs(momentary + 23.0) <= TOLERANCE_LU)


@pytest.mark.parametrize("index", range(20))
def test_case13_max_momentary(index: int) -> None:
    samples = tone_segments([(SILENCE_DBFS, index * 0.02), (-23.0, 0.4), (SILENCE_DBFS, 1.0)])
    result = measure(samples)
    assert result.max_momentary_lufs == pytest.approx(-23.0, abs=TOLERANCE_LU)


@pytest.mark.parametrize(
    ("amplitude", "period", "phase", "expected"),
    [
        (0.50, 4, 0.0, -6.0),
        (0.50, 4, 45.0, -6.0),
        (0.50, 6, 60.0, -6.0),
        (0.50, 8, 67.5, -6.0),
        (1.41, 4, 45.0, 3.0),
    ],
    ids=["case15", "case16", "case17", "case18", "case19"],
)
def test_true_peak_sines(amplitude: float, period: int, phase: float, expected: float) -> None:
    true_peak = measure(faded_sine(amplitude, period, phase)).true_peak_dbtp
    assert true_peak is not None
    assert expected - 0.4 <= true_peak <= expected + 0.2


@pytest.mark.parametrize("offset", range(4), ids=[f"case{20 + i}" for i in range(4)])
def test_true_peak_burst(offset: int) -> None:
    true_peak = measure(burst_case(offset)).true_peak_dbtp
    assert true_peak is not None
    assert -0.4 <= true_peak <= 0.2


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([-20.0, -30.0], 10.0),
        ([-20.0, -15.0], 5.0),
        ([-40.0, -20.0], 20.0),
        ([-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ],
    ids=["case1", "case2", "case3", "case4"],
)
def test_tech3342_loudness_range(levels: list[float], expected: float) -> None:
    samples = tone_segments([(level, 20.0) for level in levels])
    assert measure(samples).loudness_range_lu == pytest.approx(expected, abs=1.0)
