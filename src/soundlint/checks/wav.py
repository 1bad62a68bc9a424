"""WAV rules: each segment is a readable RIFF/WAVE file in an accepted format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from soundlint.checks.where import at_segment_file
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import AudioInfo, Diagnostic, Measurement, Segment, Severity, Template
from soundlint.rule import Option, Rule, each_positive, positive_entries

PCM, IEEE_FLOAT = 0x0001, 0x0003
NO_AUDIO = "the file holds no audio frames"
MAX_DECODABLE_PCM_BITS = 64
"""Below this rate the K-weighting shelf (1682 Hz) is above Nyquist: loudness is undefined."""

WAV001 = Rule(
    code="WAV001",
    name="not-wav",
    summary="A segment is not a RIFF/WAVE file, whatever its extension.",
    what="The file's first bytes, which name the real format when they can: MP3, FLAC, Ogg, "
    "AIFF, AU, CAF, W64, MP4, an empty or a text file; or a file that cannot be opened.",
    why="The platform accepts only WAV files as sound segments.",
    fix="Convert the file to WAV (e.g. `ffmpeg -i in.mp3 -c:a pcm_s24le out.wav`) and list "
    "the WAV.",
)
WAV002 = Rule(
    code="WAV002",
    name="wav-corrupt",
    summary="A WAV file is truncated or corrupt.",
    what="A data chunk running past the end of the file (with the bytes and seconds missing), "
    "a RIFF size larger than a file whose last chunk is cut, a partial final frame (counted in "
    "the frames that channels and bits imply), no fmt or no data chunk, a chunk header cut off, "
    "an impossible fmt (0 channels, 0 Hz); audio that stops decoding part-way (with the time), "
    "samples in a layout no reader decodes reliably, or float samples that are NaN or infinite. "
    "Each message names the chunk and its byte offset. Files the decoder cannot take only "
    "because of their bit depth or rate are WAV004 and SR001 findings instead.",
    why="The platform rejects it, or plays a shortened or damaged segment.",
    fix="Export the segment again from the source session.",
    needs_audio=frozenset({"decode"}),
)
WAV007 = Rule(
    code="WAV007",
    name="wav-nonconforming",
    summary="A WAV file's structure does not conform to the RIFF/WAVE specification.",
    what="A missing pad byte after an odd-sized chunk, duplicate fmt or data chunks, data "
    "before fmt, a byte rate or block align inconsistent with the channels and bits (saying "
    "which field is wrong), padded sample containers under a plain PCM header, an inconsistent "
    "WAVE_FORMAT_EXTENSIBLE header, bytes after the RIFF end, a RIFF size past the end of a "
    "file whose chunks are all whole (it often counts the RIFF header), a data size that counts "
    "its pad byte or was left at 0xFFFFFFFF by a streaming writer, a fact sample count the "
    "data cannot hold (for IMA and MS ADPCM, more than its blocks decode to), an RF64/BW64 "
    "header holding the real RIFF size, a 24-byte ds64 chunk without its table length, bytes "
    "after the whole data chunk that are not a chunk. Each message names the chunk and its "
    "byte offset.",
    why="Lenient readers cope; strict ones (and the platform's, some day) reject the file or "
    "read it wrongly.",
    fix="Re-export the file with a conforming writer (a DAW, sox or ffmpeg).",
    severity=Severity.WARNING,
)
WAV008 = Rule(
    code="WAV008",
    name="rf64-or-rifx",
    summary="An RF64/BW64 file with inconsistent sizes, or a big-endian RIFX file.",
    what="RF64/BW64 without a ds64 chunk first, or whose ds64 sizes disagree with the file or "
    "the header; big-endian RIFX files.",
    why="The platform does not take RIFX, and mis-sized RF64 files are read short or not at all.",
    fix="Export as a plain little-endian RIFF/WAVE file (under 4 GB).",
)
WAV003 = Rule(
    code="WAV003",
    name="unsupported-encoding",
    summary="A WAV file's encoding is not integer PCM or IEEE float.",
    what="The sample encoding in the WAV header: u-law, A-law, ADPCM, MPEG and others.",
    why="Compressed encodings inside WAV are not supported by the platform's mixer.",
    fix="Export as linear PCM (16 or 24 bit) or 32-bit float.",
)
WAV004 = Rule(
    code="WAV004",
    name="bit-depth-not-allowed",
    summary="A WAV file's bit depth is not one the profile allows.",
    what="Bits per sample (the valid bits of a WAVE_FORMAT_EXTENSIBLE container) of integer "
    "PCM against `pcm-bit-depths`, of float against "
    "`float-bit-depths`; a depth the decoder cannot take (PCM over 64 bits, float other than "
    "32 or 64) even when allowed.",
    why="8-bit audio is audibly noisy; 64-bit float doubles the size for nothing.",
    fix="Export at an allowed depth (24-bit PCM is a safe choice).",
    options=(
        Option("pcm-bit-depths", [16, 24], "allowed integer PCM bit depths", check=each_positive),
        Option("float-bit-depths", [32], "allowed IEEE float bit depths", check=each_positive),
    ),
)
WAV005 = Rule(
    code="WAV005",
    name="channel-count-not-allowed",
    summary="A WAV file's channel count is not one the profile allows.",
    what="The number of channels against the `channels` option.",
    why="The platform mixes mono or stereo beds; surround segments are not mixed as intended.",
    fix="Downmix to an allowed channel count.",
    options=(Option("channels", [1, 2], "allowed channel counts", check=positive_entries),),
)
WAV006 = Rule(
    code="WAV006",
    name="no-audio",
    summary="A WAV file holds no audio frames.",
    what="A WAV file whose data chunk is empty.",
    why="An empty segment produces silence or a failed Mix.",
    fix="Export the segment again with its audio.",
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [WAV001, WAV002, WAV003, WAV004, WAV005, WAV006, WAV007, WAV008]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    for segment in template.segments:
        if segment.audio is not None:
            yield from _check_segment(template, segment, segment.audio, context)


def _check_segment(
    template: Template, segment: Segment, audio: AudioInfo, context: CheckContext
) -> Iterator[Diagnostic]:
    def found(code: str, message: str) -> Diagnostic:
        return at_segment_file(code, message, template, segment)

    for finding in audio.findings:
        yield at_segment_file(
            finding.code, finding.message, template, segment, offset=finding.offset
        )
    if not audio.is_wave or audio.format_tag is None:
        return
    if audio.format_tag not in (PCM, IEEE_FLOAT):
        yield found("WAV003", f"encoding {audio.encoding} is not integer PCM or IEEE float")
    elif audio.bits_per_sample is not None:
        is_float = audio.format_tag == IEEE_FLOAT
        allowed = context.options("WAV004")["float-bit-depths" if is_float else "pcm-bit-depths"]
        kind = "float" if is_float else "PCM"
        if audio.bits_per_sample not in allowed:
            listed = ", ".join(str(b) for b in allowed) or "none"
            yield found(
                "WAV004", f"{audio.bits_per_sample}-bit {kind} is not allowed (allowed: {listed})"
            )
        elif context.unreadable(segment) and (undecodable := undecodable_depth(audio)):
            yield found("WAV004", undecodable)
    allowed_channels = context.options("WAV005")["channels"]
    if audio.channels and audio.channels not in allowed_channels:
        listed = ", ".join(str(c) for c in allowed_channels)
        yield found("WAV005", f"{audio.channels} channels are not allowed (allowed: {listed})")
    if audio.frames == 0 and not audio.has("WAV002"):
        yield found("WAV006", NO_AUDIO)
    yield from _decoding(template, segment, audio, context)


def undecodable_depth(audio: AudioInfo) -> str | None:
    """What is wrong with a bit depth the decoders do not take (PCM over 64 bits, float other
    than 32 or 64), if it is one."""
    bits = audio.bits_per_sample or 0
    if audio.format_tag == IEEE_FLOAT and bits not in (32, 64):
        return f"{bits}-bit float cannot be decoded"
    if audio.format_tag == PCM and bits > MAX_DECODABLE_PCM_BITS:
        return f"{bits}-bit PCM cannot be decoded"
    return None


def decoding_problems(
    audio: AudioInfo, unreadable: str | None, measurement: Measurement | None
) -> Iterator[tuple[str, str, float | None]]:
    """(code, message, start in seconds) for what decoding the file found: that it cannot be
    decoded (WAV004 for its bit depth, else WAV002), stopped part-way, or gave NaN samples."""
    if unreadable and (undecodable := undecodable_depth(audio)):
        yield "WAV004", undecodable, None
    elif unreadable and not audio.has("WAV001", "WAV002"):
        yield "WAV002", f"cannot decode the audio: {unreadable}", None
    if measurement is None:
        return
    if measurement.decode_error is not None:
        at = measurement.decode_error_at_s
        yield "WAV002", f"decoding stopped at {at or 0.0:.3f} s: {measurement.decode_error}", at
    if measurement.nonfinite_samples:
        yield "WAV002", f"{measurement.nonfinite_samples} samples are NaN or infinite", None


def _decoding(
    template: Template, segment: Segment, audio: AudioInfo, context: CheckContext
) -> Iterator[Diagnostic]:
    """What the audio pass found while decoding, when it ran (WAV004 is the profile's check)."""
    for code, message, at in decoding_problems(
        audio, context.unreadable(segment), context.measurement(segment)
    ):
        if code == "WAV002":
            yield at_segment_file(code, message, template, segment, start_s=at)
