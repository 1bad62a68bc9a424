"""K-weighting (BS.1770) as second-order sections, for any sample rate."""

from __future__ import annotations

import math

import numpy as np

SHELF_F0 = 1681.974450955533
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
SHELF_VB_EXPONENT = 0.4996667741545416
HIGHPASS_F0 = 38.13547087602444
HIGHPASS_Q = 0.5003270373238773


def _shelf(sample_rate: int) -> list[float]:
    k = math.tan(math.pi * SHELF_F0 / sample_rate)
    vh = 10.0 ** (SHELF_GAIN_DB / 20.0)
    vb = vh**SHELF_VB_EXPONENT
    a0 = 1.0 + k / SHELF_Q + k * k
    b = [vh + vb * k / SHELF_Q + k * k, 2.0 * (k * k - vh), vh - vb * k / SHELF_Q + k * k]
    a = [a0, 2.0 * (k * k - 1.0), 1.0 - k / SHELF_Q + k * k]
    return [c / a0 for c in b + a]


def _highpass(sample_rate: int) -> list[float]:
    k = math.tan(math.pi * HIGHPASS_F0 / sample_rate)
    a0 = 1.0 + k / HIGHPASS_Q + k * k
    return [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / HIGHPASS_Q + k * k) / a0]


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """Return the K-weighting filter as a (2, 6) float64 SOS array: shelf, then high-pass.

    Uses the bilinear re-parametrisation that reproduces the standard's 48 kHz table.
    Raises ValueError when the shelf frequency is not below the Nyquist frequency.
    """
    if sample_rate <= 2 * SHELF_F0:
        raise ValueError(f"sample rate {sample_rate} Hz is too low for K-weighting")
    return np.array([_shelf(sample_rate), _highpass(sample_rate)], dtype=np.float64)
