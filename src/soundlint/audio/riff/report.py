"""What a walk reports: the finding codes, the chunk and report types, encoding names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from soundlint.model import ContainerFinding as Finding  # what the walker reports

NOT_WAV = "WAV001"
CORRUPT = "WAV002"
NONCONFORMING = "WAV007"
RF64_PROBLEM = "WAV008"


_EXTENSIBLE = 0xFFFE
_IEEE_FLOAT = 0x0003
_G711 = frozenset({0x0006, 0x0007})
_UNCOMPRESSED = frozenset({0x0001, _IEEE_FLOAT, *_G711})
_MS_ADPCM = 0x0002
_IMA_ADPCM = 0x0011
_ADPCM_HEADER_BYTES = {_MS_ADPCM: 6, _IMA_ADPCM: 4}
"""Per channel, the bytes of a 4-bit ADPCM block header less those holding samples (MS's 7-byte
header holds 2 samples in 4 bytes' worth; IMA's 4-byte header 1 sample, counted apart)."""
_CONTAINERS = frozenset({2, 4, 8})
"""Sample container sizes a padded layout may use (16 bits in 4 bytes, 24 in 4, 32 in 8)."""
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

    @property
    def implied_block_align(self) -> int:
        """Channels x the whole bytes that bits_per_sample takes: the frame libsndfile reads."""
        return self.channels * ((self.bits_per_sample + 7) // 8)

    @property
    def container_bytes(self) -> int | None:
        """Bytes per sample when block align puts samples in larger containers than their bits
        take (24 bits in 4 bytes); None for packed samples or a block align that is wrong."""
        if self.effective_tag not in _UNCOMPRESSED or not self.channels or not self.bits_per_sample:
            return None
        container, rest = divmod(self.block_align, self.channels)
        needed = (self.bits_per_sample + 7) // 8
        if rest or container not in _CONTAINERS or container <= needed:
            return None
        if self.byte_rate == self.sample_rate * self.implied_block_align:
            return None  # the byte rate sides with the bits: the block align is the odd one out
        return container

    @property
    def block_samples(self) -> int | None:
        """Frames in each block of 4-bit IMA or MS ADPCM, from block align and channels as
        libsndfile reckons them; None for other encodings."""
        header = _ADPCM_HEADER_BYTES.get(self.effective_tag)
        if header is None or self.bits_per_sample != 4 or not self.channels:
            return None
        if self.block_align <= header * self.channels:
            return None
        samples = 2 * (self.block_align - header * self.channels) // self.channels
        return samples + 1 if self.effective_tag == _IMA_ADPCM else samples

    @property
    def frame_size(self) -> int:
        """Bytes per frame: block align, unless it contradicts channels and bits of uncompressed
        audio (then what they imply, as libsndfile reads it)."""
        if self.effective_tag not in _UNCOMPRESSED or not self.implied_block_align:
            return self.block_align
        if self.container_bytes is not None:
            return self.block_align
        return self.implied_block_align


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
    file // ``FmtChunk.frame_size``; for IMA and MS ADPCM the frames its blocks decode to;
    for other encodings the fact (or ds64) sample count, if any."""
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
