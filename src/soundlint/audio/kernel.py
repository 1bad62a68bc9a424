"""The meter's per-sample pass: one function per block, two implementations behind it.

``feed(state, samples)`` takes a block of interleaved (frames, channels) float32 or float64
samples, exactly as the decoder returns them. Non-finite samples are read as 0. It K-weights the
channels whose weight is positive (float64, state carried across blocks), sums their weighted
squares per 10 ms hop (see ``hops``) and returns the sums of the hops the block completes; it
also follows the sample peak and the 4x true peak of ``truepeak`` (``peaks(state)``). It
releases the GIL while it works (the C one; the fallback's sosfilt mostly).

The same pass does the meter's content scans: per-channel DC sums, non-finite samples, the
first and last frame at or above the silence level, the histogram of sample steps
|x[n] - x[n-1]| binned by the top bits of their float32 pattern (``STEP_BIN_SHIFT``) with the
first and last frames (``scans(state)``), and clipped runs: MIN_CLIP_RUN or more consecutive
samples of one channel all >= the clip level or all <= minus it, reported by
``take_runs(state)`` as [start, end) frame ranges once closed, and the run still going at a
block's end too (it grows, and reappears with its later end). Levels are compared in the
samples' own precision.

``decode_pcm`` turns the raw bytes of integer PCM into such float32 samples.

The implementations: the C extension ``soundlint.audio._kernel``, compiled when the package is
installed, and ``kernel_numpy``, used when the extension is missing or fails to import. They
are chosen once, at import (see ``kernel_choice``): ``SOUNDLINT_KERNEL=numpy`` forces the
fallback, ``SOUNDLINT_KERNEL=c`` requires the extension (an ImportError without it). Their
results agree: the filtered samples, the true peak and the scans bit for bit, the hop and DC
sums to rounding (their summation order differs; none for samples decoded from PCM of up to
24 bits).
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from soundlint.audio import kernel_choice, kernel_numpy, truepeak
from soundlint.audio.kernel_choice import ENVIRONMENT_VARIABLE
from soundlint.audio.kernel_numpy import STEP_BIN_SHIFT, STEP_BINS

__all__ = [
    "STEP_BINS",
    "STEP_BIN_SHIFT",
    "Peaks",
    "Scans",
    "decode_pcm",
    "feed",
    "new_state",
    "peaks",
    "scans",
    "take_runs",
]


class Peaks(NamedTuple):
    sample: float
    """Largest |sample| of any channel."""
    true: float
    """True peak (linear), at least the sample peak, including the tail into silence."""


class Scans(NamedTuple):
    dc_sums: np.ndarray
    """Per channel, the sum of the samples (float64)."""
    nonfinite: int
    """Samples that were NaN or infinite (read as 0)."""
    first_sound: int | None
    """First frame with a sample at or above the silence level on any channel, or None."""
    last_sound: int | None
    """Last such frame, or None."""
    first_frame: np.ndarray | None
    """The first frame (float64), None before any."""
    last_frame: np.ndarray
    """The last frame fed (float64; zeros before any)."""
    step_counts: np.ndarray
    """(channels, STEP_BINS) counts of the steps' bins."""


CHOICE = kernel_choice.choose()
if CHOICE.extension is None and os.environ.get(ENVIRONMENT_VARIABLE) == "c":
    raise ImportError(f"{ENVIRONMENT_VARIABLE}=c, but {CHOICE.fallback_reason}")

BACKENDS: dict[str, ModuleType] = {
    **({"c": CHOICE.extension} if CHOICE.extension else {}),
    "numpy": kernel_numpy,
}
"""The implementations this installation has, the preferred first."""

BACKEND_NAME = CHOICE.name
_backend = BACKENDS[BACKEND_NAME]


def new_state(
    sample_rate: int,
    weights: np.ndarray,
    sos: np.ndarray | None,
    *,
    clip_level: float = 1.0,
    silence_level: float = 0.001,
    true_peak: bool = True,
    steps: bool = True,
) -> Any:
    """State for one stream: per-channel loudness ``weights`` (0 leaves a channel out), the
    K-weighting as a (2, 6) SOS array, or None to measure peaks only; the linear levels at
    which a sample counts as clipped and as sound. ``true_peak=False`` skips the 4x
    oversampling: ``peaks().true`` is then the sample peak; ``steps=False`` skips the step
    histogram: ``scans().step_counts`` are then zero."""
    return _backend.State(
        sample_rate,
        [float(weight) for weight in weights],
        None if sos is None else np.asarray(sos, dtype=np.float64).ravel().tolist(),
        truepeak.WINDOW_WEIGHTS.ravel().tolist(),
        truepeak.SAFE_BOUND,
        clip_level=float(clip_level),
        silence_level=float(silence_level),
        true_peak=true_peak,
        steps=steps,
    )


def feed(state: Any, samples: np.ndarray) -> np.ndarray:
    """Measure the next block of (frames, channels) samples (C-contiguous float32 or float64);
    return the weighted K-weighted energy (sum of squares) of each hop the block completes."""
    return np.asarray(_backend.feed(state, samples), dtype=np.float64)


def decode_pcm(
    raw: bytes | memoryview,
    channels: int,
    container: int,
    shift: int = 0,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The whole frames of little-endian integer PCM in ``container``-byte samples (2 to 4),
    each shifted left by ``shift`` bits within its container, as float32 (frames, channels)
    at full scale 1.0: the values libsndfile gives. ``out``: a C-contiguous float32 array of
    at least as many frames to decode into (its first frames are returned)."""
    frames = len(raw) // (channels * container)
    if out is None:
        out = np.empty((frames, channels), dtype=np.float32)
    samples = out[:frames]
    _backend.decode_pcm(memoryview(raw)[: frames * channels * container], samples, container, shift)
    return samples


def peaks(state: Any) -> Peaks:
    """Sample and true peak of everything fed so far."""
    sample, true = _backend.peaks(state)
    return Peaks(float(sample), float(true))


def take_runs(state: Any) -> tuple[list[int], list[int]]:
    """The clipped runs reported since the last call: their start and end frames."""
    starts, ends = _backend.take_runs(state)
    return starts, ends


def scans(state: Any) -> Scans:
    """What the content scans found in everything fed so far."""
    sums, nonfinite, first_sound, last_sound, first_frame, last_frame, counts = _backend.scans(
        state
    )
    return Scans(
        dc_sums=np.array(sums, dtype=np.float64),
        nonfinite=int(nonfinite),
        first_sound=first_sound,
        last_sound=last_sound,
        first_frame=None if first_frame is None else np.array(first_frame, dtype=np.float64),
        last_frame=np.array(last_frame, dtype=np.float64),
        step_counts=np.frombuffer(counts, dtype=np.int64).reshape(len(sums), STEP_BINS).copy(),
    )
