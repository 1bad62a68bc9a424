"""SR rules: segment sample rates are allowed and agree within a template."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from soundlint.checks.where import at_manifest, at_segment_entry, at_segment_file
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, Template
from soundlint.rule import Option, Rule, positive_entries

SR001 = Rule(
    code="SR001",
    name="sample-rate-not-allowed",
    summary="A segment's sample rate is not one the profile allows.",
    what="The sample rate in the WAV header, against the `sample-rates` option.",
    why="The platform mixes at fixed rates; other rates are resampled or rejected.",
    fix="Export the segment at an allowed rate (resample with a high-quality resampler).",
    options=(
        Option(
            "sample-rates", [44100, 48000], "allowed sample rates in Hz", check=positive_entries
        ),
    ),
)
SR002 = Rule(
    code="SR002",
    name="mixed-sample-rates",
    summary="Segments of one template have different sample rates.",
    what="Segments whose rate differs from the template's most common rate; when two rates "
    "are equally common, one finding on `[segments]` lists each rate and its segments.",
    why="Segments are joined in one Mix; mixed rates mean resampling some of them, or "
    "audible pitch and timing errors where a tool does not.",
    fix="Export all segments of the template at one rate.",
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [SR001, SR002]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    rates = {
        segment.name: segment.audio.sample_rate
        for segment in template.segments
        if segment.audio is not None and segment.audio.sample_rate
    }
    allowed = context.options("SR001")["sample-rates"]
    for segment in template.segments:
        rate = rates.get(segment.name)
        if rate is not None and rate not in allowed:
            listed = ", ".join(str(r) for r in allowed)
            yield at_segment_file(
                "SR001",
                f"sample rate {rate} Hz is not allowed (allowed: {listed})",
                template,
                segment,
            )
    yield from _mixed(template, rates)


def _mixed(template: Template, rates: dict[str, int]) -> Iterator[Diagnostic]:
    """SR002 on each segment off the most common rate; one finding when no rate is."""
    counts = Counter(rates.values()).most_common()
    if len(counts) < 2:
        return
    if counts[0][1] == counts[1][1]:
        listed = ", ".join(
            f"{rate} Hz ({', '.join(name for name, r in rates.items() if r == rate)})"
            for rate in sorted(dict(counts))
        )
        yield at_manifest(
            "SR002",
            f"the template's segments are at {len(counts)} different rates, none most common: "
            + listed,
            template,
            "segments",
        )
        return
    common = counts[0][0]
    for segment in template.segments:
        rate = rates.get(segment.name)
        if rate is not None and rate != common:
            yield at_segment_entry(
                "SR002",
                f"segment '{segment.name}' is at {rate} Hz; the template's most common rate is "
                f"{common} Hz",
                template,
                segment,
            )
