"""Agreement with pyloudnorm, streaming invariance and the true-peak skip optimisation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyloudnorm
import pytest
from audio_signals import measure, run_meter, tone_segments

from soundlint.audio.truepeak import OVERSHOOT_BOUND, TruePeakMeter
from soundlint.model import Measurement

# Every case runs through both implementations of the kernel (see conftest.py).
pytestmark = pytest.mark.usefixtures("kernel_backend")

SECONDS = 6.0  # (6.0 - 0.4) / 0.1 is whole: every gating block is complete


def _noise(rate: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(rate + channels)
    return 0.1 * rng.standard_normal((round(SECONDS * rate), channels))


def _tones(rate: int, channels: int) -> np.ndarray:
    t = np.arange(round(SECONDS * rate)) / rate
    columns = [0.3 * np.sin(2 * np.pi * (20.0 + 997.0 * c) * t + c) for c in range(channels)]
    return np.stack(columns, axis=1) + 0.2 * np.sin(2 * np.pi * 15000.0 * t)[:, None]


def _silence_bounded(rate: int, channels: int) -> np.ndarray:
    samples = _noise(rate, channels)
    frames = samples.shape[0]
    samples[: frames // 4] = 0.0
    samples[-frames // 5 :] *= 1e-3
    return samples


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("channels", [1, 2, 5])
@pytest.mark.parametrize("make", [_noise, _tones, _silence_bounded])
def test_integrated_matches_pyloudnorm_deman(
    rate: int, channels: int, make: Callable[[int, int], np.ndarray]
) -> None:
    samples = make(rate, channels).astype(np.float32)
    expected = pyloudnorm.Meter(rate, filter_class="DeMan").integrated_loudness(
        samples.astype(np.float64)
    )
    assert measure(samples, rate=rate).integrated_lufs == pytest.approx(expected, abs=1e-6)


def _same_measurement(a: Measurement, b: Measurement) -> None:
    for name in ("integrated_lufs", "loudness_range_lu", "max_momentary_lufs"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-9)
    assert a.max_short_term_lufs == pytest.approx(b.max_short_term_lufs, abs=1e-9)
    assert a.loop_seam_ratio == pytest.approx(b.loop_seam_ratio, rel=1e-9)
    assert a.dc_offset == pytest.approx(b.dc_offset, abs=1e-12)
    exact = ("frames", "true_peak_dbtp", "sample_peak_dbfs", "clipped_runs", "nonfinite_samples")
    for name in (*exact, "leading_silence_s", "trailing_silence_s"):
        assert getattr(a, name) == getattr(b, name)


def _varied(rate: int, seconds: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    frames = round(seconds * rate)
    envelope = np.repeat(rng.uniform(0.0, 1.2, frames // 1000 + 1), 1000)[:frames]
    samples = envelope[:, None] * rng.standard_normal((frames, 2)) * 0.3
    samples[: rate // 10] = 0.0
    samples[-rate // 20 :] = 0.0
    samples[rate // 2 : rate // 2 + 5, 1] = 1.0
    samples[rate // 3, 0] = np.nan
    return samples


@pytest.mark.parametrize("block", [97, 441, 4410, 10000, 65536])
def test_streaming_matches_whole_file(block: int) -> None:
    samples = _varied(48000, 4.2)
    whole = measure(samples, block=samples.shape[0])
    assert whole.integrated_lufs is not None
    _same_measurement(measure(samples, block=block), whole)


@pytest.mark.parametrize("rate", [8000, 11025])
def test_one_frame_blocks_match_whole_file(rate: int) -> None:
    samples = _varied(rate, 0.55)
    whole = measure(samples, rate=rate, block=samples.shape[0])
    assert whole.max_momentary_lufs is not None
    _same_measurement(measure(samples, rate=rate, block=1), whole)


def test_odd_rate_hops_alternate_and_measure_correctly() -> None:
    samples = tone_segments([(-23.0, 10.0)], rate=22050)
    meter = run_meter(samples, rate=22050, block=1000)
    assert np.all(np.abs(meter.momentary_lufs() + 23.0) < 0.1)


def _true_peak(samples: np.ndarray, block: int, *, skip: bool) -> float:
    meter = TruePeakMeter(samples.shape[1], skip=skip)
    for start in range(0, samples.shape[0], block):
        chunk = np.ascontiguousarray(samples[start : start + block].T)
        meter.feed(chunk)
    return meter.peak()


def _peaky_signals() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    n = np.arange(12000)
    burst = rng.standard_normal((n.size, 2)) * np.where(n % 3000 < 300, 0.9, 0.05)[:, None]
    rising = np.sin(2 * np.pi * n / 4.0 + 0.7)[:, None] * np.linspace(0.1, 1.0, n.size)[:, None]
    music = rng.laplace(size=(n.size, 2)) * 0.05
    clipped = np.clip(rng.standard_normal((n.size, 3)), -1.0, 1.0)
    return [burst, rising, music, clipped]


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [1, 13, 1000, 12000])
def test_true_peak_skipping_is_identical_to_brute_force(
    index: int, dtype: type, block: int
) -> None:
    samples: np.ndarray = _peaky_signals()[index].astype(dtype)
    if block == 1:
        samples = samples[:1500]
    skipped = _true_peak(samples, block, skip=True)
    assert skipped == _true_peak(samples, block, skip=False)
    assert skipped >= np.abs(samples).max()


def test_true_peak_overshoot_bound_is_the_example_filters() -> None:
    assert round(OVERSHOOT_BOUND, 3) == 2.023
    assert 20 * np.log10(OVERSHOOT_BOUND) == pytest.approx(6.12, abs=0.01)
