"""AU rules: what is in the audio (clipping, silence, DC, loop seams, durations)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

from soundlint.checks.where import at_segment_file
from soundlint.engine import CheckContext, cut
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Measurement, Segment, Severity, Template
from soundlint.rule import Option, Rule, at_least_zero
from soundlint.words import enumeration

SILENCE_LUFS = -70.0
SHOWN_RUNS = 3
LASTING_RUN_S = 0.010
"""A clipped run this long or longer is shown by its span; a shorter one, a click, by its start."""
MAX_DECIMALS = 9


def _duration_bounds_problem(durations: dict[str, list[float]]) -> str | None:
    for name, bounds in durations.items():
        if len(bounds) != 2 or not 0 <= bounds[0] <= bounds[1]:
            return (
                f"{name}: expected [shortest, longest] with 0 <= shortest <= longest, not {bounds}"
            )
    return None


def _at_most_zero(value: float) -> str | None:
    return None if value <= 0 else "must be 0 or less (0 dBFS is full scale)"


AU001 = Rule(
    code="AU001",
    name="clipping",
    summary="A segment clips: three or more consecutive samples at full scale.",
    what="Runs of 3 or more consecutive samples of a channel at the same full-scale value "
    "(a full-scale tone at the Nyquist frequency, +FS and -FS in turn, is not clipping). Runs "
    "less than 10 ms apart, on any channel, are one clipped run. The finding is at the first "
    "run and lists its time and the next few, in order: a click by its start, a run lasting "
    "10 ms or more by its span (`from 0.000 to 5.000 s`).",
    why="Clipping is audible distortion, and it gets worse after encoding.",
    fix="Re-export from the session with lower gain or a limiter.",
    needs_audio=frozenset({"content"}),
)
AU002 = Rule(
    code="AU002",
    name="silent-segment",
    summary="A segment is digital silence or below -70 LUFS throughout.",
    what="Segments whose samples are all zero, or whose momentary loudness never rises above "
    "-70 LUFS.",
    why="A silent segment is almost always a failed export or a wrong file.",
    fix="Export the segment again and check that it is the intended file.",
    needs_audio=frozenset({"loudness", "content"}),
)
AU003 = Rule(
    code="AU003",
    name="edge-silence",
    summary="Long silence at the start or end of a segment.",
    what="Leading or trailing audio below -60 dBFS longer than `max-seconds`.",
    why="Gaps at the edges put holes between sections of the Mix.",
    fix="Trim the silence at the segment's edges.",
    severity=Severity.WARNING,
    options=(
        Option(
            "max-seconds",
            0.5,
            "longest allowed silence at either edge, in seconds",
            check=at_least_zero,
        ),
    ),
    needs_audio=frozenset({"content"}),
)
AU004 = Rule(
    code="AU004",
    name="dc-offset",
    summary="A segment has a DC offset.",
    what="The mean of each channel's samples, in dBFS, against `max-dbfs`. The default, "
    "-46 dBFS (0.005 of full scale), lets pass the offsets real material carries harmlessly: "
    "the bias of recorders and converters at -48 to -59 dBFS, which a -60 dBFS limit flagged "
    "in about a quarter of real files, and the half step of a truncating 8-bit converter "
    "(-48.2 dBFS); it catches the offsets of faulty interfaces and of processing that "
    "shifts the waveform, from about -40 dBFS (0.01) up. One finding a file names every "
    "channel over the limit, in order.",
    why="DC offset wastes headroom and clicks where segments are joined, faded or cut.",
    fix="Apply a high-pass filter (DC removal) to the segment.",
    severity=Severity.WARNING,
    options=(
        Option(
            "max-dbfs",
            -46.0,
            "largest allowed mean sample value of a channel, in dBFS",
            check=_at_most_zero,
        ),
    ),
    needs_audio=frozenset({"content"}),
)
AU005 = Rule(
    code="AU005",
    name="loop-seam",
    summary="A looping segment clicks where its end joins its start.",
    what="For segments named in `loop-segments`: the jump from the last frame to the first, "
    "against the largest steps the segment itself takes between samples (the step only one "
    "in 10 000 exceeds, per channel). A seam more than `max-ratio` times that is a "
    "discontinuity the material does not otherwise have: a sine cut mid-cycle, a pad that "
    "ends on a click. Hard-edged material (square waves, pulses, noise) makes such steps "
    "itself, and its seam is one of them.",
    why="The platform repeats loop segments under long sections; a discontinuity at the seam "
    "is an audible click at every repetition.",
    fix="Cut the loop at a zero crossing or crossfade its seam.",
    severity=Severity.WARNING,
    options=(
        Option("loop-segments", ["main"], "names of the segments that loop"),
        Option(
            "max-ratio",
            3.0,
            "largest allowed seam jump, in the segment's own largest steps",
            check=at_least_zero,
        ),
    ),
    needs_audio=frozenset({"content", "loop-seam"}),
    reads_segment=lambda segment, options: segment.name in options["loop-segments"],
)
AU006 = Rule(
    code="AU006",
    name="duration",
    summary="A segment's duration is outside the bounds for its name.",
    what="The duration of segments named in `durations` against their `[min, max]` seconds.",
    why="Intros and outros that run long delay the voice; a main bed that is too short loops "
    "audibly.",
    example="```toml\n[tool.soundlint.rules.AU006]\ndurations = { intro = [1.0, 20.0] }\n```",
    fix="Edit the segment to a duration within the bounds.",
    options=(
        Option(
            "durations",
            {"intro": [0.5, 60.0], "main": [1.0, 900.0], "outro": [0.5, 60.0]},
            "segment name to [shortest, longest] duration in seconds",
            check=_duration_bounds_problem,
        ),
    ),
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [AU001, AU002, AU003, AU004, AU005, AU006]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    for segment, measurement in context.measured(template):
        silent = _silence(measurement)
        if silent:
            yield at_segment_file("AU002", f"the segment is {silent}", template, segment)
        else:
            yield from _edges(template, segment, measurement, context)
        yield from _clipping(template, segment, measurement)
        yield from _dc_offset(template, segment, measurement, context)
        yield from _loop_seam(template, segment, measurement, context)
    yield from _durations(template, context)


def beyond(value: float, limit: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, or as many more as it takes to show it on the same
    side of ``limit`` as it is ("0.5002 s, more than 0.5 s", never "0.50 s, more than 0.5 s")."""
    for places in range(decimals, MAX_DECIMALS):
        shown = f"{value:.{places}f}"
        if (float(shown) > limit) == (value > limit) and float(shown) != limit:
            return shown
    return f"{value:.{MAX_DECIMALS}f}"


def _silence(measurement: Measurement) -> str | None:
    if measurement.sample_peak_dbfs is None:
        return "digital silence"
    loudest = measurement.max_momentary_lufs
    if loudest is not None and loudest <= SILENCE_LUFS:
        shown = beyond(loudest, SILENCE_LUFS, 1)
        return f"below {SILENCE_LUFS:g} LUFS throughout (loudest {shown} LUFS)"
    return None


def _clipping(
    template: Template, segment: Segment, measurement: Measurement
) -> Iterator[Diagnostic]:
    """The first run is the diagnostic's own time (start_s, end_s); the message lists it and
    the next few, in order."""
    runs = measurement.clipped_runs
    if not runs:
        return
    capped = measurement.clipped_runs_capped
    count = f"more than {len(runs)}" if capped else str(len(runs))
    shown = _times(runs[: 1 + SHOWN_RUNS])
    more = ", ..." if len(runs) > 1 + SHOWN_RUNS or capped else ""
    message = f"{count} clipped run{'s' if len(runs) > 1 or capped else ''}, {shown}{more}"
    yield at_segment_file("AU001", message, template, segment, start_s=runs[0][0], end_s=runs[0][1])


def _times(runs: Sequence[tuple[float, float]]) -> str:
    """When the runs are: "at 0.500 s, 1.500 s" for clicks, each lasting run by its span
    ("at 0.500 s, from 1.000 to 2.000 s")."""
    if all(end - start < LASTING_RUN_S for start, end in runs):
        return "at " + ", ".join(f"{start:.3f} s" for start, _ in runs)
    return ", ".join(
        f"at {start:.3f} s" if end - start < LASTING_RUN_S else f"from {start:.3f} to {end:.3f} s"
        for start, end in runs
    )


def _edges(
    template: Template, segment: Segment, measurement: Measurement, context: CheckContext
) -> Iterator[Diagnostic]:
    limit = context.options("AU003")["max-seconds"]
    duration = measurement.duration_s
    for edge, seconds, start in (
        ("leading", measurement.leading_silence_s, 0.0),
        ("trailing", measurement.trailing_silence_s, None),
    ):
        if seconds is not None and seconds > limit:
            begin = start if start is not None else duration - seconds
            yield at_segment_file(
                "AU003",
                f"{edge} silence of {beyond(seconds, limit, 2)} s, more than {limit:g} s",
                template,
                segment,
                start_s=begin,
                end_s=begin + seconds,
            )


def _dc_offset(
    template: Template, segment: Segment, measurement: Measurement, context: CheckContext
) -> Iterator[Diagnostic]:
    """One finding for the file, naming its channels with an offset above the limit."""
    limit = context.options("AU004")["max-dbfs"]
    found: dict[int, str] = {}
    for channel, offset in enumerate(measurement.dc_offset, start=1):
        level = 20 * math.log10(abs(offset)) if offset else -math.inf
        if level > limit:
            found[channel] = f"{beyond(level, limit, 1)} dBFS ({offset:+.4f})"
    if not found:
        return
    if len(found) == 1:
        [(channel, shown)] = found.items()
        message = f"channel {channel} has a DC offset of {shown}"
    else:
        channels = enumeration(str(channel) for channel in found)
        values = list(dict.fromkeys(found.values()))
        offsets = f" of {values[0]}" if len(values) == 1 else f": {enumeration(found.values())}"
        message = f"channels {channels} have a DC offset{offsets}"
    yield at_segment_file("AU004", f"{message}, more than {limit:g} dBFS", template, segment)


def _loop_seam(
    template: Template, segment: Segment, measurement: Measurement, context: CheckContext
) -> Iterator[Diagnostic]:
    options = context.options("AU005")
    ratio = measurement.loop_seam_ratio
    looping = segment.name in options["loop-segments"]
    if looping and ratio is not None and ratio > options["max-ratio"]:
        yield at_segment_file(
            "AU005",
            "the loop point clicks: the step from the last sample back to the first is "
            f"{beyond(ratio, options['max-ratio'], 1)} times the largest step elsewhere in the "
            f"segment (the limit is {options['max-ratio']:g} times)",
            template,
            segment,
            start_s=measurement.duration_s,
            end_s=measurement.duration_s,
        )


def _durations(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    """From the headers' frame counts: no decoding needed."""
    bounds_by_name = context.options("AU006")["durations"]
    for segment in template.segments:
        bounds = bounds_by_name.get(segment.name)
        duration = segment.audio.duration_s if segment.audio else None
        if not bounds or duration is None or cut(segment):
            continue
        shortest, longest = bounds
        if not shortest <= duration <= longest:
            bound = shortest if duration < shortest else longest
            yield at_segment_file(
                "AU006",
                f"'{segment.name}' lasts {beyond(duration, bound, 2)} s; it should last "
                f"{shortest:g} to {longest:g} s",
                template,
                segment,
            )
