"""The kernel's numpy implementation (see ``kernel``), used when the extension is not built.

The K-weighting runs through scipy's ``sosfilt``, whose recursion (float64, direct form II
transposed) the extension reproduces operation for operation. Importing scipy.signal costs about
a second, which only installations without the extension pay.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from soundlint.audio.hops import hop_boundary, hops_done
from soundlint.audio.truepeak import TruePeakMeter


class _HopEnergies:
    """Cuts a stream of per-channel squared samples into weighted 10 ms hop sums."""

    def __init__(self, sample_rate: int, weights: np.ndarray) -> None:
        self._rate = sample_rate
        self._weights = weights
        self._position = 0
        self._hops = 0
        self._carry = 0.0

    def feed(self, squares: np.ndarray) -> np.ndarray:
        """Add (channels, frames) squares; return the sums of the hops they complete."""
        frames = squares.shape[1]
        end = self._position + frames
        last_hop = hops_done(self._rate, end)
        hops = np.arange(self._hops + 1, last_hop + 1)
        cuts = np.asarray(hop_boundary(self._rate, hops)) - self._position
        starts = np.concatenate(([0], cuts[cuts < frames]))
        sums = self._weights @ np.add.reduceat(squares, starts, axis=1)
        self._position = end
        self._hops = last_hop if hops.size else self._hops
        if hops.size == 0:
            self._carry += float(sums[0])
            return np.zeros(0)
        complete = sums[: hops.size].copy()
        complete[0] += self._carry
        self._carry = float(sums[hops.size]) if sums.size > hops.size else 0.0
        return complete


class State:
    """One stream's filter, hop and true-peak state (arguments as ``kernel.new_state``'s; the
    window weights and bound are the ones ``truepeak`` uses)."""

    def __init__(
        self,
        sample_rate: int,
        weights: Sequence[float],
        sos: Sequence[float] | None,
        window_weights: Sequence[float],
        safe_bound: float,
        *,
        true_peak: bool = True,
    ) -> None:
        channel_weights = np.array(weights, dtype=np.float64)
        self.weighted = np.flatnonzero(channel_weights > 0.0)
        self.sos = None if sos is None else np.array(sos, dtype=np.float64).reshape(2, 6)
        self.zi = np.zeros((2, self.weighted.size, 2))
        self.hops = _HopEnergies(sample_rate, channel_weights[self.weighted])
        self.truepeak = TruePeakMeter(channel_weights.size)
        self.true_peak = true_peak
        self.sample_peak = 0.0


def feed(state: State, samples: np.ndarray) -> np.ndarray:
    """As ``kernel.feed``: the sums of the hops a (frames, channels) block completes."""
    rows = samples.T
    finite = np.isfinite(rows)
    if not finite.all():
        rows = np.where(finite, rows, rows.dtype.type(0))
    rows = np.ascontiguousarray(rows)
    if state.true_peak:
        state.truepeak.feed(rows)
    elif rows.size:
        state.sample_peak = max(state.sample_peak, float(np.abs(rows).max()))
    if state.sos is None or rows.shape[1] == 0:
        return np.zeros(0)
    from scipy.signal import sosfilt

    # float64 throughout: float32 coefficients and state move the high-pass poles enough to
    # read 0.003 LU off on a 20 Hz tone.
    weighted = rows[state.weighted].astype(np.float64)
    filtered, state.zi = sosfilt(state.sos, weighted, axis=1, zi=state.zi)
    return state.hops.feed(np.square(filtered))


def peaks(state: State) -> tuple[float, float]:
    """As ``kernel.peaks``: (sample peak, true peak)."""
    if not state.true_peak:
        return state.sample_peak, state.sample_peak
    return state.truepeak.sample_peak, state.truepeak.peak()
