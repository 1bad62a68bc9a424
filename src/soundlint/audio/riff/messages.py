"""Wording shared by the walker's findings: byte counts, durations, files that are not WAV."""

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


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.0001 else "under 0.1 ms"


def _bytes(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


def _not_wav_message(container: str, head: bytes) -> str:
    if container == "empty":
        return "the file is empty (0 bytes), not a WAV file"
    if container == "Git LFS pointer":
        return "the file is a Git LFS pointer (byte 0), not the audio itself: run `git lfs pull`"
    if container in _CONTAINER_NAMES:
        return f"the file is {_CONTAINER_NAMES[container]}, not a RIFF/WAVE file (byte 0)"
    return f"the file is not a RIFF/WAVE file: unrecognised bytes {head[:8].hex(' ')} at byte 0"
