"""True peak (ITU-R BS.1770 Annex 2): 4x oversampling with the standard's example 48-tap FIR.

Streaming: the last 11 input samples of each channel are carried across blocks, the signal is
taken to be preceded and followed by silence. Only windows that could beat the running maximum
are interpolated; the result is identical to interpolating every window.

``TruePeakMeter(skip=False)`` is the reference, brute-force 4x interpolation: each interpolated
sample is ``w[0] * x[0]`` plus ``w[j] * x[j]`` for j = 1..11 in that order, in the samples' own
float type, and the tail into silence after the last sample in float64. The kernel's
implementations (``kernel``) compute the same values in the same order.
"""

from __future__ import annotations

import numpy as np

# Rows: taps m = 0..11, columns: phases p = 0..3 (prototype h[4 * m + p]).
EXAMPLE_FIR = np.array(
    [
        [0.0017089843750, -0.0291748046875, -0.0189208984375, -0.0083007812500],
        [0.0109863281250, 0.0292968750000, 0.0330810546875, 0.0148925781250],
        [-0.0196533203125, -0.0517578125000, -0.0582275390625, -0.0266113281250],
        [0.0332031250000, 0.0891113281250, 0.1015625000000, 0.0476074218750],
        [-0.0594482421875, -0.1665039062500, -0.2003173828125, -0.1022949218750],
        [0.1373291015625, 0.4650878906250, 0.7797851562500, 0.9721679687500],
        [0.9721679687500, 0.7797851562500, 0.4650878906250, 0.1373291015625],
        [-0.1022949218750, -0.2003173828125, -0.1665039062500, -0.0594482421875],
        [0.0476074218750, 0.1015625000000, 0.0891113281250, 0.0332031250000],
        [-0.0266113281250, -0.0582275390625, -0.0517578125000, -0.0196533203125],
        [0.0148925781250, 0.0330810546875, 0.0292968750000, 0.0109863281250],
        [-0.0083007812500, -0.0189208984375, -0.0291748046875, 0.0017089843750],
    ]
)
TAPS = EXAMPLE_FIR.shape[0]
HISTORY = TAPS - 1
# Weight of window sample j (oldest first) for each phase: output = sum_m h[4m+p] * x[n-m].
WINDOW_WEIGHTS = EXAMPLE_FIR[::-1].copy()
# An interpolated sample is at most this many times the largest sample of its window.
OVERSHOOT_BOUND = float(np.abs(EXAMPLE_FIR).sum(axis=0).max())
# Head-room for rounding, so that skipping never changes the result.
SAFE_BOUND = OVERSHOOT_BOUND * (1.0 + 1e-5)


def _phase_peak(ext: np.ndarray, weights: np.ndarray, starts: np.ndarray | None) -> float:
    """Largest |interpolated sample| over the 12-sample windows of ``ext`` at ``starts``.

    ``starts`` None means every window. Each interpolated value is computed with the same
    element-wise operations in the same order either way, so the results are bit-identical.
    """
    count = ext.shape[0] - HISTORY if starts is None else starts.size
    if count <= 0:
        return 0.0
    if starts is None:
        taps = [ext[None, j : j + count] for j in range(TAPS)]
    else:
        gathered = ext[starts + np.arange(TAPS)[:, None]]
        taps = [gathered[None, j] for j in range(TAPS)]
    columns = weights[:, :, None]
    acc = columns[0] * taps[0]
    product = np.empty_like(acc)
    for j in range(1, TAPS):
        np.multiply(columns[j], taps[j], out=product)
        acc += product
    return float(np.abs(acc, out=acc).max())


def _candidate_windows(
    magnitude: np.ndarray, history_magnitude: np.ndarray, limit: float
) -> np.ndarray | None:
    """Start indices of windows holding a sample >= ``limit``; None when interpolating every
    window is cheaper: when more than one sample in ``TAPS`` qualifies. (Loud samples come in
    runs whose windows overlap, so below that gathering the windows wins; on heavily limited
    material, where most samples qualify, interpolating in place is five times faster.)"""
    count = magnitude.size
    marked = np.flatnonzero(magnitude >= limit) + HISTORY
    marked_history = np.flatnonzero(history_magnitude >= limit)
    if marked.size + marked_history.size == 0:
        return np.zeros(0, dtype=np.intp)
    if marked.size > count / TAPS:
        return None
    windows = np.zeros(count, dtype=bool)
    for offset in range(TAPS):
        starts = np.concatenate((marked_history, marked)) - offset
        windows[starts[(starts >= 0) & (starts < count)]] = True
    return np.flatnonzero(windows)


class TruePeakMeter:
    """Running true peak (linear) over all channels of a stream.

    Interpolation runs in the samples' own float type (float32 for float32 blocks).
    """

    def __init__(self, channels: int, *, skip: bool = True) -> None:
        self._history = np.zeros((channels, HISTORY), dtype=np.float64)
        self._skip = skip
        self._interpolated = np.zeros(channels)
        self._sample_peak = np.zeros(channels)

    @property
    def sample_peak(self) -> float:
        """Largest |sample| seen so far."""
        return float(self._sample_peak.max())

    def feed(self, samples: np.ndarray, magnitude: np.ndarray | None = None) -> None:
        """Add a (channels, frames) block; ``magnitude`` may pass ``np.abs(samples)`` if known."""
        if samples.shape[1] == 0:
            return
        if magnitude is None:
            magnitude = np.abs(samples)
        self._sample_peak = np.maximum(self._sample_peak, magnitude.max(axis=1))
        for channel in range(samples.shape[0]):
            self._feed_channel(channel, samples[channel], magnitude[channel])

    def _feed_channel(self, channel: int, samples: np.ndarray, magnitude: np.ndarray) -> None:
        """Interpolate one channel's block (the block's sample peaks already noted)."""
        ext = np.concatenate((self._history[channel].astype(samples.dtype), samples))
        weights = WINDOW_WEIGHTS.astype(samples.dtype)
        if not self._skip:
            starts = None
        else:
            threshold = max(float(self._interpolated.max()), float(self._sample_peak.max()))
            if threshold == 0.0:
                starts = np.zeros(0, dtype=np.intp)
            else:
                history_magnitude = np.abs(self._history[channel]).astype(magnitude.dtype)
                starts = _candidate_windows(magnitude, history_magnitude, threshold / SAFE_BOUND)
        found = _phase_peak(ext, weights, starts)
        self._interpolated[channel] = max(self._interpolated[channel], found)
        self._history[channel] = ext[-HISTORY:]

    def peak(self) -> float:
        """max(interpolated peak, sample peak), including the tail into trailing silence."""
        weights = WINDOW_WEIGHTS
        tail = max(
            _phase_peak(np.concatenate((history, np.zeros(HISTORY))), weights, None)
            for history in self._history
        )
        return max(float(self._interpolated.max()), self.sample_peak, tail)
