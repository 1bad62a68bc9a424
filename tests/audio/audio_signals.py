"""Test signals of EBU Tech 3341 / 3342, synthesised with numpy, and a meter runner."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from soundlint.audio.meter import LoudnessMeter
from soundlint.model import Measurement

RATE = 48000
SILENCE_DBFS = -90.0
"""The EBU files' "silence": the same tone at -90 dBFS."""


def tone_segments(
    segments: Sequence[tuple[float, float]],
    *,
    rate: int = RATE,
    channels: int = 2,
    frequency: float = 1000.0,
) -> np.ndarray:
    """A phase-0 sine whose peak level steps through (dBFS, seconds) segments, as (frames, ch)."""
    frames = [round(seconds * rate) for _, seconds in segments]
    amplitude = np.concatenate(
        [
            np.full(count, 10.0 ** (level / 20.0))
            for (level, _), count in zip(segments, frames, strict=True)
        ]
    )
    sine = np.sin(2.0 * np.pi * frequency * np.arange(amplitude.size) / rate)
    return np.repeat((amplitude * sine)[:, None], channels, axis=1)


def tone(level: float, seconds: float, *, rate: int = RATE, channels: int = 2) -> np.ndarray:
    """A 1 kHz tone at ``level`` dBFS peak."""
    return tone_segments([(level, seconds)], rate=rate, channels=channels)


def faded_sine(
    amplitude: float, period: float, phase_degrees: float, seconds: float = 1.0
) -> np.ndarray:
    """A stereo sine of ``period`` samples, 10 ms linear fades at both ends (true-peak cases)."""
    n = np.arange(round(seconds * RATE))
    signal = amplitude * np.sin(2.0 * np.pi * n / period + np.radians(phase_degrees))
    fade = round(0.01 * RATE)
    envelope = np.ones(n.size)
    envelope[:fade] = np.linspace(0.0, 1.0, fade)
    envelope[-fade:] = np.linspace(1.0, 0.0, fade)
    return np.repeat((signal * envelope)[:, None], 2, axis=1)


def burst_case(offset: int, seconds: float = 1.0) -> np.ndarray:
    """Tech 3341 cases 20-23: fs/6 at 0.5 holding one period of fs/4 at 1.0, made at 4 fs,
    low-passed at 22 kHz and decimated by 4 starting at ``offset``.

    The band-limited result peaks at about -0.1 dBTP (a 20 kHz low-pass would lose 0.24 dB of
    the broadband burst).
    """
    from scipy.signal import firwin, lfilter

    up = 4 * RATE
    half = round(seconds * up / 2) // 24 * 24
    n = np.arange(2 * half)
    signal = 0.5 * np.sin(2.0 * np.pi * n / 24.0)
    signal[half : half + 16] = np.sin(2.0 * np.pi * np.arange(16) / 16.0)
    signal[half + 16 :] = 0.5 * np.sin(2.0 * np.pi * np.arange(signal.size - half - 16) / 24.0)
    taps = firwin(511, 22000.0, fs=up)
    filtered = lfilter(taps, 1.0, signal)
    decimated = filtered[offset::4]
    fade = round(0.01 * RATE)
    decimated[:fade] *= np.linspace(0.0, 1.0, fade)
    decimated[-fade:] *= np.linspace(1.0, 0.0, fade)
    return np.repeat(decimated[:, None], 2, axis=1)


def measure(
    samples: np.ndarray, *, rate: int = RATE, block: int = 65536, dtype: type = np.float32
) -> Measurement:
    """Run the meter over (frames, channels) samples in blocks of ``block`` frames."""
    return run_meter(samples, rate=rate, block=block, dtype=dtype).result()


def run_meter(
    samples: np.ndarray, *, rate: int = RATE, block: int = 65536, dtype: type = np.float32
) -> LoudnessMeter:
    """Feed (frames, channels) samples to a new meter in blocks; return the meter."""
    meter = LoudnessMeter(rate, samples.shape[1])
    data: np.ndarray = samples.astype(dtype)
    for start in range(0, data.shape[0], block):
        meter.feed(data[start : start + block])
    return meter
