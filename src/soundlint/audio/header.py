"""Format facts from an audio file's headers, by walking its RIFF chunks (no decoding)."""

from __future__ import annotations

from pathlib import Path

from soundlint.audio import riff
from soundlint.model import AudioInfo


def read_info(path: Path) -> AudioInfo:
    """Walk the file's chunks; never raises, whatever the file holds."""
    return info_of(riff.walk(path))


def info_of(report: riff.RiffReport) -> AudioInfo:
    """The format facts of a walked file."""
    fmt = report.fmt
    if fmt is None:
        return AudioInfo(container=report.container, frames=report.frames, findings=report.findings)
    return AudioInfo(
        container=report.container,
        format_tag=fmt.effective_tag,
        encoding=fmt.encoding,
        sample_rate=fmt.sample_rate,
        channels=fmt.channels,
        frames=report.frames,
        bits_per_sample=bit_depth(fmt),
        findings=report.findings,
    )


def bit_depth(fmt: riff.FmtChunk) -> int | None:
    """Bits per sample; for WAVE_FORMAT_EXTENSIBLE the valid bits when fewer than the container's
    (24 valid bits in a 32-bit container is 24-bit audio)."""
    valid = fmt.valid_bits
    if valid and valid < fmt.bits_per_sample:
        return valid
    return fmt.bits_per_sample or None
