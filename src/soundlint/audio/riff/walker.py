"""The chunk walk itself: ``walk`` and ``walk_stream`` and the ``_Walker`` behind them."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from soundlint.audio.riff.checks import _WalkChecks
from soundlint.audio.riff.chunks import parse_bext, parse_ds64, parse_fmt, parse_info
from soundlint.audio.riff.ids import _KNOWN_IDS, _label, _plausible_id
from soundlint.audio.riff.messages import _bytes, _duration, _not_wav_message
from soundlint.audio.riff.report import (
    CORRUPT,
    NONCONFORMING,
    NOT_WAV,
    RF64_PROBLEM,
    Chunk,
    Finding,
    RiffReport,
)
from soundlint.audio.riff.state import _U32_MAX
from soundlint.audio.sniff import SNIFF_BYTES, sniff

PARSE_CAP = 64 * 1024
"""The most bytes read from any one chunk that is parsed."""
MAX_CHUNKS = 10_000
"""The walk gives up after this many chunks (a WAV007 finding says so)."""
_WAVE_CONTAINERS = frozenset({"WAV", "RF64", "BW64", "RIFX"})


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


class _Walker(_WalkChecks):
    """Walks the chunk list header by header, parsing the chunks it knows as it goes."""

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
        not_a_header = len(header) < 8 or not _plausible_id(header[:4])
        if not_a_header and header != bytes(8) and not past_riff:
            data = self._whole_audio_before(position)
            if data is not None:
                self._trailing_bytes(position, header, data)
                return None
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

    def _whole_audio_before(self, position: int) -> Chunk | None:
        """The data chunk, when it and the fmt chunk lie whole before ``position``, it is not
        empty, and the RIFF ends inside the file: what follows cannot take audio away."""
        data = self.data
        if self.fmt is None or data is None or not data.size:
            return None
        if self.riff_end is None or self.riff_end > self.size:
            return None
        return data if data.offset + 8 + data.size <= position else None

    def _trailing_bytes(self, position: int, header: bytes, data: Chunk) -> None:
        """Bytes after the whole audio that are not a chunk: readers skip them (a warning)."""
        after = f"at byte {position}, after the whole data chunk at byte {data.offset},"
        if len(header) < 8:
            what = f"{_bytes(len(header))} {after} are too few for a chunk header"
            skipped = "them"
        else:
            what = f"bytes {header.hex(' ')} {after} are not a chunk header"
            skipped = f"the {_bytes((self.riff_end or self.size) - position)} to the RIFF end"
        self._add(NONCONFORMING, f"{what}: readers skip {skipped} and get all the audio", position)

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
        """The chunk's size, looking 0xFFFFFFFF up in ds64 for RF64/BW64. In a RIFF, a data
        size of 0xFFFFFFFF is a streaming writer's placeholder: the audio runs to the end of
        the file, which may be longer than 4 GiB."""
        if not self.rf64 and cid == "data" and size32 == _U32_MAX:
            return max(0, self.size - position - 8)
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
            self.fact_chunk = chunk

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
