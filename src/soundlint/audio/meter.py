"""A streaming loudness and signal meter: BS.1770-4 loudness, EBU R 128 measures, peaks and more.

Blocks of any size go in through ``LoudnessMeter.feed``; memory stays bounded by the block size
(plus 10 Hz lists of gating-block and short-term energies). Time is cut into hops of 10 ms whose
boundaries sit at sample ``round(k * sample_rate / 100)``: exact at rates that are a multiple of
100 Hz, alternating between neighbouring sample counts otherwise (e.g. 220/221 at 22.05 kHz). A
window's energy is always divided by its own sample count. Momentary (40 hops) and short-term
(300 hops) loudness are evaluated at every hop; gating blocks are the momentary windows ending
on every 10th hop (400 ms every 100 ms), short-term values for the loudness range likewise.
The per-sample work (K-weighting, hop sums, peaks, true peak) is the ``kernel``'s.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from soundlint.audio import kernel
from soundlint.audio.hops import hop_boundary
from soundlint.audio.kweighting import k_weighting_sos
from soundlint.model import Measurement

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
MIN_CLIP_RUN = 3
_SEARCH_CHUNK = 4096
# Blocks at least this long go through the kernel on a helper thread.
_THREADED_FRAMES = 8192


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770 weights by position: L, R, C = 1, Ls, Rs = 1.41; 6 channels are L R C LFE Ls Rs.

    Channels past the fifth (other than in the 6-channel layout) weigh 1.0.
    """
    if channels == 6:
        return np.array([1.0, 1.0, 1.0, 0.0, 1.41, 1.41])
    base = [1.0, 1.0, 1.0, 1.41, 1.41]
    return np.array(base[:channels] + [1.0] * max(0, channels - len(base)))


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
    """EBU Tech 3342 loudness range from short-term energies (nearest-rank percentiles)."""
    if short_term_energies.size == 0:
        return None
    levels = _to_lufs(short_term_energies)
    kept_energy = short_term_energies[levels >= ABSOLUTE_GATE_LUFS]
    if kept_energy.size == 0:
        return None
    gate = LOUDNESS_OFFSET + 10.0 * math.log10(float(kept_energy.mean())) + LRA_RELATIVE_GATE_LU
    kept = np.sort(levels[(levels >= ABSOLUTE_GATE_LUFS) & (levels >= gate)])
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
        lengths = np.asarray(hop_boundary(self._rate, ends)) - np.asarray(
            hop_boundary(self._rate, ends - width)
        )
        return ends, np.maximum(sums, 0.0) / lengths


def _first_at_least(row: np.ndarray, level: float) -> int | None:
    """Index of the first element >= level, searching forwards chunk by chunk."""
    for start in range(0, row.size, _SEARCH_CHUNK):
        hits = row[start : start + _SEARCH_CHUNK] >= level
        if hits.any():
            return start + int(hits.argmax())
    return None


def _last_at_least(row: np.ndarray, level: float) -> int | None:
    """Index of the last element >= level, searching backwards chunk by chunk."""
    for stop in range(row.size, 0, -_SEARCH_CHUNK):
        start = max(0, stop - _SEARCH_CHUNK)
        hits = row[start:stop] >= level
        if hits.any():
            return stop - 1 - int(hits[::-1].argmax())
    return None


class _ClipRuns:
    """Runs of MIN_CLIP_RUN+ consecutive samples at or above a level, per channel."""

    def __init__(self, channels: int, level: float, limit: int) -> None:
        self._level = level
        self._limit = limit
        self._open: list[int | None] = [None] * channels
        self._runs: list[tuple[int, int]] = []
        self.capped = False
        """True once a run was left out because ``limit`` runs were kept."""

    def feed(self, magnitude: np.ndarray, peaks: np.ndarray, offset: int) -> None:
        """Scan a (channels, frames) block of |samples| starting at frame ``offset``."""
        frames = magnitude.shape[1]
        for channel, row in enumerate(magnitude):
            open_start = self._open[channel]
            if peaks[channel] < self._level and open_start is None:
                continue
            # A leading False and the open run as "frame -1": every run has a rising edge.
            clipped = row >= self._level
            padded = np.concatenate(([False, open_start is not None], clipped, [False]))
            edges = np.flatnonzero(padded[1:] != padded[:-1]) - 1
            self._open[channel] = None
            for start, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
                first = open_start if open_start is not None and start < 0 else offset + start
                if end == frames:
                    self._open[channel] = first
                else:
                    self._add(first, offset + end)

    def _add(self, start: int, end: int) -> None:
        if end - start < MIN_CLIP_RUN:
            return
        if len(self._runs) < self._limit * len(self._open):
            self._runs.append((start, end))
        else:
            self.capped = True

    def runs(self, frames: int) -> list[tuple[int, int]]:
        """Runs as [start, end) frame ranges, merged across channels, at most ``limit``."""
        pending = list(self._runs)
        pending += [(start, frames) for start in self._open if start is not None]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(run for run in pending if run[1] - run[0] >= MIN_CLIP_RUN):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self.capped = self.capped or len(merged) > self._limit
        return merged[: self._limit]


class LoudnessMeter:
    """Streaming meter for one audio stream of ``channels`` channels at ``sample_rate`` Hz.

    ``clip_level``: a sample counts as clipped when |x| >= it (1.0 for float data; integer
    PCM clips at 1 - 2**-(bits-1)). At most ``max_clipped_runs`` runs are kept, the earliest.
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        clip_level: float = 1.0,
        max_clipped_runs: int = 1000,
    ) -> None:
        if channels < 1:
            raise ValueError("a stream needs at least one channel")
        self.sample_rate = sample_rate
        self.channels = channels
        weights = channel_weights(channels)
        self._kernel = kernel.new_state(sample_rate, weights, k_weighting_sos(sample_rate))
        self._sliding = _SlidingLoudness(sample_rate)
        self._clips = _ClipRuns(channels, clip_level, max_clipped_runs)
        self._silence_level = 10.0 ** (SILENCE_DBFS / 20.0)
        self._first_sound: int | None = None
        self._last_sound: int | None = None
        self._frames = 0
        self._nonfinite = 0
        self._sums = np.zeros(channels)
        self._step_sums = np.zeros(channels)
        self._first_frame = np.zeros(channels)
        self._last_frame = np.zeros(channels)
        self._executor: ThreadPoolExecutor | None = None
        self._rows = np.zeros((channels, 0), dtype=np.float32)

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
        hop_sums = self._start_kernel(interleaved)
        try:
            self._scan(interleaved)
        finally:
            self._sliding.add(hop_sums.result())

    def _start_kernel(self, interleaved: np.ndarray) -> Future[np.ndarray]:
        """Run the kernel over a block: on a helper thread when the block is long, so that it
        overlaps the numpy scans (the kernel releases the GIL). Callers wait for the result
        before returning: the decoder reuses the block's buffer."""
        if interleaved.shape[0] < _THREADED_FRAMES:
            done: Future[np.ndarray] = Future()
            done.set_result(kernel.feed(self._kernel, interleaved))
            return done
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="meter")
        return self._executor.submit(kernel.feed, self._kernel, interleaved)

    def _scan(self, interleaved: np.ndarray) -> None:
        """DC, peaks, clipping, silence and steps of a block, on a copy of its rows (reductions
        along strided rows are ten times slower than the copy) in a buffer kept from block to
        block (a new one each time costs a page fault every 4 KiB)."""
        frames = interleaved.shape[0]
        if self._rows.shape[1] < frames or self._rows.dtype != interleaved.dtype:
            self._rows = np.empty((self.channels, frames), dtype=interleaved.dtype)
        samples = self._rows[:, :frames]
        np.copyto(samples, interleaved.T)
        sums = samples.sum(axis=1, dtype=np.float64)
        if not np.isfinite(sums).all():
            samples = self._zero_nonfinite(samples)
            sums = samples.sum(axis=1, dtype=np.float64)
        self._sums += sums
        magnitude = np.abs(samples)
        peaks = magnitude.max(axis=1)
        self._clips.feed(magnitude, peaks, self._frames)
        self._track_sound(magnitude, peaks)
        self._track_steps(samples)
        self._frames += samples.shape[1]

    def _zero_nonfinite(self, samples: np.ndarray) -> np.ndarray:
        finite = np.isfinite(samples)
        self._nonfinite += int(samples.size - np.count_nonzero(finite))
        return np.where(finite, samples, samples.dtype.type(0))

    def _track_sound(self, magnitude: np.ndarray, peaks: np.ndarray) -> None:
        """Remember the first and last frame at or above the silence level."""
        for channel in np.flatnonzero(peaks >= self._silence_level):
            row = magnitude[channel]
            if self._first_sound is None or self._first_sound >= self._frames:
                first = _first_at_least(row, self._silence_level)
                if first is not None and (
                    self._first_sound is None or self._frames + first < self._first_sound
                ):
                    self._first_sound = self._frames + first
            last = _last_at_least(row, self._silence_level)
            if last is not None and (
                self._last_sound is None or self._frames + last > self._last_sound
            ):
                self._last_sound = self._frames + last

    def _track_steps(self, samples: np.ndarray) -> None:
        """Accumulate |x[n] - x[n-1]| for the loop seam and keep the first and last frames."""
        if self._frames == 0:
            self._first_frame = samples[:, 0].astype(np.float64)
        else:
            self._step_sums += np.abs(samples[:, 0] - self._last_frame)
        steps = np.abs(np.diff(samples, axis=1))
        self._step_sums += steps.sum(axis=1, dtype=np.float64)
        self._last_frame = samples[:, -1].astype(np.float64)

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
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
        frames, rate = self._frames, self.sample_rate
        sliding = self._sliding
        peaks = kernel.peaks(self._kernel)
        peak, sample_peak = peaks.true, peaks.sample
        runs = self._clips.runs(frames)
        return Measurement(
            sample_rate=rate,
            channels=self.channels,
            frames=frames,
            integrated_lufs=gated_loudness(np.array(sliding.gating_energies)),
            loudness_range_lu=loudness_range(np.array(sliding.short_term_energies)),
            true_peak_dbtp=20.0 * math.log10(peak) if peak > 0.0 else None,
            sample_peak_dbfs=20.0 * math.log10(sample_peak) if sample_peak > 0.0 else None,
            max_momentary_lufs=energy_to_lufs(sliding.max_momentary),
            max_short_term_lufs=energy_to_lufs(sliding.max_short_term),
            dc_offset=tuple((self._sums / frames).tolist()) if frames else (),
            leading_silence_s=self._leading_silence(),
            trailing_silence_s=self._trailing_silence(),
            clipped_runs=tuple((start / rate, end / rate) for start, end in runs),
            clipped_runs_capped=self._clips.capped,
            loop_seam_ratio=self._loop_seam_ratio(),
            nonfinite_samples=self._nonfinite,
            decode_error=decode_error,
            decode_error_at_s=decode_error_at_s,
        )

    def _leading_silence(self) -> float | None:
        if self._frames == 0:
            return None
        first = self._frames if self._first_sound is None else self._first_sound
        return first / self.sample_rate

    def _trailing_silence(self) -> float | None:
        if self._frames == 0:
            return None
        last = -1 if self._last_sound is None else self._last_sound
        return (self._frames - 1 - last) / self.sample_rate

    def _loop_seam_ratio(self) -> float | None:
        """max over channels of |first - last frame| / mean |x[n] - x[n-1]|; None if static."""
        if self._frames < 2:
            return None
        typical = self._step_sums / (self._frames - 1)
        moving = typical > 0.0
        if not moving.any():
            return None
        jumps = np.abs(self._first_frame - self._last_frame)
        return float((jumps[moving] / typical[moving]).max())
