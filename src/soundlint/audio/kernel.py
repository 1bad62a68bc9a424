"""The meter's per-sample pass: one function per block, two implementations behind it.

``feed(state, samples)`` takes a block of interleaved (frames, channels) float32 or float64
samples, exactly as the decoder returns them. Non-finite samples are read as 0. It K-weights the
channels whose weight is positive (float64, state carried across blocks), sums their weighted
squares per 10 ms hop (see ``hops``) and returns the sums of the hops the block completes; it
also follows the sample peak and the 4x true peak of ``truepeak`` (``peaks(state)``). It
releases the GIL while it works (the C one; the fallback's sosfilt mostly).

The implementations: the C extension ``soundlint.audio._kernel``, compiled when the package is
installed, and ``kernel_numpy``, used when the extension is missing. They are chosen once, at
import: ``SOUNDLINT_KERNEL=numpy`` forces the fallback, ``SOUNDLINT_KERNEL=c`` requires the
extension (an ImportError without it). Their results agree: the filtered samples and the true
peak bit for bit, the hop sums to rounding (their summation order differs).
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from soundlint.audio import kernel_numpy, truepeak

ENVIRONMENT_VARIABLE = "SOUNDLINT_KERNEL"


class Peaks(NamedTuple):
    sample: float
    """Largest |sample| of any channel."""
    true: float
    """True peak (linear), at least the sample peak, including the tail into silence."""


def _available() -> dict[str, ModuleType]:
    backends: dict[str, ModuleType] = {"numpy": kernel_numpy}
    try:
        from soundlint.audio import _kernel
    except ImportError:
        return backends
    return {"c": _kernel, **backends}


BACKENDS = _available()
"""The implementations this installation has, the preferred first."""


def _choose() -> tuple[str, ModuleType]:
    wanted = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if wanted == "c" and "c" not in BACKENDS:
        raise ImportError(f"{ENVIRONMENT_VARIABLE}=c, but soundlint.audio._kernel is not built")
    name = wanted if wanted in BACKENDS else next(iter(BACKENDS))
    return name, BACKENDS[name]


BACKEND_NAME, _backend = _choose()


def new_state(
    sample_rate: int, weights: np.ndarray, sos: np.ndarray | None, *, true_peak: bool = True
) -> Any:
    """State for one stream: per-channel loudness ``weights`` (0 leaves a channel out), the
    K-weighting as a (2, 6) SOS array, or None to measure peaks only. ``true_peak=False``
    lets the backend skip the 4x oversampling (``peaks().true`` is then meaningless): the
    numpy fallback does; the C kernel does not take the flag yet and measures it anyway."""
    if _backend is kernel_numpy:
        return kernel_numpy.State(
            sample_rate,
            [float(weight) for weight in weights],
            None if sos is None else np.asarray(sos, dtype=np.float64).ravel().tolist(),
            truepeak.WINDOW_WEIGHTS.ravel().tolist(),
            truepeak.SAFE_BOUND,
            true_peak=true_peak,
        )
    return _backend.State(
        sample_rate,
        [float(weight) for weight in weights],
        None if sos is None else np.asarray(sos, dtype=np.float64).ravel().tolist(),
        truepeak.WINDOW_WEIGHTS.ravel().tolist(),
        truepeak.SAFE_BOUND,
    )


def feed(state: Any, samples: np.ndarray) -> np.ndarray:
    """Measure the next block of (frames, channels) samples (C-contiguous float32 or float64);
    return the weighted K-weighted energy (sum of squares) of each hop the block completes."""
    return np.asarray(_backend.feed(state, samples), dtype=np.float64)


def peaks(state: Any) -> Peaks:
    """Sample and true peak of everything fed so far."""
    sample, true = _backend.peaks(state)
    return Peaks(float(sample), float(true))
