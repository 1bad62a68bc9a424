"""The float value of each 8-bit sample code: A-law and µ-law (ITU-T G.711), unsigned PCM.

Decoding such samples is a lookup in a 256-entry table. The G.711 expansions are to 16-bit
values scaled by 1/32768, and unsigned PCM is (code - 128) / 128: libsndfile's float samples
of the same bytes, exactly.
"""

from __future__ import annotations

from functools import cache

import numpy as np

A_LAW = "A-law"
MU_LAW = "µ-law"
UNSIGNED = "unsigned"
_SIGN = 0x80
_MU_LAW_BIAS = 0x84
_A_LAW_TOGGLE = 0x55


@cache
def table(code: str) -> np.ndarray:
    """The float32 value of each of the 256 codes of ``code`` (A_LAW, MU_LAW or UNSIGNED)."""
    codes = np.arange(256, dtype=np.int32)
    if code == UNSIGNED:
        return ((codes - 128) / 128).astype(np.float32)
    expanded = _mu_law(codes) if code == MU_LAW else _a_law(codes)
    return (expanded / 32768).astype(np.float32)


def _mu_law(codes: np.ndarray) -> np.ndarray:
    """G.711 µ-law: codes are stored inverted; sign, 3-bit exponent, 4-bit mantissa."""
    inverted = ~codes & 0xFF
    exponent = (inverted >> 4) & 0x7
    mantissa = inverted & 0xF
    magnitude = (((mantissa << 3) + _MU_LAW_BIAS) << exponent) - _MU_LAW_BIAS
    return np.where(inverted & _SIGN, -magnitude, magnitude)


def _a_law(codes: np.ndarray) -> np.ndarray:
    """G.711 A-law: even bits toggled; a set sign bit is positive; segment 0 is linear."""
    toggled = codes ^ _A_LAW_TOGGLE
    exponent = (toggled >> 4) & 0x7
    mantissa = toggled & 0xF
    linear = (mantissa << 4) + 8
    segmented = ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    magnitude = np.where(exponent == 0, linear, segmented)
    return np.where(toggled & _SIGN, magnitude, -magnitude)
