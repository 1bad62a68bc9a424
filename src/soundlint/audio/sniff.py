"""Name a file's container from its first bytes."""

from __future__ import annotations

SNIFF_BYTES = 48
GIT_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def sniff(head: bytes) -> str:
    """Return the container the magic bytes announce, 'empty', 'Git LFS pointer', 'text' or
    'unknown'."""
    if not head:
        return "empty"
    magic4 = head[:4]
    riff_form = head[8:12]
    if magic4 == b"RIFF":
        return "WAV" if riff_form == b"WAVE" else f"RIFF/{_printable(riff_form)}"
    if magic4 == b"RF64":
        return "RF64"
    if magic4 == b"BW64":
        return "BW64"
    if magic4 == b"RIFX":
        return "RIFX"
    if head.startswith(b"riff\x2e\x91\xcf\x11"):
        return "W64"
    if magic4 == b"FORM" and riff_form in (b"AIFF", b"AIFC"):
        return riff_form.decode("ascii")
    if magic4 == b"fLaC":
        return "FLAC"
    if magic4 == b"OggS":
        return "Ogg"
    if magic4 == b".snd":
        return "AU"
    if magic4 == b"caff":
        return "CAF"
    if head.startswith(b"ID3") or _is_mpeg_frame_sync(head):
        return "MP3"
    if head[4:8] == b"ftyp":
        return "MP4/M4A"
    if head.startswith(GIT_LFS_POINTER):
        return "Git LFS pointer"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _is_mpeg_frame_sync(head: bytes) -> bool:
    """An MPEG audio frame header: 11 set sync bits, a valid layer and bitrate index."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0b11
    bitrate_index = head[2] >> 4
    return layer != 0 and bitrate_index not in (0, 15)


def _looks_like_text(head: bytes) -> bool:
    # The sniffed prefix may cut a multi-byte character in half: allow up to 3 bytes off.
    for cut in range(4):
        try:
            decoded = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return bool(decoded) and all(c.isprintable() or c in "\r\n\t" for c in decoded)
    return False


def _printable(raw: bytes) -> str:
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")
