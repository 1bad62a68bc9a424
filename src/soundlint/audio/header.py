"""Format facts from an audio file's header: what the magic bytes say, then soundfile."""

from __future__ import annotations

from pathlib import Path

from soundlint.audio.sniff import SNIFF_BYTES, sniff
from soundlint.model import AudioInfo

RIFF_FAMILY = frozenset({"WAV", "RF64", "BW64", "RIFX"})
_SUBTYPE_BITS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
    "ULAW": 8,
    "ALAW": 8,
}


def read_info(path: Path) -> AudioInfo:
    """Read the header; a file that cannot be read gives an AudioInfo with ``error`` set."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as error:
        return AudioInfo(container="unknown", error=f"cannot read: {error.strerror}")
    container = sniff(head)
    if container not in RIFF_FAMILY:
        return AudioInfo(container=container)
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, ValueError) as error:
        return AudioInfo(container=container, error=str(error).strip())
    return AudioInfo(
        container=container,
        subtype=info.subtype,
        sample_rate=info.samplerate,
        channels=info.channels,
        frames=info.frames,
        bits_per_sample=_SUBTYPE_BITS.get(info.subtype),
    )
