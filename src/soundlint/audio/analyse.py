"""Measure an audio file in one streaming pass (soundfile blocks into the LoudnessMeter)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Set
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from soundlint.audio import rawpcm, riff
from soundlint.audio.layout import channel_mask, channel_weights
from soundlint.audio.meter import LoudnessMeter, loudness_problem
from soundlint.audio.reasons import PYLOUDNORM_FAILED, with_values
from soundlint.model import MEASURES, Measurement

_INTEGER_PCM_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}
_REFINE_FRAMES = 1024
_PYLOUDNORM_FRONT = 3
_PYLOUDNORM_SURROUND = 2
_DECODE_ERRORS = (RuntimeError, OSError)

Sink = Callable[[np.ndarray], None]
ALL = frozenset(MEASURES)


class UnreadableAudio(Exception):
    """soundfile cannot open the file at all (or its format cannot be measured)."""


def clip_level(subtype: str) -> float:
    """The largest magnitude a format can hold: 1 - 2**-(bits-1) for integer PCM, else 1.0."""
    bits = _INTEGER_PCM_BITS.get(subtype)
    return 1.0 - 2.0 ** -(bits - 1) if bits else 1.0


class DecodeScan:
    """What decoding alone tells (``measures={"decode"}``): frames, NaN and infinite samples;
    the meter's interface without a meter."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        self._nonfinite = 0

    def feed(self, block: np.ndarray) -> None:
        if not np.isfinite(block.sum(dtype=np.float64)):
            self._nonfinite += int(block.size - np.count_nonzero(np.isfinite(block)))
        self.frames += block.shape[0]

    def result(
        self, *, decode_error: str | None = None, decode_error_at_s: float | None = None
    ) -> Measurement:
        return Measurement(
            sample_rate=self.sample_rate,
            channels=self.channels,
            frames=self.frames,
            nonfinite_samples=self._nonfinite,
            decode_error=decode_error,
            decode_error_at_s=decode_error_at_s,
            measures=("decode",),
        )


Meter = LoudnessMeter | DecodeScan


def measure_file(path: Path, *, block_frames: int = 65536, measures: Set[str] = ALL) -> Measurement:
    """Measure ``path`` block by block for ``measures`` (see ``model.MEASURES``); a part-way
    decoding failure is recorded, not raised."""
    return _measure(path, block_frames, None, measures)


def measure_file_pyloudnorm(path: Path, *, measures: Set[str] = ALL) -> Measurement:
    """As ``measure_file``, but integrated loudness and LRA come from pyloudnorm's Meter(rate).

    The decoded samples are kept in memory for pyloudnorm (one read of the file). pyloudnorm
    weighs its channels by position as L R C Ls Rs: the file's channels go to those places by
    their weights (see ``layout``), the LFE left out and silent channels filling the gaps.
    Layouts that do not fit (more than three front or two surround channels), and material
    pyloudnorm cannot measure, keep the built-in meter's values.
    """
    if "loudness" not in measures:
        return measure_file(path, measures=measures)
    blocks: list[np.ndarray] = []
    measurement = _measure(path, 65536, lambda block: blocks.append(block.copy()), measures)
    if not blocks:
        return measurement
    samples = np.nan_to_num(
        np.concatenate(blocks).astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0
    )
    mask = channel_mask(riff.walk(path).fmt)
    placed = _pyloudnorm_layout(samples, channel_weights(samples.shape[1], mask))
    if placed is None or loudness_problem(measurement.sample_rate, placed.shape[1]):
        return measurement
    integrated, lra = _pyloudnorm_values(placed, measurement.sample_rate)
    return with_values(
        measurement, PYLOUDNORM_FAILED, integrated_lufs=integrated, loudness_range_lu=lra
    )


def _pyloudnorm_layout(samples: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
    """The channels in pyloudnorm's L R C Ls Rs places, or None when they do not fit."""
    front = np.flatnonzero(weights == 1.0)
    surround = np.flatnonzero(weights > 1.0)
    fits = front.size <= _PYLOUDNORM_FRONT and surround.size <= _PYLOUDNORM_SURROUND
    if not fits or front.size + surround.size == 0:
        return None
    if surround.size == 0:
        return samples[:, front]
    placed = np.zeros((samples.shape[0], _PYLOUDNORM_FRONT + surround.size))
    placed[:, : front.size] = samples[:, front]
    placed[:, _PYLOUDNORM_FRONT:] = samples[:, surround]
    return placed


def _pyloudnorm_values(samples: np.ndarray, rate: int) -> tuple[float | None, float | None]:
    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    try:
        integrated = float(meter.integrated_loudness(samples))
    except ValueError:
        return None, None
    try:
        lra: float | None = _finite(float(meter.loudness_range(samples)))
    except ValueError:
        lra = None
    return _finite(integrated), lra


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _meter(rate: int, channels: int, clip: float, mask: int | None, measures: Set[str]) -> Meter:
    """The meter for ``measures``: a decode scan when nothing but decoding is asked."""
    try:
        if not set(measures) - {"decode"}:
            if channels < 1:
                raise ValueError("a stream needs at least one channel")
            return DecodeScan(rate, channels)
        return LoudnessMeter(rate, channels, clip_level=clip, channel_mask=mask, measures=measures)
    except ValueError as error:
        raise UnreadableAudio(f"cannot measure audio: {error}") from error


def _measure(path: Path, block_frames: int, sink: Sink | None, measures: Set[str]) -> Measurement:
    report = riff.walk(path)  # once: what libsndfile reads wrongly, and the channel mask
    mask = channel_mask(report.fmt)
    try:
        layout = rawpcm.plan(path, report)
    except rawpcm.UndecodableLayout as error:
        raise UnreadableAudio(str(error)) from error
    if layout is not None:
        return _measure_raw(path, layout, mask, block_frames, sink, measures)
    handle = _open(path, report)
    if isinstance(handle, rawpcm.RawLayout):
        return _measure_raw(path, handle, mask, block_frames, sink, measures)
    with handle:
        meter = _meter(
            handle.samplerate,
            handle.channels,
            clip_level(handle.subtype),
            mask,
            measures,
        )
        error_message = _decode(handle, meter, block_frames, sink)
    if error_message is not None:
        error_message = _refine(path, meter, sink) or error_message
    at_s = meter.frames / meter.sample_rate if error_message is not None else None
    return meter.result(decode_error=error_message, decode_error_at_s=at_s)


def _open(path: Path, report: riff.RiffReport) -> Any:
    """libsndfile's handle on the file, or, when it refuses an RF64 or BW64 file, the layout
    to decode its samples here (see ``rawpcm.refused``)."""
    import soundfile  # only here: importing it costs more than a short file's measuring

    try:
        return soundfile.SoundFile(os.fsencode(path))
    except (*_DECODE_ERRORS, TypeError, ValueError) as error:
        refused = rawpcm.refused(report)
        if refused is not None:
            return refused
        raise UnreadableAudio(_walker_reason(report) or _libsndfile_reason(error)) from error


def _walker_reason(report: riff.RiffReport) -> str | None:
    """What the walker found that explains why libsndfile cannot open the file: that it is no
    WAV, the first thing that makes it corrupt, else the first thing that breaks the RIFF/WAVE
    specification (libsndfile's own words are often an "internal error")."""
    for code in (riff.NOT_WAV, riff.CORRUPT, riff.RF64_PROBLEM, riff.NONCONFORMING):
        found = [finding.message for finding in report.findings if finding.code == code]
        if found and code in (riff.NOT_WAV, riff.CORRUPT):
            return found[0]
        if found:
            return f"libsndfile cannot open it: {found[0]}"
    return None


def _libsndfile_reason(error: Exception) -> str:
    reason = getattr(error, "error_string", None) or str(error)
    return f"libsndfile cannot open it: {reason}"


def _measure_raw(
    path: Path,
    layout: rawpcm.RawLayout,
    mask: int | None,
    block_frames: int,
    sink: Sink | None,
    measures: Set[str],
) -> Measurement:
    """Measure a layout libsndfile gets wrong, decoded from the data chunk here."""
    meter = _meter(layout.sample_rate, layout.channels, layout.clip_level, mask, measures)
    error_message = None
    try:
        with path.open("rb") as f:
            for block in rawpcm.blocks(f, layout, block_frames):
                meter.feed(block)
                if sink is not None:
                    sink(block)
    except rawpcm.UndecodableLayout as error:
        raise UnreadableAudio(str(error)) from error
    except OSError as error:
        error_message = error.strerror or str(error)
    at_s = meter.frames / meter.sample_rate if error_message is not None else None
    return meter.result(decode_error=error_message, decode_error_at_s=at_s)


def _decode(handle: Any, meter: Meter, block_frames: int, sink: Sink | None) -> str | None:
    """Feed every block of ``handle``; return the decoding error's message, if any.

    The next block is decoded on a helper thread while the meter works on the current one.
    """
    buffers = [np.empty((block_frames, handle.channels), dtype=np.float32) for _ in range(2)]

    def read(index: int) -> np.ndarray:
        return handle.read(block_frames, dtype="float32", always_2d=True, out=buffers[index])

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode") as pool:
        pending = pool.submit(read, 0)
        index = 0
        while True:
            try:
                block = pending.result()
            except _DECODE_ERRORS as error:
                return str(error) or type(error).__name__
            if block.shape[0] == 0:
                return None
            index ^= 1
            pending = pool.submit(read, index)
            meter.feed(block)
            if sink is not None:
                sink(block)


def _refine(path: Path, meter: Meter, sink: Sink | None) -> str | None:
    """After a failed block, decode on from where it started in small steps to get closer.

    Returns the new error message, or None when the file cannot be reopened or sought.
    """
    import soundfile

    try:
        with soundfile.SoundFile(os.fsencode(path)) as handle:
            handle.seek(meter.frames)
            return _decode(handle, meter, _REFINE_FRAMES, sink)
    except _DECODE_ERRORS:
        return None
