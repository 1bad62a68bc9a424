"""A streaming loudness and signal meter: BS.1770-4 loudness, EBU R 128 measures, peaks and more.

Blocks of any size go in through ``LoudnessMeter.feed``; memory stays bounded by the block size
(plus 10 Hz lists of gating-block and short-term energies). Time is cut into hops of 10 ms whose
boundaries sit at sample ``round(k * sample_rate / 100)``: exact at rates that are a multiple of
100 Hz, alternating between neighbouring sample counts otherwise (e.g. 220/221 at 22.05 kHz). A
window's energy is always divided by its own sample count. Momentary (40 hops) and short-term
(300 hops) loudness are evaluated at every hop; gating blocks are the momentary windows ending
on every 10th hop (400 ms every 100 ms), short-term values for the loudness range likewise.
The per-sample work (K-weighting, hop sums, peaks, true peak, and the scans for DC, non-finite
samples, silence, clipping and steps) is the ``kernel``'s, in one pass over each block.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Set
from dataclasses import replace

import numpy as np

from soundlint.audio import kernel
from soundlint.audio.hops import HOPS_PER_SECOND, hop_boundary
from soundlint.audio.kweighting import SHELF_F0, k_weighting_sos
from soundlint.audio.layout import channel_weights
from soundlint.audio.reasons import missing_reasons, only
from soundlint.model import MEASURES, Measurement

MOMENTARY_HOPS = 40
SHORT_TERM_HOPS = 300
HOPS_PER_GATING_STEP = 10
LOUDNESS_OFFSET = -0.691
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
LRA_LOW_PERCENTILE = 0.10
LRA_HIGH_PERCENTILE = 0.95
SILENCE_DBFS = -60.0
CLIP_JOIN_S = 0.010
"""Clipped runs less than this apart, on any channel, are one event."""
SEAM_STEP_PERCENTILE = 0.9999
"""The loop seam is measured against the step that only one in 10 000 exceeds."""


def _step_bin_middles() -> np.ndarray:
    """The middle of each bin: its bit pattern with the next mantissa bit set. Zero for the
    bin of zero (and subnormal) steps; the largest float32 for infinite ones."""
    shift = kernel.STEP_BIN_SHIFT
    finite = int(np.float32(np.inf).view(np.int32)) >> shift
    patterns = np.arange(finite, dtype=np.int32) << shift | 1 << (shift - 1)
    middles = np.full(kernel.STEP_BINS, float(np.finfo(np.float32).max))
    middles[:finite] = patterns.view(np.float32)
    middles[0] = 0.0
    return middles


_STEP_MIDDLES = _step_bin_middles()


def loudness_problem(sample_rate: int, weighted_channels: int) -> str | None:
    """Why no loudness can be measured from this stream at all, or None."""
    if weighted_channels == 0:
        return "only LFE channels, which BS.1770 leaves out"
    if sample_rate <= 2 * SHELF_F0:
        return f"K-weighting needs a rate above {2 * SHELF_F0:.0f} Hz, not {sample_rate} Hz"
    return None


def energy_to_lufs(energy: float) -> float | None:
    """Loudness of a weighted mean-square energy; None for zero energy."""
    return LOUDNESS_OFFSET + 10.0 * math.log10(energy) if energy > 0.0 else None


def _to_lufs(energies: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET + 10.0 * np.log10(energies)


def gated_loudness(block_energies: np.ndarray) -> float | None:
    """BS.1770-4 integrated loudness from the gating blocks' energies (both gates strict)."""
    if block_energies.size == 0:
        return None
    levels = _to_lufs(block_energies)
    kept = block_energies[levels > ABSOLUTE_GATE_LUFS]
    if kept.size == 0:
        return None
    relative_gate = LOUDNESS_OFFSET + 10.0 * math.log10(float(kept.mean())) + RELATIVE_GATE_LU
    kept = block_energies[(levels > ABSOLUTE_GATE_LUFS) & (levels > relative_gate)]
    return energy_to_lufs(float(kept.mean())) if kept.size else None


def loudness_range(short_term_energies: np.ndarray) -> float | None:
    """EBU Tech 3342 loudness range from short-term energies (nearest-rank percentiles);
    None unless at least two windows pass the gates (one window has no range to measure)."""
    if short_term_energies.size == 0:
        return None
    levels = _to_lufs(short_term_energies)
    kept_energy = short_term_energies[levels >= ABSOLUTE_GATE_LUFS]
    if kept_energy.size == 0:
        return None
    gate = LOUDNESS_OFFSET + 10.0 * math.log10(float(kept_energy.mean())) + LRA_RELATIVE_GATE_LU
    kept = np.sort(levels[(levels >= ABSOLUTE_GATE_LUFS) & (levels >= gate)])
    if kept.size < 2:
        return None
    last = kept.size - 1
    low = kept[math.floor(last * LRA_LOW_PERCENTILE + 0.5)]
    high = kept[math.floor(last * LRA_HIGH_PERCENTILE + 0.5)]
    return float(high - low)


class _SlidingLoudness:
    """Momentary and short-term windows over the hop sums: maxima and 10 Hz values."""

    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._hops = 0
        self._tail = np.zeros(0)
        self.max_momentary = 0.0
        self.max_short_term = 0.0
        self.gating_energies: list[float] = []
        self.short_term_energies: list[float] = []

    def add(self, hop_sums: np.ndarray) -> None:
        """Take the sums of the next hops."""
        if hop_sums.size == 0:
            return
        base = self._hops - self._tail.size
        values = np.concatenate((self._tail, hop_sums))
        cumulative = np.concatenate(([0.0], np.cumsum(values)))
        hops = np.arange(self._hops + 1, self._hops + hop_sums.size + 1)
        momentary_hops, momentary = self._means(cumulative, hops, base, MOMENTARY_HOPS)
        short_hops, short_term = self._means(cumulative, hops, base, SHORT_TERM_HOPS)
        if momentary.size:
            self.max_momentary = max(self.max_momentary, float(momentary.max()))
            self.gating_energies.extend(momentary[momentary_hops % HOPS_PER_GATING_STEP == 0])
        if short_term.size:
            self.max_short_term = max(self.max_short_term, float(short_term.max()))
            self.short_term_energies.extend(short_term[short_hops % HOPS_PER_GATING_STEP == 0])
        self._hops += hop_sums.size
        self._tail = values[-(SHORT_TERM_HOPS - 1) :]

    def _means(
        self, cumulative: np.ndarray, hops: np.ndarray, base: int, width: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean energy of the windows of ``width`` hops ending at each complete hop."""
        ends = hops[hops >= width]
        sums = cumulative[ends - base] - cumulative[ends - width - base]
        lengths: np.ndarray | int
        if self._rate % HOPS_PER_SECOND == 0:
            lengths = width * (self._rate // HOPS_PER_SECOND)  # every window alike
        else:
            lengths = np.asarray(hop_boundary(self._rate, ends)) - np.asarray(
                hop_boundary(self._rate, ends - width)
            )
        return ends, np.maximum(sums, 0.0) / lengths


def typical_steps(step_counts: np.ndarray) -> np.ndarray:
    """Per channel of a (channels, bins) step histogram (see ``kernel``), the larger of the
    SEAM_STEP_PERCENTILE step and the mean step (the mean counts when fewer steps than that
    move at all); bin midpoints."""
    totals = step_counts.sum(axis=1)
    ranks = np.ceil(totals * SEAM_STEP_PERCENTILE)
    typical = np.zeros(step_counts.shape[0])
    for channel, row in enumerate(step_counts):
        if totals[channel] == 0:
            continue
        percentile = _STEP_MIDDLES[int(np.searchsorted(np.cumsum(row), ranks[channel]))]
        mean = float(row @ _STEP_MIDDLES) / totals[channel]
        typical[channel] = max(percentile, mean)
    return typical


class _ClipRuns:
    """Clipping events from the kernel's clipped runs (MIN_CLIP_RUN+ consecutive samples of one
    channel at the same full-scale value, all >= level or all <= -level; a full-scale tone at
    Nyquist is none), joined across channels into one event when less than ``join`` frames
    apart. The first ``limit`` events are kept, as sorted disjoint [start, end) frame ranges.
    A run still going at a block's end comes in with each block (it grows, and joins its later
    self)."""

    def __init__(self, limit: int, join: int) -> None:
        self._limit = limit
        self._join = join
        self._starts: list[int] = []
        self._ends: list[int] = []
        self.capped = False
        """True once an event was left out because ``limit`` events were kept."""

    def add(self, starts: list[int], ends: list[int]) -> None:
        """Take the runs of a block (any order)."""
        if starts:
            self._add(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))

    def _add(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Join a block's runs into events, then into the kept events."""
        if starts.size == 0:
            return
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
        reach = np.maximum.accumulate(ends)
        first = np.flatnonzero(np.concatenate(([True], starts[1:] >= reach[:-1] + self._join)))
        for start, end in zip(
            starts[first].tolist(), np.maximum.reduceat(ends, first).tolist(), strict=True
        ):
            self._insert(start, end)

    def _insert(self, start: int, end: int) -> None:
        """Add [start, end) to the events, joining those less than ``join`` frames away."""
        events = len(self._starts)
        if events == self._limit and start >= self._ends[-1] + self._join:
            self.capped = True
            return
        low = bisect.bisect_right(self._ends, start - self._join)
        high = bisect.bisect_left(self._starts, end + self._join)
        if low < high:
            start = min(start, self._starts[low])
            end = max(end, self._ends[high - 1])
        self._starts[low:high] = [start]
        self._ends[low:high] = [end]
        if len(self._starts) > self._limit:
            del self._starts[self._limit :], self._ends[self._limit :]
            self.capped = True

    def runs(self) -> list[tuple[int, int]]:
        """The kept events as [start, end) frame ranges."""
        return list(zip(self._starts, self._ends, strict=True))


class LoudnessMeter:
    """Streaming meter for one audio stream of ``channels`` channels at ``sample_rate`` Hz.

    ``clip_level``: a sample counts as clipped when |x| >= it (1.0 for float data; integer
    PCM clips at 1 - 2**-(bits-1)). At most ``max_clipped_runs`` runs are kept, the earliest.
    ``channel_mask``: the WAVE_FORMAT_EXTENSIBLE speaker mask that sets the channel weights.
    ``measures``: what to measure (see ``model.MEASURES``): without ``loudness`` no
    K-weighting, without ``true-peak`` no oversampling, without ``loop-seam`` no step
    histogram; the other content scans cost little in the kernel's pass and always run. The
    result leaves out the values of what was not asked for.
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        clip_level: float = 1.0,
        max_clipped_runs: int = 1000,
        channel_mask: int | None = None,
        measures: Set[str] = frozenset(MEASURES),
    ) -> None:
        if channels < 1:
            raise ValueError("a stream needs at least one channel")
        self.sample_rate = sample_rate
        self.channels = channels
        weights = channel_weights(channels, channel_mask)
        self._loudness_problem = loudness_problem(sample_rate, int(np.count_nonzero(weights)))
        self._unweighted = tuple(int(channel) + 1 for channel in np.flatnonzero(weights == 0.0))
        self.measures = frozenset(measures)
        loudness = "loudness" in measures and self._loudness_problem is None
        sos = k_weighting_sos(sample_rate) if loudness else None
        self._kernel = kernel.new_state(
            sample_rate,
            weights,
            sos,
            clip_level=clip_level,
            silence_level=10.0 ** (SILENCE_DBFS / 20.0),
            true_peak="true-peak" in measures,
            steps="loop-seam" in measures,
        )
        self._sliding = _SlidingLoudness(sample_rate)
        self._clips = _ClipRuns(max_clipped_runs, round(CLIP_JOIN_S * sample_rate))
        self._frames = 0

    @property
    def frames(self) -> int:
        """Frames fed so far."""
        return self._frames

    def feed(self, block: np.ndarray) -> None:
        """Add a (frames, channels) block of float samples."""
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise ValueError(f"expected a (frames, {self.channels}) block, got {block.shape}")
        if block.shape[0] == 0:
            return
        dtype = np.float32 if block.dtype == np.float32 else np.float64
        interleaved = np.ascontiguousarray(block, dtype=dtype)
        # One call per block: the kernel releases the GIL, so the decoder's thread reads the
        # next block meanwhile.
        self._sliding.add(kernel.feed(self._kernel, interleaved))
        self._clips.add(*kernel.take_runs(self._kernel))
        self._frames += interleaved.shape[0]

    def momentary_lufs(self) -> np.ndarray:
        """Momentary loudness of the windows ending every 100 ms (-inf for digital silence)."""
        return _to_lufs(np.array(self._sliding.gating_energies))

    def short_term_lufs(self) -> np.ndarray:
        """Short-term loudness of the windows ending every 100 ms (-inf for digital silence)."""
        return _to_lufs(np.array(self._sliding.short_term_energies))

    def result(
        self, *, decode_error: str | None = None, decode_error_at_s: float | None = None
    ) -> Measurement:
        """The measurement of everything fed so far (feeding may go on afterwards)."""
        frames, rate = self._frames, self.sample_rate
        sliding = self._sliding
        peaks = kernel.peaks(self._kernel)
        peak, sample_peak = peaks.true, peaks.sample
        scans = kernel.scans(self._kernel)
        runs = self._clips.runs()
        measurement = Measurement(
            sample_rate=rate,
            channels=self.channels,
            frames=frames,
            integrated_lufs=gated_loudness(np.array(sliding.gating_energies)),
            loudness_range_lu=loudness_range(np.array(sliding.short_term_energies)),
            true_peak_dbtp=20.0 * math.log10(peak) if peak > 0.0 else None,
            sample_peak_dbfs=20.0 * math.log10(sample_peak) if sample_peak > 0.0 else None,
            max_momentary_lufs=energy_to_lufs(sliding.max_momentary),
            max_short_term_lufs=energy_to_lufs(sliding.max_short_term),
            dc_offset=tuple((scans.dc_sums / frames).tolist()) if frames else (),
            leading_silence_s=self._leading_silence(scans.first_sound),
            trailing_silence_s=self._trailing_silence(scans.last_sound),
            clipped_runs=tuple((start / rate, end / rate) for start, end in runs),
            clipped_runs_capped=self._clips.capped,
            loop_seam_ratio=self._loop_seam_ratio(scans),
            nonfinite_samples=scans.nonfinite,
            decode_error=decode_error,
            decode_error_at_s=decode_error_at_s,
        )
        reasons = missing_reasons(
            measurement,
            loudness_problem=self._loudness_problem,
            lfe_channels=self._unweighted,
            gating_blocks=len(sliding.gating_energies),
            short_term_windows=len(sliding.short_term_energies),
        )
        return only(replace(measurement, missing=reasons), self.measures)

    def _leading_silence(self, first_sound: int | None) -> float | None:
        if self._frames == 0:
            return None
        first = self._frames if first_sound is None else first_sound
        return first / self.sample_rate

    def _trailing_silence(self, last_sound: int | None) -> float | None:
        if self._frames == 0:
            return None
        last = -1 if last_sound is None else last_sound
        return (self._frames - 1 - last) / self.sample_rate

    def _loop_seam_ratio(self, scans: kernel.Scans) -> float | None:
        """max over channels of |first - last frame| / the channel's typical large step (see
        ``typical_steps``); None when nothing moves."""
        if self._frames < 2 or scans.first_frame is None:
            return None
        typical = typical_steps(scans.step_counts)
        moving = typical > 0.0
        if not moving.any():
            return None
        jumps = np.abs(scans.first_frame - scans.last_frame)
        return float((jumps[moving] / typical[moving]).max())
