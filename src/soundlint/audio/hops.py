"""10 ms hops: hop k (counted from 1) ends before sample ``round(k * sample_rate / 100)``."""

from __future__ import annotations

import numpy as np

HOPS_PER_SECOND = 100


def hop_boundary(sample_rate: int, hop: np.ndarray | int) -> np.ndarray | int:
    """First sample after hop ``hop``: round(hop * rate / 100), halves rounded up."""
    return (hop * sample_rate + HOPS_PER_SECOND // 2) // HOPS_PER_SECOND


def hops_done(sample_rate: int, frames: int) -> int:
    """How many hops are complete once ``frames`` samples have been seen."""
    return ((frames + 1) * HOPS_PER_SECOND - HOPS_PER_SECOND // 2 - 1) // sample_rate
