"""Decode PCM straight from the data chunk: the layouts libsndfile gets wrong, and the plain
ones where reading the bytes here is faster than libsndfile's decoding.

libsndfile reads each sample as the whole bytes its bits take, packed, and ignores block
align. That is wrong for samples in larger containers than their bits need (24 bits in
4-byte containers under a plain PCM header: block align 8 for stereo), and it cannot open
integer PCM of more than 32 bits. Those layouts are decoded here from the walker's fmt facts,
block by block, as float32 (frames, channels) arrays.

So are the plain layouts of files the walker found nothing wrong with: 16-, 24- and 32-bit
integer and 32-bit float PCM, packed. Decoding them is a byte shuffle (``kernel.decode_pcm``)
that gives libsndfile's samples exactly, at a fraction of its cost (libsndfile decodes 24-bit
samples byte by byte). Every other layout is left to libsndfile, unless it refuses an RF64 or
BW64 file (it cannot open BW64, nor RF64 with a ds64 chunk of 24 bytes): then ``refused``
gives the layout of its packed PCM, float, A-law or µ-law samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path

import numpy as np

from soundlint.audio import eightbit, kernel, riff

_PCM = 0x0001
_IEEE_FLOAT = 0x0003
_A_LAW = 0x0006
_MU_LAW = 0x0007
_LITTLE_ENDIAN = frozenset({"WAV", "RF64", "BW64"})
_SIXTY_FOUR = frozenset({"RF64", "BW64"})
_PLAIN_PCM_BITS = frozenset({16, 24, 32})
_FLOAT_BITS = frozenset({32, 64})
_WORD_CONTAINERS = frozenset({2, 3, 4})
_EIGHT_BIT_CODES = {_A_LAW: eightbit.A_LAW, _MU_LAW: eightbit.MU_LAW, _PCM: eightbit.UNSIGNED}
_LIBSNDFILE_MAX_PCM_BITS = 32
_PROBE_FRAMES = 65536
_WORD = 4
"""Containers of up to this many bytes are decoded by ``kernel.decode_pcm``."""
_NATIVE = frozenset({8})
"""Larger container sizes numpy reads directly as integers."""


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
    floating: bool = False
    """IEEE float samples (else integer PCM)."""
    eight_bit: str | None = None
    """The code of 8-bit samples decoded by table (``eightbit``): A-law, µ-law, unsigned."""

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.container

    @property
    def padding_bits(self) -> int:
        return 8 * self.container - self.bits

    @property
    def clip_level(self) -> float:
        """As ``analyse.clip_level`` for libsndfile's subtype of the same samples."""
        if self.floating or self.eight_bit in (eightbit.A_LAW, eightbit.MU_LAW):
            return 1.0
        return 1.0 - 2.0 ** -(self.bits - 1)


def plan(path: Path, report: riff.RiffReport | None = None) -> RawLayout | None:
    """The layout to decode here, or None to leave the file to libsndfile; ``report`` is the
    file's walk, when the caller has it already.

    Raises UndecodableLayout for padded layouts that cannot be decoded reliably.
    """
    report = report or riff.walk(path)
    fmt = report.fmt
    if not report.frames or fmt is None or report.data_offset is None:
        return None
    padded = fmt.container_bytes
    bits = fmt.bits_per_sample
    if padded is None and bits <= _LIBSNDFILE_MAX_PCM_BITS:
        return _right_justified_extensible(path, report) or _plain(report)
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
    if padded:
        return _layout(
            report, container, bits, f"{bits}-bit samples in {container}-byte containers"
        )
    return _layout(report, container, 8 * container, f"{bits}-bit integer PCM")


def _layout(
    report: riff.RiffReport,
    container: int,
    bits: int,
    description: str,
    floating: bool = False,
    eight_bit: str | None = None,
) -> RawLayout:
    """The layout of the walked file's samples, stored as given."""
    assert report.fmt is not None
    return RawLayout(
        data_offset=report.data_offset or 0,
        frames=report.frames or 0,
        channels=report.fmt.channels,
        sample_rate=report.fmt.sample_rate,
        container=container,
        bits=bits,
        description=description,
        floating=floating,
        eight_bit=eight_bit,
    )


def _plain(report: riff.RiffReport) -> RawLayout | None:
    """A packed 16-, 24- or 32-bit integer or 32-bit float layout of a little-endian file the
    walker found nothing wrong with (so that its frames are libsndfile's); or None."""
    fmt = report.fmt
    if fmt is None or report.codes or report.container not in _LITTLE_ENDIAN:
        return None
    floating = fmt.effective_tag == _IEEE_FLOAT and fmt.bits_per_sample == 32
    integer = fmt.effective_tag == _PCM and fmt.bits_per_sample in _PLAIN_PCM_BITS
    container = fmt.bits_per_sample // 8
    if not (floating or integer) or fmt.block_align != fmt.channels * container:
        return None
    description = f"{fmt.bits_per_sample}-bit {fmt.encoding}"
    return _layout(report, container, fmt.bits_per_sample, description, floating)


def refused(report: riff.RiffReport) -> RawLayout | None:
    """The layout of an RF64 or BW64 file's samples when libsndfile refuses the file: packed
    8- to 32-bit integer PCM, 32- or 64-bit float, A-law or µ-law; else None."""
    fmt = report.fmt
    if fmt is None or report.container not in _SIXTY_FOUR or not report.frames:
        return None
    if report.data_offset is None or riff.NOT_WAV in report.codes:
        return None
    tag, bits = fmt.effective_tag, fmt.bits_per_sample
    container = (bits + 7) // 8
    if fmt.block_align != fmt.channels * container:
        return None
    description = f"{bits}-bit {fmt.encoding}"
    if tag == _IEEE_FLOAT and bits in _FLOAT_BITS:
        return _layout(report, container, bits, description, floating=True)
    if bits == 8 and tag in _EIGHT_BIT_CODES:
        return _layout(report, 1, 8, description, eight_bit=_EIGHT_BIT_CODES[tag])
    if tag == _PCM and container in _WORD_CONTAINERS:
        return _layout(report, container, 8 * container, description)
    return None


def _right_justified_extensible(path: Path, report: riff.RiffReport) -> RawLayout | None:
    """WAVE_FORMAT_EXTENSIBLE with fewer valid bits than the container: libsndfile reads the
    samples left-justified, as the format says; take over when they are evidently not."""
    fmt = report.fmt
    if fmt is None or fmt.effective_tag != _PCM or fmt.valid_bits is None:
        return None
    container, rest = divmod(fmt.bits_per_sample, 8)
    if rest or not 0 < fmt.valid_bits < fmt.bits_per_sample or fmt.frame_size != fmt.block_align:
        return None
    description = f"{fmt.valid_bits}-bit samples in {container}-byte containers"
    layout = _layout(report, container, fmt.valid_bits, description)
    try:
        with path.open("rb") as f:
            return layout if _justification(f, layout) == "right" else None
    except OSError:
        return None  # libsndfile will say what is wrong with the file


def blocks(f: BufferedIOBase, layout: RawLayout, block_frames: int) -> Iterator[np.ndarray]:
    """The samples of ``f`` as float32 (frames, channels) blocks; OSError on a read error.
    A block is valid until the next is asked for: their memory is reused.

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
    out = np.empty((min(block_frames, layout.frames), layout.channels), dtype=np.float32)
    for raw in _whole_frames(f, layout, block_frames):
        yield _decode(raw, layout, shift, out)


def _whole_frames(f: BufferedIOBase, layout: RawLayout, block_frames: int) -> Iterator[memoryview]:
    """The data chunk's bytes from its start, ``block_frames`` whole frames at a time, until
    its frames or the file end; each valid until the next is asked for (one buffer is
    reused)."""
    f.seek(layout.data_offset)
    buffer = memoryview(bytearray(min(block_frames, layout.frames) * layout.frame_bytes))
    remaining = layout.frames
    while remaining:
        read = f.readinto(buffer[: min(block_frames, remaining) * layout.frame_bytes])
        frames = (read or 0) // layout.frame_bytes
        if frames == 0:
            return
        yield buffer[: frames * layout.frame_bytes]
        remaining -= frames


def _decode(raw: memoryview, layout: RawLayout, shift: int, out: np.ndarray) -> np.ndarray:
    """Whole frames of ``raw`` as float32 (frames, channels), full scale 1.0 (decoded into
    ``out`` where the kernel decodes them)."""
    if layout.floating:
        samples = np.frombuffer(raw, f"<f{layout.container}").reshape(-1, layout.channels)
        return samples.astype(np.float32, copy=False)
    if layout.eight_bit is not None:
        codes = np.frombuffer(raw, np.uint8).reshape(-1, layout.channels)
        return eightbit.table(layout.eight_bit)[codes]
    if layout.container <= _WORD:
        return kernel.decode_pcm(raw, layout.channels, layout.container, shift, out=out)
    if layout.container in _NATIVE:
        values = np.frombuffer(raw, f"<i{layout.container}").reshape(-1, layout.channels)
        scale = np.float32(2.0 ** (1 - 8 * layout.container))
        return (values << shift).astype(np.float32) * scale
    return _to_float(_left_justified(raw, layout) << shift)


def _left_justified(raw: memoryview, layout: RawLayout) -> np.ndarray:
    """Each container's bytes at the top of an int64, as (frames, channels)."""
    containers = np.frombuffer(raw, np.uint8).reshape(-1, layout.channels, layout.container)
    wide = np.zeros((containers.shape[0], layout.channels, 8), np.uint8)
    wide[..., 8 - layout.container :] = containers
    return wide.view("<i8")[..., 0]


def _to_float(values: np.ndarray) -> np.ndarray:
    return (values * 2.0**-63).astype(np.float32)


def _justification(f: BufferedIOBase, layout: RawLayout) -> str | None:
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
