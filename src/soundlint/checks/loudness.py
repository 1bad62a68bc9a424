"""LN rules: integrated loudness, true peak, loudness spread and range (EBU R 128 / BS.1770)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from decimal import Decimal

from soundlint.audio.reasons import BELOW_GATE, NO_FRAMES, SILENCE
from soundlint.checks.where import at_segment_file
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Measurement, Segment, Severity, Template
from soundlint.rule import Option, Rule, at_least_zero
from soundlint.words import apart

GATING_BLOCK_S = 0.4
MAX_PLACES = 9
QUIET = (SILENCE, BELOW_GATE, NO_FRAMES)
"""Reasons for no loudness that are the content's own: AU002 reports them."""

LN001 = Rule(
    code="LN001",
    name="integrated-loudness",
    summary="A segment's integrated loudness is outside the target range.",
    what="Integrated loudness per ITU-R BS.1770-4 (K-weighted, gated at -70 LUFS and -10 LU), "
    "against `target` ± `tolerance`.",
    why="The platform mixes segments with speech at a fixed level; a segment far off the "
    "target is normalised with a large gain change, or sounds too loud or too quiet.",
    fix="Normalise the segment to the target loudness (and re-check the true peak).",
    options=(
        Option("target", -16.0, "target integrated loudness in LUFS"),
        Option("tolerance", 3.0, "allowed deviation from the target in LU", check=at_least_zero),
    ),
    needs_audio=frozenset({"loudness"}),
)
LN002 = Rule(
    code="LN002",
    name="true-peak",
    summary="A segment's true peak is above the ceiling.",
    what="True peak per BS.1770 Annex 2 (4x oversampled), against `max-true-peak`.",
    why="Inter-sample peaks above the ceiling clip after lossy encoding or resampling.",
    fix="Lower the gain, or use a true-peak limiter set below the ceiling.",
    options=(Option("max-true-peak", -1.0, "highest allowed true peak in dBTP"),),
    needs_audio=frozenset({"true-peak"}),
)
LN003 = Rule(
    code="LN003",
    name="loudness-spread",
    summary="The segments of a template differ too much in loudness.",
    what="The difference between the loudest and the quietest segment of a template "
    "(integrated loudness), against `max-spread`. The finding is filed on the segment "
    "farthest from the template's median loudness: the odd one out. Levels and differences "
    "are shown with the decimals it takes for the differences to be the shown levels' own "
    "and the true difference rounded (3.02 LU between -16.04 and -19.06 LUFS, where one "
    "decimal would read 3.1 LU).",
    why="Segments follow each other in one Mix; a jump in level between intro, main and outro "
    "is heard as a mistake.",
    fix="Match the segments' loudness to each other.",
    options=(Option("max-spread", 3.0, "largest allowed spread in LU", check=at_least_zero),),
    needs_audio=frozenset({"loudness"}),
)
LN004 = Rule(
    code="LN004",
    name="loudness-range",
    summary="A segment's loudness range is above the maximum.",
    what="Loudness range per EBU Tech 3342 against `max-range`.",
    why="Music beds with a wide range fight the voice in quiet passages or drown it in loud ones.",
    fix="Compress the segment's dynamics.",
    options=(Option("max-range", 15.0, "largest allowed loudness range in LU"),),
    enabled_by_default=False,
    needs_audio=frozenset({"loudness"}),
)
LN005 = Rule(
    code="LN005",
    name="loudness-unmeasurable",
    summary="A segment's loudness cannot be measured (too short, only LFE, rate too low).",
    what="Segments shorter than one 400 ms gating block, and segments whose loudness BS.1770 "
    "cannot define: only LFE channels, or a sample rate too low for K-weighting. (Segments too "
    "quiet to measure, below the -70 LUFS gate throughout, are AU002.)",
    why="Without a measurement, the loudness rules cannot vouch for the segment.",
    fix="Check that the segment is the intended file; lengthen it.",
    severity=Severity.WARNING,
    needs_audio=frozenset({"loudness"}),
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [LN001, LN002, LN003, LN004, LN005]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    loudness: dict[str, float] = {}
    for segment, measurement in context.measured(template):
        yield from _segment(template, segment, measurement, context)
        if measurement.integrated_lufs is not None:
            loudness[segment.name] = measurement.integrated_lufs
    yield from _spread(
        template,
        loudness,
        context.options("LN003")["max-spread"],
        context.options("LN001")["target"],
    )


def _unmeasurable(measurement: Measurement) -> str | None:
    """Why the stream has no loudness at all, when that is not its content (silence, AU002)."""
    reason = dict(measurement.missing).get("integrated_lufs")
    return None if reason in (None, *QUIET) else reason


def _segment(
    template: Template, segment: Segment, measurement: Measurement, context: CheckContext
) -> Iterator[Diagnostic]:
    integrated = measurement.integrated_lufs
    if integrated is None:
        if measurement.duration_s < GATING_BLOCK_S:
            yield at_segment_file(
                "LN005",
                "loudness cannot be measured: the segment lasts "
                f"{apart(measurement.duration_s, GATING_BLOCK_S, 3)} s, "
                "less than one 400 ms block",
                template,
                segment,
            )
        elif reason := _unmeasurable(measurement):
            yield at_segment_file(
                "LN005", f"loudness cannot be measured: {reason}", template, segment
            )
    else:
        target = context.options("LN001")["target"]
        tolerance = context.options("LN001")["tolerance"]
        offset = integrated - target
        if abs(offset) > tolerance:
            edge = target + tolerance if offset > 0 else target - tolerance
            yield at_segment_file(
                "LN001",
                f"integrated loudness {apart(integrated, edge)} LUFS is outside {target:g} ± "
                f"{tolerance:g} LUFS ({apart(offset, edge - target, sign=True)} LU)",
                template,
                segment,
            )
    ceiling = context.options("LN002")["max-true-peak"]
    if measurement.true_peak_dbtp is not None and measurement.true_peak_dbtp > ceiling:
        yield at_segment_file(
            "LN002",
            f"true peak {apart(measurement.true_peak_dbtp, ceiling, 2)} dBTP is above "
            f"{ceiling:g} dBTP",
            template,
            segment,
        )
    maximum = context.options("LN004")["max-range"]
    if measurement.loudness_range_lu is not None and measurement.loudness_range_lu > maximum:
        yield at_segment_file(
            "LN004",
            f"loudness range {apart(measurement.loudness_range_lu, maximum)} LU is above "
            f"{maximum:g} LU",
            template,
            segment,
        )


def _spread(
    template: Template, loudness: dict[str, float], maximum: float, target: float
) -> Iterator[Diagnostic]:
    """LN003, on the segment farthest from the median (of two, the one farther off target)."""
    if len(loudness) < 2:
        return
    loudest = max(loudness, key=loudness.__getitem__)
    quietest = min(loudness, key=loudness.__getitem__)
    spread = loudness[loudest] - loudness[quietest]
    if spread <= maximum:
        return
    places = _agreeing_places(loudness[loudest], loudness[quietest], maximum)

    def shown(value: float) -> Decimal:
        return Decimal(f"{value:.{places}f}")

    difference = shown(loudness[loudest]) - shown(loudness[quietest])
    median = statistics.median(loudness.values())
    farthest = max(
        loudness,
        key=lambda name: (
            round(abs(loudness[name] - median), 6),
            abs(loudness[name] - target),
        ),
    )
    odd_one = (
        f"; '{farthest}' is {abs(shown(loudness[farthest]) - shown(median))} LU from the "
        f"template's median of {shown(median)} LUFS"
        if len(loudness) > 2
        else ""
    )
    segment = next(s for s in template.segments if s.name == farthest)
    yield at_segment_file(
        "LN003",
        f"segments differ by {difference} LU (more than {maximum:g}): '{loudest}' is at "
        f"{shown(loudness[loudest])} LUFS, '{quietest}' at {shown(loudness[quietest])} "
        f"LUFS{odd_one}",
        template,
        segment,
    )


def _agreeing_places(loudest: float, quietest: float, maximum: float) -> int:
    """The fewest decimals (one or more) at which the two levels, as shown, differ by more
    than ``maximum`` and by the true difference rounded: the difference shown is then both
    the shown levels' own and the true one (3.02 LU from -16.04 and -19.06, not 3.1 LU from
    -16.0 and -19.1)."""
    for places in range(1, MAX_PLACES):
        shown = Decimal(f"{loudest:.{places}f}") - Decimal(f"{quietest:.{places}f}")
        true = Decimal(f"{loudest - quietest:.{places}f}")
        if shown == true > Decimal(repr(maximum)):
            return places
    return MAX_PLACES
