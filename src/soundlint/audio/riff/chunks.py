"""Parsers of the small chunks the walker reads: bytes in, value and problems out.

Each parser also checks what it parsed for consistency (fmt fields against each other, a
ds64 table against its declared length, ...) and says what is wrong as ``Problem``s.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from types import MappingProxyType

from soundlint.audio.riff.ids import _label, _plausible_id
from soundlint.audio.riff.report import (
    _EXTENSIBLE,
    _G711,
    _IEEE_FLOAT,
    _UNCOMPRESSED,
    CORRUPT,
    NONCONFORMING,
    RF64_PROBLEM,
    Bext,
    Ds64,
    FmtChunk,
    encoding_name,
)

_KS_GUID_TAIL = bytes.fromhex("800000aa00389b71")
_BEXT_LAYOUT = "256s32s32s10s8sIIH64s5h180s"
_DS64_SIZES = 24
"""The RIFF, data and sample sizes of a ds64 chunk."""
_DS64_HEADER = 28
"""The three sizes and the length of the table of other chunks' sizes."""

Problem = tuple[str, str]
"""A rule code and a message tail, before the walker names the chunk it is about."""


def parse_fmt(body: bytes, endian: str = "<") -> tuple[FmtChunk | None, list[Problem]]:
    """Parse a fmt chunk body and say what is wrong with it."""
    if len(body) < 14:
        return None, [(CORRUPT, f"is {len(body)} bytes, too short for a format header (16)")]
    tag, channels, rate, byte_rate, align = struct.unpack(endian + "HHIIH", body[:14])
    problems: list[Problem] = []
    bits = 0
    if len(body) < 16:
        problems.append((CORRUPT, f"is {len(body)} bytes: too short to hold bits per sample (16)"))
    else:
        (bits,) = struct.unpack(endian + "H", body[14:16])
    fmt = FmtChunk(tag, channels, rate, byte_rate, align, bits)
    problems += _zero_fields(fmt)
    problems += _cb_size_problems(body, endian)
    if tag == _EXTENSIBLE:
        fmt, extension_problems = _parse_extension(fmt, body, endian)
        problems += extension_problems
    if len(body) >= 16 and bits == 0 and fmt.effective_tag in _UNCOMPRESSED:
        problems.append((CORRUPT, f"has bits per sample 0 for {fmt.encoding}"))
    problems += _consistency_problems(fmt)
    return fmt, problems


def _zero_fields(fmt: FmtChunk) -> list[Problem]:
    fields = {
        "channels": fmt.channels,
        "sample rate": fmt.sample_rate,
        "block align": fmt.block_align,
    }
    return [(CORRUPT, f"has {name} 0") for name, value in fields.items() if value == 0]


def _cb_size_problems(body: bytes, endian: str) -> list[Problem]:
    if len(body) < 18:
        return []
    (cb_size,) = struct.unpack(endian + "H", body[16:18])
    if cb_size <= len(body) - 18:
        return []
    return [(NONCONFORMING, f"has cbSize {cb_size} but only {len(body) - 18} extension bytes")]


def _parse_extension(fmt: FmtChunk, body: bytes, endian: str) -> tuple[FmtChunk, list[Problem]]:
    """Read WAVE_FORMAT_EXTENSIBLE's fields and check them against the basic header."""
    cb_size = struct.unpack(endian + "H", body[16:18])[0] if len(body) >= 18 else None
    problems: list[Problem] = []
    if cb_size is None or cb_size < 22 or len(body) < 40:
        problems.append(
            (
                NONCONFORMING,
                f"is WAVE_FORMAT_EXTENSIBLE but is {len(body)} bytes with cbSize {cb_size}: "
                "the extension needs 40 bytes and cbSize 22",
            )
        )
    if len(body) < 40:
        return fmt, problems
    valid_bits, mask = struct.unpack(endian + "HI", body[18:24])
    guid, sub_tag = _guid(body[24:40], endian)
    fmt = replace(
        fmt,
        valid_bits=valid_bits,
        channel_mask=mask,
        sub_format=guid,
        sub_format_tag=sub_tag,
    )
    return fmt, problems + _extension_problems(fmt)


def _extension_problems(fmt: FmtChunk) -> list[Problem]:
    problems: list[Problem] = []
    bits = fmt.bits_per_sample
    if fmt.valid_bits is not None and fmt.valid_bits > bits:
        problems.append(
            (NONCONFORMING, f"has {fmt.valid_bits} valid bits in a {bits}-bit sample container")
        )
    if bits % 8:
        problems.append(
            (NONCONFORMING, f"is extensible with {bits}-bit containers, not whole bytes")
        )
    if fmt.sub_format_tag in (0, _EXTENSIBLE):
        problems.append((NONCONFORMING, f"has sub-format {fmt.sub_format}, which names no format"))
    speakers = (fmt.channel_mask or 0).bit_count()
    if speakers > fmt.channels:
        problems.append(
            (
                NONCONFORMING,
                f"has channel mask 0x{fmt.channel_mask:X} naming {speakers} speakers "
                f"for {fmt.channels} channels",
            )
        )
    return problems


def _consistency_problems(fmt: FmtChunk) -> list[Problem]:
    """block_align and byte_rate against channels and bits, for uncompressed encodings."""
    tag = fmt.effective_tag
    bits = fmt.bits_per_sample
    if tag not in _UNCOMPRESSED or bits == 0:
        return []
    problems: list[Problem] = []
    if tag == _IEEE_FLOAT and bits not in (32, 64):
        problems.append((NONCONFORMING, f"is IEEE float with {bits} bits per sample (32 or 64)"))
    if tag in _G711 and bits != 8:
        problems.append((NONCONFORMING, f"is {encoding_name(tag)} with {bits} bits (8)"))
    problems += _block_align_problems(fmt)
    frame = fmt.frame_size
    expected_rate = fmt.sample_rate * frame
    if fmt.byte_rate not in (expected_rate, fmt.sample_rate * fmt.block_align):
        frames = f"block align {frame}" if frame == fmt.block_align else f"{frame}-byte frames"
        problems.append(
            (
                NONCONFORMING,
                f"has byte rate {fmt.byte_rate}, but {fmt.sample_rate} Hz x {frames} is "
                f"{expected_rate}",
            )
        )
    return problems


def _block_align_problems(fmt: FmtChunk) -> list[Problem]:
    """Block align against channels and bits: padded containers, or a wrong field."""
    implied, align, bits = fmt.implied_block_align, fmt.block_align, fmt.bits_per_sample
    if align == implied or align == 0:
        return []
    container = fmt.container_bytes
    if container is not None:
        detail = (
            f"has block align {align} for {fmt.channels} channels of {bits} bits: "
            f"{container}-byte containers, which only WAVE_FORMAT_EXTENSIBLE describes "
            "(many readers get the samples wrong)"
        )
        return [] if fmt.format_tag == _EXTENSIBLE else [(NONCONFORMING, detail)]
    agrees = ""
    if fmt.byte_rate == fmt.sample_rate * implied:
        agrees = f" (and the byte rate agrees with {implied})"
    return [
        (
            NONCONFORMING,
            f"has block align {align}, but {fmt.channels} channels of {bits} bits take "
            f"{implied}{agrees}: the block align is wrong; frames are counted as {implied} bytes",
        )
    ]


def _guid(raw: bytes, endian: str) -> tuple[str, int | None]:
    """The GUID as text, and the format tag it stands for when it is a KSDATAFORMAT GUID."""
    data1, data2, data3 = struct.unpack(endian + "IHH", raw[:8])
    tail = raw[8:16]
    text = f"{data1:08x}-{data2:04x}-{data3:04x}-{tail[:2].hex()}-{tail[2:].hex()}"
    is_ks = data1 <= 0xFFFF and data2 == 0 and data3 == 0x0010 and tail == _KS_GUID_TAIL
    return text, data1 if is_ks else None


def parse_ds64(body: bytes, endian: str = "<") -> tuple[Ds64 | None, list[Problem]]:
    """Parse a ds64 chunk body: RIFF, data and sample sizes, then the table of other sizes."""
    if len(body) < _DS64_SIZES:
        detail = f"is {len(body)} bytes, too short for its three 8-byte sizes (24)"
        return None, [(RF64_PROBLEM, detail)]
    if len(body) < _DS64_HEADER:
        sizes = struct.unpack(endian + "QQQ", body[:_DS64_SIZES])
        detail = (
            f"is {len(body)} bytes: the RIFF, data and sample sizes without the table length "
            f"after them ({_DS64_HEADER} bytes with it); read as a ds64 with no table"
        )
        return Ds64(*sizes), [(NONCONFORMING, detail)]
    riff_size, data_size, samples, table_length = struct.unpack(
        endian + "QQQI", body[:_DS64_HEADER]
    )
    fits = (len(body) - _DS64_HEADER) // 12
    table = {}
    for i in range(min(table_length, fits)):
        cid, size = struct.unpack(
            endian + "4sQ", body[_DS64_HEADER + 12 * i : _DS64_HEADER + 12 * (i + 1)]
        )
        table[cid.decode("latin-1")] = size
    problems: list[Problem] = []
    if table_length > fits:
        problems.append(
            (RF64_PROBLEM, f"declares a table of {table_length} sizes but holds {fits}")
        )
    return Ds64(riff_size, data_size, samples, MappingProxyType(table)), problems


def parse_bext(body: bytes, endian: str = "<") -> tuple[Bext | None, list[Problem]]:
    """Parse a Broadcast WAVE bext chunk body."""
    fixed = struct.calcsize(endian + _BEXT_LAYOUT)
    if len(body) < fixed:
        return None, [
            (NONCONFORMING, f"is {len(body)} bytes, shorter than its {fixed}-byte header")
        ]
    fields = struct.unpack(endian + _BEXT_LAYOUT, body[:fixed])
    description, originator, reference, date, time, low, high, version, umid = fields[:9]
    loudness = [v / 100 if version >= 2 else None for v in fields[9:14]]
    bext = Bext(
        description=_text(description),
        originator=_text(originator),
        originator_reference=_text(reference),
        origination_date=_text(date),
        origination_time=_text(time),
        time_reference=high << 32 | low,
        version=version,
        umid=umid.hex() if any(umid) else "",
        loudness_value=loudness[0],
        loudness_range=loudness[1],
        max_true_peak_level=loudness[2],
        max_momentary_loudness=loudness[3],
        max_short_term_loudness=loudness[4],
        coding_history=_text(body[fixed:]),
    )
    return bext, []


def parse_info(
    body: bytes, base: int, endian: str = "<", capped: bool = False
) -> tuple[dict[str, str], list[Problem]]:
    """Parse a LIST/INFO body (starting with 'INFO') at file offset ``base`` into tags.

    ``capped`` says the body was cut at PARSE_CAP: an item running off it is not an error.
    """
    tags: dict[str, str] = {}
    position = 4
    while position + 8 <= len(body):
        raw_id, size = struct.unpack(endian + "4sI", body[position : position + 8])
        item_id = raw_id.decode("latin-1")
        if not _plausible_id(raw_id):
            return tags, [(NONCONFORMING, f"holds garbage at byte {base + position}")]
        end = position + 8 + size
        if end > len(body):
            if capped:
                break
            where = base + position
            return tags, [
                (
                    NONCONFORMING,
                    f"has item {_label(item_id)} at byte {where} running past its end",
                )
            ]
        tags[item_id] = _text(body[position + 8 : end])
        position = end + size % 2
    return tags, []


def _text(raw: bytes) -> str:
    """A NUL-terminated text field: UTF-8 when it decodes as such, else Latin-1."""
    raw = raw.split(b"\x00", 1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.rstrip()
