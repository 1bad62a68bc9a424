"""The mutable state of one walk, the findings and notes it records, and its report."""

from __future__ import annotations

from types import MappingProxyType
from typing import BinaryIO

from soundlint.audio.riff.chunks import Problem
from soundlint.audio.riff.ids import _label
from soundlint.audio.riff.report import (
    _IMA_ADPCM,
    _UNCOMPRESSED,
    CORRUPT,
    Bext,
    Chunk,
    Ds64,
    Finding,
    FmtChunk,
    RiffReport,
)
from soundlint.audio.riff.source import _Source

_U32_MAX = 0xFFFF_FFFF


class _WalkState:
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
        self.fact_chunk: Chunk | None = None
        self.bext: Bext | None = None
        self.info: dict[str, str] | None = None
        self.incomplete = False
        """The walk ended before the chunk list did (truncation, garbage, read error)."""
        self.overran = False
        """A chunk runs past the end of the file."""

    def _missing_data_bytes(self) -> int:
        if self.data is None:
            return 0
        present = max(0, self.size - self.data.offset - 8)
        return max(0, self.data.size - present)

    def _seconds(self, n_bytes: int, before: int = 0) -> float | None:
        """The audio time of ``n_bytes`` of data that follow ``before`` bytes of it: for ADPCM
        the frames its blocks decode to (writers' byte rates are often wrong), else by rate."""
        if self.fmt is None:
            return None
        per_block = self.fmt.block_samples
        if per_block is not None and self.fmt.sample_rate:
            blocks = self._adpcm_blocks(before + n_bytes) - self._adpcm_blocks(before)
            return blocks * per_block / self.fmt.sample_rate
        per_second = self.fmt.byte_rate
        if self.fmt.effective_tag in _UNCOMPRESSED and self.fmt.frame_size:
            per_second = self.fmt.frame_size * self.fmt.sample_rate
        return n_bytes / per_second if per_second else None

    def _frames(self) -> int | None:
        if self.data is None or self.fmt is None:
            return None
        present = self.data.size - self._missing_data_bytes()
        if self.fmt.effective_tag in _UNCOMPRESSED and self.fmt.frame_size:
            return present // self.fmt.frame_size
        per_block = self.fmt.block_samples
        if per_block is not None:
            return self._adpcm_blocks(present) * per_block
        if self.fact_samples is not None and self.fact_samples != _U32_MAX:
            return self.fact_samples
        return self.ds64.sample_count if self.ds64 and self.ds64.sample_count else None

    def _adpcm_blocks(self, present: int) -> int:
        """ADPCM blocks in ``present`` data bytes as libsndfile decodes them: a partial last
        block counts for IMA (decoded as a whole one), not for MS."""
        assert self.fmt is not None
        align = self.fmt.block_align
        return -(-present // align) if self.fmt.effective_tag == _IMA_ADPCM else present // align

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
