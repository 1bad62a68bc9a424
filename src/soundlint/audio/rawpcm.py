"""Decode the integer PCM layouts libsndfile gets wrong, straight from the data chunk.

libsndfile reads each sample as the whole bytes its bits take, packed, and ignores block
align. That is wrong for samples in larger containers than their bits need (24 bits in
4-byte containers under a plain PCM header: block align 8 for stereo), and it cannot open
integer PCM of more than 32 bits. Those layouts are decoded here from the walker's fmt facts,
block by block, as float32 (frames, channels) arrays; every other layout is left to libsndfile.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from soundlint.audio import riff

_PCM = 0x0001
_LIBSNDFILE_MAX_PCM_BITS = 32
_PROBE_FRAMES = 65536
_NATIVE = frozenset({2, 4, 8})
"""Container sizes numpy reads directly as integers."""


class UndecodableLayout(Exception):
    """A layout no reader can decode reliably; the message says why."""


@dataclass(frozen=True)
class RawLayout:
    """Where the samples are and how each is stored."""

    data_offset: int
    frames: int
    channels: int
    sample_rate: int
    container: int
    """Bytes per sample."""
    bits: int
    """Significant bits per sample."""
    description: str
    """e.g. '24-bit samples in 4-byte containers'."""

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.container

    @property
    def padding_bits(self) -> int:
        return 8 * self.container - self.bits

    @property
    def clip_level(self) -> float:
        return 1.0 - 2.0 ** -(self.bits - 1)


def plan(path: Path, report: riff.RiffReport | None = None) -> RawLayout | None:
    """The layout to decode here, or None when libsndfile reads the file right; ``report``
    is the file's walk, when the caller has it already.

    Raises UndecodableLayout for padded layouts that cannot be decoded reliably.
    """
    report = report or riff.walk(path)
    fmt = report.fmt
    if not report.frames or fmt is None or report.data_offset is None:
        return None
    padded = fmt.container_bytes
    bits = fmt.bits_per_sample
    if padded is None and bits <= _LIBSNDFILE_MAX_PCM_BITS:
        return _right_justified_extensible(path, report)
    if fmt.effective_tag != _PCM:
        if padded is None:
            return None
        raise UndecodableLayout(
            f"{bits}-bit {fmt.encoding} samples in {padded}-byte containers: where a sample "
            "sits in its container is not defined, so no reader decodes it reliably"
        )
    container = padded or (bits + 7) // 8
    if container > 8:
        return None
    described = f"{bits}-bit samples in {container}-byte containers"
    return RawLayout(
        data_offset=report.data_offset,
        frames=report.frames,
        channels=fmt.channels,
        sample_rate=fmt.sample_rate,
        container=container,
        bits=bits if padded else 8 * container,
        description=described if padded else f"{bits}-bit integer PCM",
    )


def _right_justified_extensible(path: Path, report: riff.RiffReport) -> RawLayout | None:
    """WAVE_FORMAT_EXTENSIBLE with fewer valid bits than the container: libsndfile reads the
    samples left-justified, as the format says; take over when they are evidently not."""
    fmt = report.fmt
    if fmt is None or fmt.effective_tag != _PCM or fmt.valid_bits is None:
        return None
    container, rest = divmod(fmt.bits_per_sample, 8)
    if rest or not 0 < fmt.valid_bits < fmt.bits_per_sample or fmt.frame_size != fmt.block_align:
        return None
    layout = RawLayout(
        data_offset=report.data_offset or 0,
        frames=report.frames or 0,
        channels=fmt.channels,
        sample_rate=fmt.sample_rate,
        container=container,
        bits=fmt.valid_bits,
        description=f"{fmt.valid_bits}-bit samples in {container}-byte containers",
    )
    try:
        with path.open("rb") as f:
            return layout if _justification(f, layout) == "right" else None
    except OSError:
        return None  # libsndfile will say what is wrong with the file


def blocks(f: BinaryIO, layout: RawLayout, block_frames: int) -> Iterator[np.ndarray]:
    """The samples of ``f`` as float32 (frames, channels) blocks; OSError on a read error.

    Samples in padded containers are left-justified (the WAVE_FORMAT_EXTENSIBLE rule), or
    right-justified as some writers store them: the first samples that tell the two apart
    decide. Raises UndecodableLayout when they fit neither.
    """
    justification = _justification(f, layout) if layout.padding_bits else None
    if justification == "neither":
        raise UndecodableLayout(
            f"{layout.description} are neither left- nor right-justified: their padding "
            "bits hold data, so no reader decodes them reliably"
        )
    shift = layout.padding_bits if justification == "right" else 0
    for raw in _whole_frames(f, layout, block_frames):
        yield _decode(raw, layout, shift)


def _whole_frames(f: BinaryIO, layout: RawLayout, block_frames: int) -> Iterator[bytes]:
    """The data chunk's bytes from its start, ``block_frames`` whole frames at a time, until
    its frames or the file end."""
    f.seek(layout.data_offset)
    remaining = layout.frames
    while remaining:
        raw = f.read(min(block_frames, remaining) * layout.frame_bytes)
        frames = len(raw) // layout.frame_bytes
        if frames == 0:
            return
        yield raw[: frames * layout.frame_bytes]
        remaining -= frames


def _decode(raw: bytes, layout: RawLayout, shift: int) -> np.ndarray:
    """Whole frames of ``raw`` as float32 (frames, channels), full scale 1.0."""
    if layout.container in _NATIVE:
        values = np.frombuffer(raw, f"<i{layout.container}").reshape(-1, layout.channels)
        scale = np.float32(2.0 ** (1 - 8 * layout.container))
        return (values << shift).astype(np.float32) * scale
    return _to_float(_left_justified(raw, layout) << shift)


def _left_justified(raw: bytes, layout: RawLayout) -> np.ndarray:
    """Each container's bytes at the top of an int64, as (frames, channels)."""
    containers = np.frombuffer(raw, np.uint8).reshape(-1, layout.channels, layout.container)
    wide = np.zeros((containers.shape[0], layout.channels, 8), np.uint8)
    wide[..., 8 - layout.container :] = containers
    return wide.view("<i8")[..., 0]


def _to_float(values: np.ndarray) -> np.ndarray:
    return (values * 2.0**-63).astype(np.float32)


def _justification(f: BinaryIO, layout: RawLayout) -> str | None:
    """'left' or 'right' from the first samples that tell them apart, 'neither' when samples
    fit neither, None when no sample tells (silence, or only small values).

    Left-justified samples have zero padding bits at the bottom; right-justified ones have
    padding bits at the top that are zero or the sign extended (writers do both).
    """
    pad = layout.padding_bits
    for whole in _whole_frames(f, layout, _PROBE_FRAMES):
        values = _left_justified(whole, layout) >> (64 - 8 * layout.container)
        left = not np.any(values & ((1 << pad) - 1))
        top = values >> layout.bits  # zero, or the sign extended (-1)
        right = bool(np.all((top == 0) | (top == -1)))
        if left != right:
            return "left" if left else "right"
        if not (left or right):
            return "neither"
    return None
