"""Walk the chunks of a RIFF/WAVE, RF64 or BW64 file without reading its audio.

``walk`` reads the file header, each 8-byte chunk header and the few small chunks it
parses (fmt, fact, ds64, bext, LIST/INFO; at most ``PARSE_CAP`` bytes of each) and seeks
over everything else, so a 1 GB file costs a few hundred bytes of reading. Declared sizes
are never trusted: nothing is allocated or read on their word.

No file content makes it raise. What it finds is reported as ``Finding``s:

- WAV001: not a RIFF/WAVE file (named from its magic bytes), or the file cannot be opened.
- WAV002: truncated or corrupt, including read errors part-way through the file.
- WAV007: structural non-conformance that readers usually survive (a warning).
- WAV008: RF64/BW64 size problems, and big-endian RIFX, which the platform does not take.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from soundlint.audio.sniff import SNIFF_BYTES, sniff

NOT_WAV = "WAV001"
CORRUPT = "WAV002"
NONCONFORMING = "WAV007"
RF64_PROBLEM = "WAV008"

PARSE_CAP = 64 * 1024
"""The most bytes read from any one chunk that is parsed."""
MAX_CHUNKS = 10_000
"""The walk gives up after this many chunks (a WAV007 finding says so)."""

_U32_MAX = 0xFFFF_FFFF
_EXTENSIBLE = 0xFFFE
_IEEE_FLOAT = 0x0003
_G711 = frozenset({0x0006, 0x0007})
_UNCOMPRESSED = frozenset({0x0001, _IEEE_FLOAT, *_G711})
_KS_GUID_TAIL = bytes.fromhex("800000aa00389b71")
_BEXT_LAYOUT = "256s32s32s10s8sIIH64s5h180s"
_WAVE_CONTAINERS = frozenset({"WAV", "RF64", "BW64", "RIFX"})
_KNOWN_IDS = frozenset(
    b"fmt |data|fact|LIST|bext|ds64|JUNK|junk|PAD |FLLR|iXML|axml|cue |smpl|inst|"
    b"plst|labl|id3 |ID3 |PEAK|levl|chna|cart|umid|minf|elm1|regn|ovwf|acid|strc|"
    b"afsp|DISP|MD5 |fake|filr|wavl|slnt|list|akai".split(b"|")
)
_CONTAINER_NAMES = {
    "MP3": "an MP3 file",
    "FLAC": "a FLAC file",
    "Ogg": "an Ogg file",
    "AIFF": "an AIFF file",
    "AIFC": "an AIFF-C file",
    "AU": "a Sun/NeXT AU file",
    "CAF": "an Apple CAF file",
    "MP4/M4A": "an MP4/M4A file",
    "W64": "a Sony Wave64 (W64) file",
    "text": "a text file",
}
_ENCODINGS = {
    0x0000: "unknown",
    0x0001: "PCM",
    0x0002: "MS ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "µ-law",
    0x0008: "DTS",
    0x0010: "OKI ADPCM",
    0x0011: "IMA ADPCM",
    0x0022: "TrueSpeech",
    0x0031: "GSM 6.10",
    0x0040: "G.721 ADPCM",
    0x0050: "MPEG",
    0x0055: "MPEG Layer 3",
    0x0092: "Dolby AC-3 SPDIF",
    0x00FF: "AAC",
    0x0161: "WMA",
    0x0162: "WMA Pro",
    0x0163: "WMA Lossless",
    0x1610: "HE-AAC",
    0x2000: "AC-3",
    0xF1AC: "FLAC",
    0xFFFE: "extensible",
    0xFFFF: "development",
}


def encoding_name(format_tag: int) -> str:
    """Name a WAVE format tag: 1 'PCM', 3 'IEEE float', 0x55 'MPEG Layer 3', ..."""
    return _ENCODINGS.get(format_tag, f"unknown (0x{format_tag:04X})")


@dataclass(frozen=True)
class Chunk:
    """A chunk as walked: its 4CC, the offset of its header and its size.

    ``size`` is the declared body size, resolved through ds64 for RF64/BW64; it may run
    past the end of the file (a finding then says so).
    """

    id: str
    offset: int
    size: int


@dataclass(frozen=True)
class Finding:
    """A problem found in the file: a rule code, a message naming the chunk and its offset."""

    code: str
    message: str
    offset: int | None
    chunk: str | None = None


@dataclass(frozen=True)
class FmtChunk:
    """The fmt chunk's fields; the extension fields only for WAVE_FORMAT_EXTENSIBLE."""

    format_tag: int
    channels: int
    sample_rate: int
    byte_rate: int
    block_align: int
    bits_per_sample: int
    """0 when the chunk is too short to hold it."""
    valid_bits: int | None = None
    channel_mask: int | None = None
    sub_format: str | None = None
    """The sub-format GUID, e.g. '00000001-0000-0010-8000-00aa00389b71'."""
    sub_format_tag: int | None = None
    """The format tag the sub-format GUID stands for; None for GUIDs outside the KSDATAFORMAT
    family (e.g. Ambisonic B-format)."""

    @property
    def effective_tag(self) -> int:
        """The format tag that says how the samples are coded, looking through EXTENSIBLE."""
        if self.format_tag == _EXTENSIBLE and self.sub_format_tag is not None:
            return self.sub_format_tag
        return self.format_tag

    @property
    def encoding(self) -> str:
        return encoding_name(self.effective_tag)


@dataclass(frozen=True)
class Ds64:
    """The RF64/BW64 ds64 chunk: 64-bit sizes for the RIFF, the data chunk and others."""

    riff_size: int
    data_size: int
    sample_count: int
    table: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Bext:
    """The Broadcast WAVE (EBU Tech 3285) bext chunk; loudness fields from version 2."""

    description: str
    originator: str
    originator_reference: str
    origination_date: str
    origination_time: str
    time_reference: int
    """Samples since midnight of the first sample."""
    version: int
    umid: str
    """Hex digits of the SMPTE UMID; '' when all zero."""
    loudness_value: float | None
    loudness_range: float | None
    max_true_peak_level: float | None
    max_momentary_loudness: float | None
    max_short_term_loudness: float | None
    coding_history: str


@dataclass(frozen=True)
class RiffReport:
    """What walking a file found: its container, chunks, parsed chunks and findings."""

    container: str
    """sniff()'s name for the file: 'WAV', 'RF64', 'BW64', 'RIFX', 'MP3', ..., or 'unreadable'."""
    file_size: int
    chunks: tuple[Chunk, ...] = ()
    fmt: FmtChunk | None = None
    data_offset: int | None = None
    """Offset of the first audio byte (the data chunk's header offset + 8)."""
    data_size: int | None = None
    """The data chunk's declared size (from ds64 for RF64); may exceed the bytes present."""
    frames: int | None = None
    """Whole frames present: for PCM, float, A-law and µ-law the data bytes actually in the
    file // block_align; for other encodings the fact (or ds64) sample count, if any."""
    fact_samples: int | None = None
    ds64: Ds64 | None = None
    bext: Bext | None = None
    info: Mapping[str, str] | None = None
    """LIST/INFO tags, 4CC -> text, when the file has a LIST/INFO chunk."""
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()
    """Informational remarks that are not problems, e.g. a parsed chunk read only in part."""

    @property
    def duration_s(self) -> float | None:
        if self.frames is None or self.fmt is None or not self.fmt.sample_rate:
            return None
        return self.frames / self.fmt.sample_rate

    @property
    def codes(self) -> frozenset[str]:
        """The codes of all findings."""
        return frozenset(f.code for f in self.findings)


def walk(path: Path) -> RiffReport:
    """Walk the file at ``path``. Never raises: an unopenable file gives a WAV001 finding."""
    try:
        f = path.open("rb", buffering=0)
    except OSError as exc:
        return _unreadable(path, exc)
    with f:
        try:
            size = os.fstat(f.fileno()).st_size
        except OSError as exc:
            return _unreadable(path, exc)
        return walk_stream(f, size)


def walk_stream(f: BinaryIO, size: int) -> RiffReport:
    """Walk a seekable binary stream of ``size`` bytes; read errors become WAV002 findings."""
    walker = _Walker(f, size)
    try:
        walker.run()
    except OSError as exc:
        walker.read_failed(exc)
    return walker.report()


def _unreadable(path: Path, exc: OSError) -> RiffReport:
    reason = exc.strerror or str(exc)
    finding = Finding(NOT_WAV, f"{path.name} cannot be opened: {reason}", None)
    return RiffReport(container="unreadable", file_size=0, findings=(finding,))


class _Source:
    """Bounded positional reads from a stream; remembers where it last read."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self._f = f
        self.size = size
        self.position = 0

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset``: fewer at the end of the stream, none past it."""
        n = max(0, min(n, self.size - offset))
        if n == 0:
            return b""
        self.position = offset
        self._f.seek(offset)
        parts: list[bytes] = []
        remaining = n
        while remaining:
            part = self._f.read(remaining)
            if not part:
                break
            parts.append(part)
            remaining -= len(part)
        return b"".join(parts)


Problem = tuple[str, str]
"""A rule code and a message tail, before the walker names the chunk it is about."""


class _Walker:
    """The mutable state of one walk; ``report()`` freezes it."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self.src = _Source(f, max(0, size))
        self.size = max(0, size)
        self.container = "empty"
        self.endian = "<"
        self.rf64 = False
        self.riff_size32 = 0
        self.riff_end: int | None = None
        self.chunks: list[Chunk] = []
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.fmt: FmtChunk | None = None
        self.fmt_chunk: Chunk | None = None
        self.data: Chunk | None = None
        self.data_size32 = 0
        self.ds64: Ds64 | None = None
        self.ds64_offset: int | None = None
        self.fact_samples: int | None = None
        self.bext: Bext | None = None
        self.info: dict[str, str] | None = None
        self.incomplete = False
        """The walk ended before the chunk list did (truncation, garbage, read error)."""
        self.overran = False
        """A chunk runs past the end of the file."""

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> None:
        head = self.src.read_at(0, SNIFF_BYTES)
        self.container = sniff(head)
        if not self._is_wave(head):
            return
        self.endian = ">" if head[:4] == b"RIFX" else "<"
        self.rf64 = head[:4] in (b"RF64", b"BW64")
        (self.riff_size32,) = struct.unpack(self.endian + "I", head[4:8])
        self._check_header_kind()
        self._walk_chunks()
        self._finish()

    def _is_wave(self, head: bytes) -> bool:
        """Report files that are not RIFF/WAVE; True when the walk should go on."""
        riff_like = self.container in _WAVE_CONTAINERS or self.container.startswith("RIFF/")
        if riff_like and len(head) < 12:
            self._add(CORRUPT, f"RIFF header at byte 0 is cut off: the file is {self.size} bytes")
            return False
        if riff_like and head[8:12] != b"WAVE":
            form = head[8:12].decode("latin-1")
            kind = head[:4].decode("latin-1")
            self._add(NOT_WAV, f"{kind} header at byte 0 has form {form!r}, not 'WAVE'")
            return False
        if not riff_like:
            self._add(NOT_WAV, _not_wav_message(self.container, head))
            return False
        return True

    def _check_header_kind(self) -> None:
        if self.endian == ">":
            self._add(
                RF64_PROBLEM,
                "RIFX header at byte 0: big-endian WAV, which the platform does not take",
            )
        if not self.rf64:
            self.riff_end = 8 + self.riff_size32
        elif self.riff_size32 != _U32_MAX:
            self._add(
                RF64_PROBLEM,
                f"{self.container} header at byte 0 has RIFF size {self.riff_size32}, "
                "not 0xFFFFFFFF (the real size belongs in ds64)",
            )

    def _walk_chunks(self) -> None:
        position = 12
        while position < self.size:
            if len(self.chunks) >= MAX_CHUNKS:
                self.incomplete = True
                self._add(
                    NONCONFORMING, f"more than {MAX_CHUNKS} chunks: stopped at byte {position}"
                )
                return
            chunk = self._read_header(position)
            if chunk is None:
                return
            self.chunks.append(chunk)
            if chunk.offset + 8 + chunk.size > self.size:
                self.overran = True
                if chunk.id != "data":
                    self._chunk_overruns(chunk)
                    return
            self._visit(chunk)
            if chunk.offset + 8 + chunk.size >= self.size:
                self._check_final_pad(chunk)
                return
            position = self._next_position(chunk)

    def _read_header(self, position: int) -> Chunk | None:
        """The chunk header at ``position``, or None (with a finding) when there is none."""
        header = self.src.read_at(position, 8)
        past_riff = self.riff_end is not None and position >= self.riff_end
        if len(header) < 8:
            if not past_riff:
                self.incomplete = True
                self._add(
                    CORRUPT,
                    f"chunk header at byte {position} is cut off: only {len(header)} of its "
                    "8 bytes are in the file",
                    position,
                )
            return None
        if not _plausible_id(header[:4]):
            empty_data = self._empty_data_before(position)
            if empty_data is not None:
                self._unfinalised_data(empty_data, position)
            elif not past_riff:
                self._not_a_header(position, header)
            return None
        (size32,) = struct.unpack(self.endian + "I", header[4:])
        cid = header[:4].decode("latin-1")
        if cid == "data" and self.data is None:
            self.data_size32 = size32
        return Chunk(cid, position, self._resolve_size(cid, size32, position))

    def _empty_data_before(self, position: int) -> Chunk | None:
        """The data chunk, when it is empty and ends at ``position``."""
        data = self.data
        if data is None or data.size or data.offset + 8 != position:
            return None
        return data

    def _unfinalised_data(self, data: Chunk, position: int) -> None:
        """An empty data chunk followed by what is not a chunk: a writer that never went back
        to fill in the sizes (a crash, or a stream)."""
        self.incomplete = True
        rest = self.size - position
        seconds = self._seconds(rest)
        span = f" ({_duration(seconds)})" if seconds is not None else ""
        self._chunk_finding(
            CORRUPT,
            data,
            f"declares 0 bytes but is followed by {_bytes(rest)}{span} that are not a chunk: "
            "its size was never filled in",
        )

    def _not_a_header(self, position: int, header: bytes) -> None:
        if header == bytes(8):
            self._add(
                NONCONFORMING,
                f"zero bytes at byte {position} where a chunk header should be: "
                "treating the rest of the RIFF as padding",
                position,
            )
            return
        self.incomplete = True
        self._add(
            CORRUPT,
            f"bytes {header.hex(' ')} at byte {position} are not a chunk header: "
            "the chunk list is corrupt from here",
            position,
        )

    def _resolve_size(self, cid: str, size32: int, position: int) -> int:
        """The chunk's size, looking 0xFFFFFFFF up in ds64 for RF64/BW64."""
        if not self.rf64 or size32 != _U32_MAX or cid == "ds64":
            return size32
        if self.ds64 is not None and cid == "data":
            return self.ds64.data_size
        if self.ds64 is not None and cid in self.ds64.table:
            return self.ds64.table[cid]
        rest = max(0, self.size - position - 8)
        self.notes.append(
            f"{_label(cid)} chunk at byte {position} has size 0xFFFFFFFF and ds64 gives no "
            f"size for it: assumed to run to the end of the file ({rest} bytes)"
        )
        return rest

    def _chunk_overruns(self, chunk: Chunk) -> None:
        self.incomplete = True
        present = self.size - chunk.offset - 8
        self._chunk_finding(
            CORRUPT,
            chunk,
            f"declares {chunk.size} bytes but the file ends {max(0, present)} bytes after "
            f"its header: {_bytes(chunk.size - max(0, present))} missing",
        )

    def _next_position(self, chunk: Chunk) -> int:
        """Where the next header starts: after the pad byte of an odd-sized chunk, unless the
        pad byte is evidently missing (a chunk ID fits there without it, not with it)."""
        end = chunk.offset + 8 + chunk.size
        if chunk.size % 2 == 0:
            return end
        if self._id_quality(end) > self._id_quality(end + 1):
            self._chunk_finding(
                NONCONFORMING,
                chunk,
                f"has odd size {chunk.size} but no pad byte: the next chunk starts at byte "
                f"{end}, not {end + 1}",
            )
            return end
        return end + 1

    def _check_final_pad(self, chunk: Chunk) -> None:
        if chunk.size % 2 and chunk.offset + 8 + chunk.size == self.size:
            self._chunk_finding(
                NONCONFORMING,
                chunk,
                f"has odd size {chunk.size} but the file ends without its pad byte",
            )

    def _id_quality(self, position: int) -> int:
        """2 for a well-known chunk ID at ``position``, 1 for a plausible one, else 0."""
        raw = self.src.read_at(position, 4)
        if raw in _KNOWN_IDS:
            return 2
        return 1 if len(raw) == 4 and _plausible_id(raw) else 0

    # -- the chunks it parses ---------------------------------------------------------------

    def _visit(self, chunk: Chunk) -> None:
        visitors = {
            "fmt ": self._visit_fmt,
            "data": self._visit_data,
            "ds64": self._visit_ds64,
            "fact": self._visit_fact,
            "bext": self._visit_bext,
            "LIST": self._visit_list,
        }
        visitor = visitors.get(chunk.id)
        if visitor is not None:
            visitor(chunk)

    def _body(self, chunk: Chunk) -> bytes:
        """The chunk's body, at most PARSE_CAP bytes of it (a note says when it is cut)."""
        if chunk.size > PARSE_CAP:
            self.notes.append(
                f"{_label(chunk.id)} chunk at byte {chunk.offset} is {chunk.size} bytes: "
                f"only its first {PARSE_CAP} were parsed"
            )
        return self.src.read_at(chunk.offset + 8, min(chunk.size, PARSE_CAP))

    def _visit_fmt(self, chunk: Chunk) -> None:
        if self.fmt_chunk is not None:
            self._duplicate(chunk, self.fmt_chunk)
            return
        self.fmt_chunk = chunk
        self.fmt, problems = parse_fmt(self._body(chunk), self.endian)
        self._chunk_problems(chunk, problems)

    def _visit_data(self, chunk: Chunk) -> None:
        if self.data is not None:
            self._duplicate(chunk, self.data)
            return
        self.data = chunk

    def _visit_ds64(self, chunk: Chunk) -> None:
        if not self.rf64 or self.ds64_offset is not None:
            return
        self.ds64_offset = chunk.offset
        self.ds64, problems = parse_ds64(self._body(chunk), self.endian)
        self._chunk_problems(chunk, problems)
        if self.ds64 is not None:
            self.riff_end = 8 + self.ds64.riff_size

    def _visit_fact(self, chunk: Chunk) -> None:
        count = self.src.read_at(chunk.offset + 8, min(chunk.size, 4))
        if len(count) == 4 and self.fact_samples is None:
            (self.fact_samples,) = struct.unpack(self.endian + "I", count)

    def _visit_bext(self, chunk: Chunk) -> None:
        if self.bext is None:
            self.bext, problems = parse_bext(self._body(chunk), self.endian)
            self._chunk_problems(chunk, problems)

    def _visit_list(self, chunk: Chunk) -> None:
        if self.src.read_at(chunk.offset + 8, min(chunk.size, 4)) != b"INFO":
            return
        body = self._body(chunk)
        tags, problems = parse_info(body, chunk.offset + 8, self.endian, chunk.size > PARSE_CAP)
        self.info = {**(self.info or {}), **tags}
        self._chunk_problems(chunk, problems)

    def _duplicate(self, chunk: Chunk, first: Chunk) -> None:
        self._chunk_finding(
            NONCONFORMING,
            chunk,
            f"repeats the {_label(first.id)} chunk at byte {first.offset}; "
            "readers disagree on which one counts (the first is used here)",
        )

    # -- checks once the walk is over ---------------------------------------------------------

    def _finish(self) -> None:
        self._check_riff_size()
        self._check_required_chunks()
        self._check_order()
        self._check_data_present()
        self._check_whole_frames()
        if self.rf64:
            self._check_ds64()

    def _check_riff_size(self) -> None:
        if self.riff_end is None or (self.overran and self.riff_end > self.size):
            return
        if self.riff_end == self.size:
            return
        where = f"ds64 chunk at byte {self.ds64_offset}" if self.rf64 else "RIFF header at byte 0"
        declared = self.riff_end - 8
        if self.riff_end > self.size:
            code = RF64_PROBLEM if self.rf64 else CORRUPT
            missing = self.riff_end - self.size
            detail = f"the file is {self.size} bytes: {_bytes(missing)} missing"
        else:
            code = RF64_PROBLEM if self.rf64 else NONCONFORMING
            detail = (
                f"the file is {self.size} bytes: {_bytes(self.size - self.riff_end)} after the "
                f"RIFF end at byte {self.riff_end}"
            )
            if any(c.offset >= self.riff_end for c in self.chunks):
                detail += " hold chunks (the RIFF size is stale)"
        offset = self.ds64_offset if self.rf64 else 0
        self._add(code, f"{where} declares RIFF size {declared} but {detail}", offset)

    def _check_required_chunks(self) -> None:
        if self.incomplete:
            return
        if self.fmt_chunk is None:
            self._add(CORRUPT, f"no fmt chunk in the {len(self.chunks)} chunks from byte 12", 12)
        if self.data is None:
            self._add(CORRUPT, f"no data chunk in the {len(self.chunks)} chunks from byte 12", 12)

    def _check_order(self) -> None:
        if self.data and self.fmt_chunk and self.data.offset < self.fmt_chunk.offset:
            self._chunk_finding(
                NONCONFORMING,
                self.data,
                f"comes before the fmt chunk at byte {self.fmt_chunk.offset}",
            )

    def _check_data_present(self) -> None:
        if self.data is None or self._missing_data_bytes() == 0:
            return
        missing = self._missing_data_bytes()
        present = self.data.size - missing
        seconds = self._seconds(missing)
        span = f" ({_duration(seconds)})" if seconds is not None else ""
        self._chunk_finding(
            CORRUPT,
            self.data,
            f"declares {self.data.size} bytes but the file ends {present} bytes after its "
            f"header: {_bytes(missing)}{span} missing",
        )

    def _check_whole_frames(self) -> None:
        if self.data is None or self.fmt is None or self.fmt.block_align == 0:
            return
        if self._missing_data_bytes() or self.data.size % self.fmt.block_align == 0:
            return
        align = self.fmt.block_align
        self._chunk_finding(
            CORRUPT,
            self.data,
            f"is {self.data.size} bytes, not a whole number of {align}-byte frames: "
            f"the last frame is partial ({self.data.size % align} bytes)",
        )

    def _check_ds64(self) -> None:
        if self.ds64_offset is None and self.incomplete:
            return
        if self.ds64_offset is None:
            self._add(
                RF64_PROBLEM,
                f"{self.container} file has no ds64 chunk; it must be the first chunk, at byte 12",
                12,
            )
            return
        if self.ds64_offset != 12:
            self._add(
                RF64_PROBLEM,
                f"ds64 chunk at byte {self.ds64_offset} is not the first chunk (byte 12)",
                self.ds64_offset,
                "ds64",
            )
        if self.ds64 is None or self.data is None:
            return
        if self.data_size32 not in (_U32_MAX, self.ds64.data_size):
            self._chunk_finding(
                RF64_PROBLEM,
                self.data,
                f"declares {self.data_size32} bytes but the ds64 chunk at byte "
                f"{self.ds64_offset} says {self.ds64.data_size}",
            )
        self._check_ds64_samples(self.ds64)

    def _check_ds64_samples(self, ds64: Ds64) -> None:
        frames = self._frames()
        count = ds64.sample_count
        if count and frames is not None and not self._missing_data_bytes() and count != frames:
            self._add(
                RF64_PROBLEM,
                f"ds64 chunk at byte {self.ds64_offset} declares {count} samples but the data "
                f"chunk holds {frames} frames",
                self.ds64_offset,
                "ds64",
            )

    # -- helpers ------------------------------------------------------------------------------

    def _missing_data_bytes(self) -> int:
        if self.data is None:
            return 0
        present = max(0, self.size - self.data.offset - 8)
        return max(0, self.data.size - present)

    def _seconds(self, n_bytes: int) -> float | None:
        if self.fmt is None:
            return None
        per_second = self.fmt.byte_rate
        if self.fmt.effective_tag in _UNCOMPRESSED and self.fmt.block_align:
            per_second = self.fmt.block_align * self.fmt.sample_rate
        return n_bytes / per_second if per_second else None

    def _frames(self) -> int | None:
        if self.data is None or self.fmt is None:
            return None
        if self.fmt.effective_tag in _UNCOMPRESSED and self.fmt.block_align:
            present = self.data.size - self._missing_data_bytes()
            return present // self.fmt.block_align
        if self.fact_samples is not None and self.fact_samples != _U32_MAX:
            return self.fact_samples
        return self.ds64.sample_count if self.ds64 and self.ds64.sample_count else None

    def _add(
        self, code: str, message: str, offset: int | None = 0, chunk: str | None = None
    ) -> None:
        self.findings.append(Finding(code, message, offset, chunk))

    def _chunk_finding(self, code: str, chunk: Chunk, detail: str) -> None:
        message = f"{_label(chunk.id)} chunk at byte {chunk.offset} {detail}"
        self._add(code, message, chunk.offset, chunk.id)

    def _chunk_problems(self, chunk: Chunk, problems: list[Problem]) -> None:
        for code, detail in problems:
            self._chunk_finding(code, chunk, detail)

    def read_failed(self, exc: OSError) -> None:
        """Record a read error part-way through the file."""
        self.incomplete = True
        reason = exc.strerror or str(exc)
        position = self.src.position
        self._add(CORRUPT, f"read error near byte {position}: {reason}", position)

    def report(self) -> RiffReport:
        data = self.data
        return RiffReport(
            container=self.container,
            file_size=self.size,
            chunks=tuple(self.chunks),
            fmt=self.fmt,
            data_offset=data.offset + 8 if data else None,
            data_size=data.size if data else None,
            frames=self._frames(),
            fact_samples=self.fact_samples,
            ds64=self.ds64,
            bext=self.bext,
            info=MappingProxyType(self.info) if self.info is not None else None,
            findings=tuple(sorted(self.findings, key=lambda f: f.offset or 0)),
            notes=tuple(self.notes),
        )


# -- chunk parsers: bytes in, value and problems out -----------------------------------------


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
    expected_align = fmt.channels * ((bits + 7) // 8)
    if fmt.block_align != expected_align:
        problems.append(
            (
                NONCONFORMING,
                f"has block align {fmt.block_align}, but {fmt.channels} channels of {bits} "
                f"bits take {expected_align}",
            )
        )
    expected_rate = fmt.sample_rate * fmt.block_align
    if fmt.byte_rate != expected_rate:
        problems.append(
            (
                NONCONFORMING,
                f"has byte rate {fmt.byte_rate}, but {fmt.sample_rate} Hz x block align "
                f"{fmt.block_align} is {expected_rate}",
            )
        )
    return problems


def _guid(raw: bytes, endian: str) -> tuple[str, int | None]:
    """The GUID as text, and the format tag it stands for when it is a KSDATAFORMAT GUID."""
    data1, data2, data3 = struct.unpack(endian + "IHH", raw[:8])
    tail = raw[8:16]
    text = f"{data1:08x}-{data2:04x}-{data3:04x}-{tail[:2].hex()}-{tail[2:].hex()}"
    is_ks = data1 <= 0xFFFF and data2 == 0 and data3 == 0x0010 and tail == _KS_GUID_TAIL
    return text, data1 if is_ks else None


def parse_ds64(body: bytes, endian: str = "<") -> tuple[Ds64 | None, list[Problem]]:
    """Parse a ds64 chunk body: RIFF, data and sample sizes, then the table of other sizes."""
    if len(body) < 28:
        return None, [(RF64_PROBLEM, f"is {len(body)} bytes, too short for its sizes (28)")]
    riff_size, data_size, samples, table_length = struct.unpack(endian + "QQQI", body[:28])
    fits = (len(body) - 28) // 12
    table = {}
    for i in range(min(table_length, fits)):
        cid, size = struct.unpack(endian + "4sQ", body[28 + 12 * i : 40 + 12 * i])
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


# -- small helpers ---------------------------------------------------------------------------


def _plausible_id(raw: bytes) -> bool:
    """A chunk ID is four printable ASCII characters."""
    return len(raw) == 4 and all(0x20 <= b <= 0x7E for b in raw)


def _label(cid: str) -> str:
    """A chunk ID for messages: well-known IDs bare ('fmt ' as fmt), others quoted."""
    if cid.encode("latin-1") in _KNOWN_IDS:
        return cid.rstrip(" ")
    return repr(cid)


def _text(raw: bytes) -> str:
    """A NUL-terminated text field: UTF-8 when it decodes as such, else Latin-1."""
    raw = raw.split(b"\x00", 1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.rstrip()


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.0001 else "under 0.1 ms"


def _bytes(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


def _not_wav_message(container: str, head: bytes) -> str:
    if container == "empty":
        return "the file is empty (0 bytes), not a WAV file"
    if container in _CONTAINER_NAMES:
        return f"the file is {_CONTAINER_NAMES[container]}, not a RIFF/WAVE file (byte 0)"
    return f"the file is not a RIFF/WAVE file: unrecognised bytes {head[:8].hex(' ')} at byte 0"
