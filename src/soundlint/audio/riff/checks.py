"""Checks of the whole file once the chunk walk is over: sizes, required chunks, order."""

from __future__ import annotations

from soundlint.audio.riff.messages import _bytes, _duration
from soundlint.audio.riff.report import (
    _UNCOMPRESSED,
    CORRUPT,
    NONCONFORMING,
    RF64_PROBLEM,
    Chunk,
    Ds64,
)
from soundlint.audio.riff.state import _U32_MAX, _WalkState


class _WalkChecks(_WalkState):
    """The checks that need the whole chunk list; ``_finish()`` runs them all."""

    def _finish(self) -> None:
        self._check_riff_size()
        self._check_required_chunks()
        self._check_order()
        self._check_data_present()
        self._check_whole_frames()
        self._check_fact()
        if self.rf64:
            self._check_rf64_header()
            self._check_ds64()

    def _check_riff_size(self) -> None:
        if self.riff_end is None or (self.overran and self.riff_end > self.size):
            return
        if not self.rf64 and self.riff_size32 == self.data_size32 == _U32_MAX:
            return  # a streamed file: its data finding says it all
        if self.riff_end == self.size:
            return
        where = f"ds64 chunk at byte {self.ds64_offset}" if self.rf64 else "RIFF header at byte 0"
        declared = self.riff_end - 8
        if self.riff_end > self.size and self._every_chunk_whole():
            self._riff_size_past_whole_chunks(where, declared)
            return
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

    def _every_chunk_whole(self) -> bool:
        """The walk reached the end of the file at a chunk boundary, with fmt and data."""
        whole = not (self.rf64 or self.overran or self.incomplete)
        return whole and self.fmt is not None and self.data is not None

    def _riff_size_past_whole_chunks(self, where: str, declared: int) -> None:
        """A RIFF size past the end of a file whose chunks are all there: readers get all the
        audio, so a warning (most often the size counts the RIFF header itself)."""
        if declared == self.size:
            detail = "the size of the whole file: it counts the 8-byte RIFF header too"
            self._add(
                NONCONFORMING,
                f"{where} declares RIFF size {declared}, {detail} (every chunk is whole)",
            )
            return
        short = (self.riff_end or 0) - self.size
        self._add(
            NONCONFORMING,
            f"{where} declares RIFF size {declared} but the file is {self.size} bytes: "
            f"{_bytes(short)} short of the RIFF end, yet every chunk is whole (the RIFF size is "
            "wrong, or whole chunks after the data are lost)",
        )

    def _check_rf64_header(self) -> None:
        size32 = self.riff_size32
        if size32 == _U32_MAX:
            return
        where = f"{self.container} header at byte 0 has RIFF size {size32}, not 0xFFFFFFFF"
        if self.ds64 is not None and size32 in (
            self.ds64.riff_size,
            self.ds64.riff_size & _U32_MAX,
        ):
            self._add(
                NONCONFORMING,
                f"{where}; it agrees with the ds64 chunk, so readers find every size",
            )
        else:
            self._add(RF64_PROBLEM, f"{where} (the real size belongs in ds64)")

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
        if self.data is not None and not self.rf64 and self.data_size32 == _U32_MAX:
            self._streamed_data(self.data)
        if self.data is None or self._missing_data_bytes() == 0:
            return
        missing = self._missing_data_bytes()
        present = self.data.size - missing
        seconds = self._seconds(missing, before=present)
        span = f" ({_duration(seconds)})" if seconds is not None else ""
        self._chunk_finding(
            CORRUPT,
            self.data,
            f"declares {self.data.size} bytes but the file ends {present} bytes after its "
            f"header: {_bytes(missing)}{span} missing",
        )

    def _streamed_data(self, data: Chunk) -> None:
        """A data size left at 0xFFFFFFFF: readers take the audio to the end of the file."""
        seconds = self._seconds(data.size)
        span = f" ({_duration(seconds)})" if seconds is not None else ""
        self._chunk_finding(
            NONCONFORMING,
            data,
            "declares 0xFFFFFFFF bytes, the placeholder of a writer that streamed the file and "
            f"never went back (e.g. ffmpeg to a pipe): its {_bytes(data.size)}{span} run to the "
            "end of the file",
        )

    def _check_whole_frames(self) -> None:
        fmt, data = self.fmt, self.data
        if data is None or fmt is None or fmt.frame_size == 0:
            return
        if fmt.effective_tag not in _UNCOMPRESSED:
            return  # compressed streams may end on a short block
        frame = fmt.frame_size
        if self._missing_data_bytes() or data.size % frame == 0:
            return
        audio = data.size - 1
        if audio % 2 and audio % frame == 0 and self._zero_byte_at(data.offset + 8 + audio):
            self._chunk_finding(
                NONCONFORMING,
                data,
                f"declares {data.size} bytes, which counts its pad byte: the {audio} bytes of "
                f"audio are {audio // frame} whole {frame}-byte frames",
            )
            return
        why = ""
        if frame != fmt.block_align:
            why = (
                f" ({fmt.channels} channels of {fmt.bits_per_sample} bits; the fmt chunk's "
                f"block align {fmt.block_align} is wrong)"
            )
        self._chunk_finding(
            CORRUPT,
            data,
            f"is {data.size} bytes, not a whole number of {frame}-byte frames{why}: "
            f"the last frame is partial ({data.size % frame} bytes)",
        )

    def _zero_byte_at(self, offset: int) -> bool:
        return self.src.read_at(offset, 1) == b"\x00"

    def _check_fact(self) -> None:
        """A fact sample count that the (whole) data chunk of uncompressed or ADPCM audio
        cannot hold."""
        count, fact, fmt = self.fact_samples, self.fact_chunk, self.fmt
        if count is None or fact is None or fmt is None or self._missing_data_bytes():
            return
        if fmt.effective_tag not in _UNCOMPRESSED and fmt.block_samples is None:
            return
        frames = self._frames()
        if frames is None or count <= frames or (self.rf64 and count == _U32_MAX):
            return
        holds = f"holds {frames} frames"
        if fmt.block_samples is not None and self.data is not None:
            blocks = self._adpcm_blocks(self.data.size)
            holds = f"holds {blocks} blocks of {fmt.block_samples} frames: {frames} frames"
        self._chunk_finding(
            NONCONFORMING, fact, f"declares {count} samples but the data chunk {holds}"
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
