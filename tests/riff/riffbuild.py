"""Build WAV, RF64 and BWF bytes by hand, field by field, for the RIFF walker's tests."""

from __future__ import annotations

import io
import struct
from typing import Any

from soundlint.audio.riff import RiffReport, walk_stream

CODES = {"WAV001", "WAV002", "WAV007", "WAV008"}
KS_TAIL = bytes.fromhex("00001000800000aa00389b71")
U32_MAX = 0xFFFF_FFFF


def chunk(cid: bytes, body: bytes, *, size: int | None = None, pad: bool = True) -> bytes:
    """A chunk: ID, declared size (the body's length unless given), body and pad byte."""
    declared = len(body) if size is None else size
    out = cid + struct.pack("<I", declared) + body
    return out + b"\x00" if pad and len(body) % 2 else out


def fmt_body(
    *,
    tag: int = 1,
    channels: int = 2,
    rate: int = 44100,
    bits: int = 16,
    block_align: int | None = None,
    byte_rate: int | None = None,
) -> bytes:
    """A 16-byte PCMWAVEFORMAT body; block align and byte rate computed unless given."""
    align = channels * ((bits + 7) // 8) if block_align is None else block_align
    per_second = rate * align if byte_rate is None else byte_rate
    return struct.pack("<HHIIHH", tag, channels, rate, per_second, align, bits)


def extensible_body(
    *,
    channels: int = 2,
    rate: int = 48000,
    bits: int = 24,
    valid_bits: int | None = None,
    mask: int = 0x3,
    sub_tag: int = 1,
    cb_size: int = 22,
    guid: bytes | None = None,
) -> bytes:
    """A 40-byte WAVE_FORMAT_EXTENSIBLE body with a KSDATAFORMAT sub-format GUID."""
    base = fmt_body(tag=0xFFFE, channels=channels, rate=rate, bits=bits)
    sub_format = guid if guid is not None else struct.pack("<I", sub_tag) + KS_TAIL
    valid = bits if valid_bits is None else valid_bits
    return base + struct.pack("<HHI", cb_size, valid, mask) + sub_format


def riff(
    *chunks: bytes, magic: bytes = b"RIFF", form: bytes = b"WAVE", size: int | None = None
) -> bytes:
    """A RIFF file around ``chunks``; its size field computed unless given."""
    body = form + b"".join(chunks)
    declared = len(body) if size is None else size
    return magic + struct.pack("<I", declared) + body


def samples(frames: int, block_align: int) -> bytes:
    """Deterministic non-silent sample bytes."""
    return bytes(i % 251 for i in range(frames * block_align))


def pcm_wav(frames: int = 100, *, channels: int = 2, bits: int = 16, rate: int = 44100) -> bytes:
    """A canonical 44-byte-header PCM WAV."""
    align = channels * ((bits + 7) // 8)
    fmt = fmt_body(channels=channels, bits=bits, rate=rate)
    return riff(chunk(b"fmt ", fmt), chunk(b"data", samples(frames, align)))


def float_wav(frames: int = 100) -> bytes:
    """A mono 32-bit IEEE float WAV with its fact chunk."""
    fmt = fmt_body(tag=3, channels=1, bits=32, rate=48000) + struct.pack("<H", 0)
    fact = chunk(b"fact", struct.pack("<I", frames))
    return riff(chunk(b"fmt ", fmt), fact, chunk(b"data", samples(frames, 4)))


def extensible_wav(frames: int = 100, **fields: Any) -> bytes:
    """A stereo 24-bit WAVE_FORMAT_EXTENSIBLE WAV."""
    fmt = extensible_body(**fields)
    align = struct.unpack("<H", fmt[12:14])[0]
    return riff(chunk(b"fmt ", fmt), chunk(b"data", samples(frames, align)))


def ds64_body(
    riff_size: int, data_size: int, sample_count: int, table: dict[bytes, int] | None = None
) -> bytes:
    """A ds64 body: three 64-bit sizes and a table of other chunks' sizes."""
    entries = table or {}
    out = struct.pack("<QQQI", riff_size, data_size, sample_count, len(entries))
    return out + b"".join(cid + struct.pack("<Q", size) for cid, size in entries.items())


def rf64_wav(
    frames: int = 100,
    *,
    magic: bytes = b"RF64",
    riff_size32: int = U32_MAX,
    data_size32: int = U32_MAX,
    sample_count: int | None = None,
    riff_size_delta: int = 0,
    data_size_delta: int = 0,
) -> bytes:
    """A stereo 16-bit RF64 (or BW64) file whose sizes live in ds64."""
    data = samples(frames, 4)
    fmt = chunk(b"fmt ", fmt_body())
    data_chunk = chunk(b"data", data, size=data_size32)
    ds64_len = 8 + 28
    riff_size = 4 + ds64_len + len(fmt) + len(data_chunk) + riff_size_delta
    count = frames if sample_count is None else sample_count
    ds64 = chunk(b"ds64", ds64_body(riff_size, len(data) + data_size_delta, count))
    return riff(ds64, fmt, data_chunk, magic=magic, size=riff_size32)


def bext_body(
    *,
    description: str = "Rain on a tin roof",
    originator: str = "soundlint tests",
    reference: str = "REF-0001",
    date: str = "2024-05-01",
    time: str = "12:34:56",
    time_reference: int = 48000 * 3600 + 7,
    version: int = 2,
    umid: bytes = bytes(range(64)),
    loudness: tuple[int, int, int, int, int] = (-2300, 450, -150, -1800, -2000),
    coding_history: bytes = b"A=PCM,F=48000,W=24,M=stereo,T=test\r\n",
) -> bytes:
    """An EBU Tech 3285 bext body (602 fixed bytes, then the coding history)."""
    fixed = struct.pack(
        "<256s32s32s10s8sIIH64s5h180s",
        description.encode(),
        originator.encode(),
        reference.encode(),
        date.encode(),
        time.encode(),
        time_reference & U32_MAX,
        time_reference >> 32,
        version,
        umid,
        *loudness,
        b"",
    )
    return fixed + coding_history


def bwf_wav(frames: int = 100, **bext_fields: Any) -> bytes:
    """A 16-bit stereo Broadcast WAVE: bext, fmt, LIST/INFO, data."""
    bext = chunk(b"bext", bext_body(**bext_fields))
    info = info_list({b"INAM": b"Rain", b"IART": b"Field recordist"})
    return riff(bext, chunk(b"fmt ", fmt_body()), info, chunk(b"data", samples(frames, 4)))


def info_list(tags: dict[bytes, bytes]) -> bytes:
    """A LIST/INFO chunk holding NUL-terminated ``tags``."""
    items = b"".join(chunk(cid, text + b"\x00") for cid, text in tags.items())
    return chunk(b"LIST", b"INFO" + items)


def walk_bytes(data: bytes) -> RiffReport:
    """Walk ``data`` and check what every report must satisfy."""
    report = walk_stream(io.BytesIO(data), len(data))
    for finding in report.findings:
        assert finding.code in CODES, finding
        assert "byte" in finding.message, finding
    offsets = [c.offset for c in report.chunks]
    assert offsets == sorted(set(offsets))
    assert all(12 <= c.offset <= len(data) - 8 for c in report.chunks)
    if not report.findings:
        assert report.fmt is not None
        assert report.data_offset is not None
    return report


def codes(data: bytes) -> set[str]:
    return set(walk_bytes(data).codes)


def messages(data: bytes, code: str) -> list[str]:
    return [f.message for f in walk_bytes(data).findings if f.code == code]
