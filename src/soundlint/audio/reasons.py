"""Why a measurement lacks a value: the reasons ``soundlint measure`` and the rules can show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace
from typing import Any

from soundlint.model import MEASURES, Measurement

NO_FRAMES = "no audio frames"
SILENCE = "digital silence"
TOO_SHORT_FOR_BLOCK = "shorter than one 400 ms block"
TOO_SHORT_FOR_WINDOW = "shorter than one 3 s window"
TOO_SHORT_FOR_RANGE = "shorter than 3.1 s: one 3 s window has no range"
FEW_ABOVE_GATES = "fewer than two 3 s windows above the gates"
BELOW_GATE = "below the -70 LUFS absolute gate throughout"
STATIC = "the signal does not change"
FEW_FRAMES = "fewer than 2 frames"
PYLOUDNORM_FAILED = "pyloudnorm could not measure it"

_BLOCK_FIELDS = ("integrated_lufs", "max_momentary_lufs")
_WINDOW_FIELDS = ("loudness_range_lu", "max_short_term_lufs")
_GATED_FIELDS = ("integrated_lufs", "loudness_range_lu")
LOUDNESS_FIELDS = (*_BLOCK_FIELDS, *_WINDOW_FIELDS)
_FIELD_ORDER = (
    "integrated_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "sample_peak_dbfs",
    "max_momentary_lufs",
    "max_short_term_lufs",
    "leading_silence_s",
    "trailing_silence_s",
    "loop_seam_ratio",
)


def missing_reasons(
    measurement: Measurement,
    *,
    loudness_problem: str | None,
    gating_blocks: int,
    short_term_windows: int,
    lfe_channels: tuple[int, ...] = (),
) -> tuple[tuple[str, str], ...]:
    """(field, reason) for each field of ``measurement`` that is None, in field order.

    ``loudness_problem``: why no loudness can be measured at all (sample rate, only LFE).
    ``lfe_channels``: the channels BS.1770 leaves out (numbered from 1).
    """
    silent = measurement.sample_peak_dbfs is None
    problem = loudness_problem or _only_in_lfe(measurement, gating_blocks, lfe_channels)
    reasons: dict[str, str] = {}
    for field in LOUDNESS_FIELDS:
        windows = gating_blocks if field in _BLOCK_FIELDS else short_term_windows
        if problem is not None:
            reasons[field] = problem
        elif windows == 0:
            reasons[field] = TOO_SHORT_FOR_BLOCK if field in _BLOCK_FIELDS else TOO_SHORT_FOR_WINDOW
        elif silent:
            reasons[field] = SILENCE
        elif field == "loudness_range_lu" and measurement.integrated_lufs is not None:
            reasons[field] = TOO_SHORT_FOR_RANGE if windows == 1 else FEW_ABOVE_GATES
        elif field in _GATED_FIELDS:
            reasons[field] = BELOW_GATE
        else:
            reasons[field] = "no energy after K-weighting"
    for field in ("true_peak_dbtp", "sample_peak_dbfs"):
        reasons[field] = SILENCE
    for field in ("leading_silence_s", "trailing_silence_s"):
        reasons[field] = NO_FRAMES
    reasons["loop_seam_ratio"] = FEW_FRAMES if measurement.frames < 2 else STATIC
    if measurement.frames == 0:
        reasons = dict.fromkeys(reasons, NO_FRAMES)
    return tuple(
        (field, reasons[field]) for field in _FIELD_ORDER if getattr(measurement, field) is None
    )


def _only_in_lfe(
    measurement: Measurement, gating_blocks: int, lfe_channels: tuple[int, ...]
) -> str | None:
    """Why a file with sound gives no loudness, when the channels BS.1770 weighs are digital
    silence throughout (no energy after K-weighting): its sound is in the LFE."""
    if not lfe_channels or measurement.sample_peak_dbfs is None or gating_blocks == 0:
        return None
    if measurement.max_momentary_lufs is not None:
        return None
    listed = ", ".join(str(channel) for channel in lfe_channels)
    noun = "channel" if len(lfe_channels) == 1 else "channels"
    return f"only the LFE ({noun} {listed}) carries sound, and BS.1770 leaves the LFE out"


MEASURE_FIELDS = {
    "loudness": (*LOUDNESS_FIELDS,),
    "true-peak": ("true_peak_dbtp",),
    "content": (
        "sample_peak_dbfs",
        "dc_offset",
        "leading_silence_s",
        "trailing_silence_s",
        "clipped_runs",
        "clipped_runs_capped",
    ),
    "loop-seam": ("loop_seam_ratio",),
}
"""The fields each measure of ``model.MEASURES`` fills in (``decode``'s are always there)."""


_DEFAULTS: dict[str, Any] = {field.name: field.default for field in fields(Measurement)}


def only(measurement: Measurement, measures: Iterable[str]) -> Measurement:
    """``measurement`` with the fields of the measures not in ``measures`` left at their
    defaults (None, empty), without reasons, and ``measures`` recorded."""
    wanted = set(measures) | {"decode"}
    dropped: dict[str, Any] = {
        field: _DEFAULTS[field]
        for measure, fields in MEASURE_FIELDS.items()
        if measure not in wanted
        for field in fields
    }
    missing = tuple(reason for reason in measurement.missing if reason[0] not in dropped)
    kept = tuple(measure for measure in MEASURES if measure in wanted)
    return replace(measurement, **dropped, missing=missing, measures=kept)


def with_values(measurement: Measurement, fallback: str, **values: float | None) -> Measurement:
    """``measurement`` with other values for some fields (another engine's), its reasons
    updated: a value that became None keeps the reason it had, else gets ``fallback``."""
    known = dict(measurement.missing)
    for field, value in values.items():
        if value is None:
            known.setdefault(field, fallback)
        else:
            known.pop(field, None)
    missing = tuple((field, known[field]) for field in _FIELD_ORDER if field in known)
    changes: dict[str, Any] = {**values, "missing": missing}
    return replace(measurement, **changes)
