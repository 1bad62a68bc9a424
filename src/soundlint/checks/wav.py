"""WAV rules: each segment is a readable RIFF/WAVE file in an accepted format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from soundlint.checks.where import at_segment_file
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import AudioInfo, Diagnostic, Segment, Template
from soundlint.rule import Option, Rule

WAVE_CONTAINERS = frozenset({"WAV", "RF64", "BW64"})
PCM_SUBTYPES = frozenset({"PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "PCM_32"})
FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})
_CONTAINER_NAMES = {
    "empty": "an empty file",
    "text": "a text file",
    "unknown": "not an audio format soundlint recognises",
    "RIFX": "a big-endian RIFX file",
}

WAV001 = Rule(
    code="WAV001",
    name="not-wav",
    summary="A segment is not a RIFF/WAVE file, whatever its extension.",
    what="The file's first bytes, which name the real format when they can: MP3, FLAC, Ogg, "
    "AIFF, AU, CAF, W64, an empty or a text file.",
    why="The platform accepts only WAV files as sound segments.",
    fix="Convert the file to WAV (e.g. `ffmpeg -i in.mp3 -c:a pcm_s24le out.wav`) and list "
    "the WAV.",
)
WAV002 = Rule(
    code="WAV002",
    name="wav-corrupt",
    summary="A WAV file is truncated or corrupt.",
    what="A RIFF/WAVE file whose header cannot be read, whose audio stops decoding part-way "
    "(with the time where it stopped), or whose float samples are NaN or infinite.",
    why="The platform rejects it, or plays a shortened or damaged segment.",
    fix="Export the segment again from the source session.",
    needs_audio=True,
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
    what="Bits per sample of integer PCM against `pcm-bit-depths`, of float against "
    "`float-bit-depths`.",
    why="8-bit audio is audibly noisy; 64-bit float doubles the size for nothing.",
    fix="Export at an allowed depth (24-bit PCM is a safe choice).",
    options=(
        Option("pcm-bit-depths", [16, 24], "allowed integer PCM bit depths"),
        Option("float-bit-depths", [32], "allowed IEEE float bit depths"),
    ),
)
WAV005 = Rule(
    code="WAV005",
    name="channel-count-not-allowed",
    summary="A WAV file's channel count is not one the profile allows.",
    what="The number of channels against the `channels` option.",
    why="The platform mixes mono or stereo beds; surround segments are not mixed as intended.",
    fix="Downmix to an allowed channel count.",
    options=(Option("channels", [1, 2], "allowed channel counts"),),
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
    return [WAV001, WAV002, WAV003, WAV004, WAV005, WAV006]


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

    if audio.container not in WAVE_CONTAINERS:
        yield found("WAV001", f"not a WAV file: {_describe(audio.container)}")
        return
    if audio.error is not None:
        yield found("WAV002", f"cannot read the WAV header: {audio.error}")
        return
    subtype = audio.subtype or "unknown"
    if subtype not in PCM_SUBTYPES | FLOAT_SUBTYPES:
        yield found("WAV003", f"encoding {subtype} is not integer PCM or IEEE float")
    elif audio.bits_per_sample is not None:
        is_float = subtype in FLOAT_SUBTYPES
        option = "float-bit-depths" if is_float else "pcm-bit-depths"
        allowed = context.options("WAV004")[option]
        if audio.bits_per_sample not in allowed:
            kind = "float" if is_float else "PCM"
            listed = ", ".join(str(b) for b in allowed) or "none"
            yield found(
                "WAV004", f"{audio.bits_per_sample}-bit {kind} is not allowed (allowed: {listed})"
            )
    allowed_channels = context.options("WAV005")["channels"]
    if audio.channels is not None and audio.channels not in allowed_channels:
        listed = ", ".join(str(c) for c in allowed_channels)
        yield found("WAV005", f"{audio.channels} channels are not allowed (allowed: {listed})")
    if audio.frames == 0:
        yield found("WAV006", "the file holds no audio frames")
    yield from _decoding(template, segment, context)


def _decoding(template: Template, segment: Segment, context: CheckContext) -> Iterator[Diagnostic]:
    """What the audio pass found while decoding, when it ran."""
    unreadable = context.unreadable(segment)
    if unreadable:
        yield at_segment_file("WAV002", f"cannot decode the audio: {unreadable}", template, segment)
    measurement = context.measurement(segment)
    if measurement is None:
        return
    if measurement.decode_error is not None:
        at = measurement.decode_error_at_s
        yield Diagnostic(
            code="WAV002",
            message=f"decoding stopped at {at or 0.0:.3f} s: {measurement.decode_error}",
            path=segment.path,
            template=template.name,
            segment=segment.name,
            start_s=at,
        )
    if measurement.nonfinite_samples:
        yield at_segment_file(
            "WAV002",
            f"{measurement.nonfinite_samples} samples are NaN or infinite",
            template,
            segment,
        )


def _describe(container: str) -> str:
    if container in _CONTAINER_NAMES:
        return _CONTAINER_NAMES[container]
    return f"the magic bytes say {container}"
