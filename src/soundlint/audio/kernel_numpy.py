"""The kernel's numpy implementation (see ``kernel``), used when the extension is not built.

The K-weighting runs through scipy's ``sosfilt``, whose recursion (float64, direct form II
transposed) the extension reproduces operation for operation. Importing scipy.signal costs about
a second, which only installations without the extension pay. The content scans compare in the
samples' own precision (the levels rounded to it) and take a step within a block in that
precision, the one from the previous block in float64: the extension does the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from soundlint.audio.hops import hop_boundary, hops_done
from soundlint.audio.truepeak import TruePeakMeter

STEP_BIN_SHIFT = 19
"""Step magnitudes are binned by the top bits of their float32 pattern: 8 exponent and 4
mantissa bits, 16 log-spaced bins an octave (4.4% wide) from 0 to infinity."""
STEP_BINS = 1 << (31 - STEP_BIN_SHIFT)
MIN_CLIP_RUN = 3
"""A clipped run is at least this many samples."""


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


class _ClipScan:
    """Per channel, runs of samples all >= level or all <= -level; the run still going at a
    block's end is carried into the next block (and reported once long enough)."""

    def __init__(self, channels: int, level: float) -> None:
        self._level = level
        self._open: list[tuple[int, int] | None] = [None] * channels
        """Per channel, the sign and first frame of a run still going at the last block's end."""
        self.starts: list[int] = []
        self.ends: list[int] = []

    def feed(self, rows: np.ndarray, offset: int) -> None:
        level = rows.dtype.type(self._level)
        for channel, row in enumerate(rows):
            if self._open[channel] is None and not (np.abs(row) >= level).any():
                continue
            signs = (row >= level).astype(np.int8) - (row <= -level).astype(np.int8)
            starts, ends = self._channel_runs(channel, signs, offset)
            self.starts.extend(starts.tolist())
            self.ends.extend(ends.tolist())

    def _channel_runs(
        self, channel: int, signs: np.ndarray, offset: int
    ) -> tuple[np.ndarray, np.ndarray]:
        frames = signs.size
        carried = self._open[channel]
        # Frame -1 is the carried run's sign, frame ``frames`` a 0: every run has two cuts.
        padded = np.concatenate(([0 if carried is None else carried[0]], signs, [0]))
        cuts = np.flatnonzero(padded[1:] != padded[:-1])
        firsts, lasts = cuts[:-1], cuts[1:]
        run_signs = padded[firsts + 1]
        keep = run_signs != 0
        firsts, lasts, run_signs = firsts[keep], lasts[keep], run_signs[keep]
        starts = (firsts + offset).astype(np.int64)
        ends = (lasts + offset).astype(np.int64)
        if carried is not None:
            starts = np.concatenate(([carried[1]], starts))
            ends = np.concatenate(([offset + cuts[0]], ends))
            run_signs = np.concatenate(([carried[0]], run_signs))
        self._open[channel] = None
        if ends.size and ends[-1] == offset + frames:
            self._open[channel] = (int(run_signs[-1]), int(starts[-1]))
        long_enough = ends - starts >= MIN_CLIP_RUN
        return starts[long_enough], ends[long_enough]


class _Steps:
    """Per channel, the histogram of |x[n] - x[n-1]| and the first and last frames."""

    def __init__(self, channels: int, *, counting: bool = True) -> None:
        self.counting = counting
        """False: the first and last frames only (the counts stay zero)."""
        self.counts = np.zeros((channels, STEP_BINS), dtype=np.int64)
        self.first_frame: np.ndarray | None = None
        self.last_frame = np.zeros(channels)

    def feed(self, rows: np.ndarray) -> None:
        if self.first_frame is None:
            self.first_frame = rows[:, 0].astype(np.float64)
        elif self.counting:
            self._count(np.abs(rows[:, :1] - self.last_frame[:, None]))
        self.last_frame = rows[:, -1].astype(np.float64)
        if self.counting and rows.shape[1] > 1:
            steps = np.diff(rows, axis=1)
            self._count(np.abs(steps, out=steps))

    def _count(self, magnitudes: np.ndarray) -> None:
        """Bin a (channels, n) array of step magnitudes of our own (it is overwritten)."""
        codes = magnitudes.astype(np.float32, copy=False).view(np.int32)
        np.right_shift(codes, STEP_BIN_SHIFT, out=codes)
        for channel, row in enumerate(codes):
            self.counts[channel] += np.bincount(row, minlength=STEP_BINS)


class State:
    """One stream's filter, hop, true-peak and scan state (arguments as ``kernel.new_state``'s;
    the window weights and bound are the ones ``truepeak`` uses)."""

    def __init__(
        self,
        sample_rate: int,
        weights: Sequence[float],
        sos: Sequence[float] | None,
        window_weights: Sequence[float],
        safe_bound: float,
        *,
        clip_level: float = 1.0,
        silence_level: float = 0.001,
        true_peak: bool = True,
        steps: bool = True,
    ) -> None:
        channel_weights = np.array(weights, dtype=np.float64)
        channels = channel_weights.size
        self.weighted = np.flatnonzero(channel_weights > 0.0)
        self.sos = None if sos is None else np.array(sos, dtype=np.float64).reshape(2, 6)
        self.zi = np.zeros((2, self.weighted.size, 2))
        self.hops = _HopEnergies(sample_rate, channel_weights[self.weighted])
        self.truepeak = TruePeakMeter(channels)
        self.true_peak = true_peak
        self.sample_peak = 0.0
        self.position = 0
        self.dc_sums = np.zeros(channels)
        self.nonfinite = 0
        self.silence_level = silence_level
        self.first_sound: int | None = None
        self.last_sound: int | None = None
        self.clips = _ClipScan(channels, clip_level)
        self.steps = _Steps(channels, counting=steps)

    def scan(self, rows: np.ndarray) -> None:
        """The content scans of a (channels, frames) block of finite samples."""
        self.dc_sums += rows.sum(axis=1, dtype=np.float64)
        self.clips.feed(rows, self.position)
        sound = np.flatnonzero((np.abs(rows) >= rows.dtype.type(self.silence_level)).any(axis=0))
        if sound.size:
            if self.first_sound is None:
                self.first_sound = self.position + int(sound[0])
            self.last_sound = self.position + int(sound[-1])
        self.steps.feed(rows)
        self.position += rows.shape[1]


def feed(state: State, samples: np.ndarray) -> np.ndarray:
    """As ``kernel.feed``: the sums of the hops a (frames, channels) block completes."""
    rows = samples.T
    if rows.shape[1] == 0:
        return np.zeros(0)
    finite = np.isfinite(rows)
    if not finite.all():
        state.nonfinite += int(rows.size - np.count_nonzero(finite))
        rows = np.where(finite, rows, rows.dtype.type(0))
    rows = np.ascontiguousarray(rows)
    if state.true_peak:
        state.truepeak.feed(rows)
    else:
        state.sample_peak = max(state.sample_peak, float(np.abs(rows).max()))
    state.scan(rows)
    if state.sos is None:
        return np.zeros(0)
    from scipy.signal import sosfilt

    # float64 throughout: float32 coefficients and state move the high-pass poles enough to
    # read 0.003 LU off on a 20 Hz tone.
    weighted = rows[state.weighted].astype(np.float64)
    filtered, state.zi = sosfilt(state.sos, weighted, axis=1, zi=state.zi)
    return state.hops.feed(np.square(filtered))


def decode_pcm(raw: bytes, out: np.ndarray, container: int, shift: int) -> None:
    """As ``kernel.decode_pcm``, into ``out``: each sample read as the little-endian 32-bit
    word ending with its bytes (after 4 - container leading zero bytes), the bytes before it
    masked off."""
    data = np.frombuffer(raw, np.uint8)
    lead = 4 - container
    padded = np.zeros(data.size + lead, np.uint8)
    padded[lead:] = data
    words = np.ndarray((data.size // container,), "<i4", padded, 0, (container,))
    values = words & np.int32(-1 << (8 * lead))
    values <<= np.int32(shift)
    np.multiply(values, np.float32(2.0**-31), out=out.reshape(-1), casting="unsafe")


def peaks(state: State) -> tuple[float, float]:
    """As ``kernel.peaks``: (sample peak, true peak)."""
    if not state.true_peak:
        return state.sample_peak, state.sample_peak
    return state.truepeak.sample_peak, state.truepeak.peak()


def take_runs(state: State) -> tuple[list[int], list[int]]:
    """As ``kernel.take_runs``: the clipped runs found since the last call."""
    clips = state.clips
    runs = clips.starts, clips.ends
    clips.starts, clips.ends = [], []
    return runs


def scans(
    state: State,
) -> tuple[list[float], int, int | None, int | None, list[float] | None, list[float], bytes]:
    """As ``kernel.scans``: what the content scans found so far."""
    steps = state.steps
    first_frame = None if steps.first_frame is None else steps.first_frame.tolist()
    return (
        state.dc_sums.tolist(),
        state.nonfinite,
        state.first_sound,
        state.last_sound,
        first_frame,
        steps.last_frame.tolist(),
        steps.counts.tobytes(),
    )
