"""Checks of the whole file once the chunk walk is over: sizes, required chunks, order."""

from __future__ import annotations

from soundlint.audio.riff.messages import _bytes, _duration
from soundlint.audio.riff.report import CORRUPT, NONCONFORMING, RF64_PROBLEM, Ds64
from soundlint.audio.riff.state import _U32_MAX, _WalkState


class _WalkChecks(_WalkState):
    """The checks that need the whole chunk list; ``_finish()`` runs them all."""

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
