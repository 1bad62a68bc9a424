"""The plain, frozen values that the stages of a run pass forward."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Severity(enum.Enum):
    """How much a finding matters; errors fail a run, warnings fail it with --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a rule code, a message and where it is.

    A rule leaves ``severity`` unset; the engine fills in the rule's default or the
    configured override.
    """

    code: str
    message: str
    path: Path
    line: int | None = None
    column: int | None = None
    template: str | None = None
    segment: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    offset: int | None = None
    severity: Severity | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.path.as_posix(),
            self.line or 0,
            self.column or 0,
            self.code,
            self.start_s if self.start_s is not None else -1.0,
            self.offset if self.offset is not None else -1,
            self.message,
        )


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a text file."""

    line: int
    column: int


@dataclass(frozen=True)
class LoadError:
    """Why a manifest or script could not be read or parsed."""

    message: str
    position: Position | None = None


@dataclass(frozen=True)
class ContainerFinding:
    """A problem in a file's RIFF structure, at a byte offset (WAV001/002/007/008)."""

    code: str
    message: str
    offset: int | None = None
    chunk: str | None = None


@dataclass(frozen=True)
class AudioInfo:
    """Format facts read from an audio file's headers, without decoding it."""

    container: str
    """What the magic bytes say: 'WAV', 'RF64', 'RIFX', 'MP3', 'FLAC', 'Ogg', ... or 'unknown'."""
    format_tag: int | None = None
    """The fmt chunk's format tag, the sub-format's for WAVE_FORMAT_EXTENSIBLE (1 PCM, 3 float)."""
    encoding: str | None = None
    """The format tag's name: 'PCM', 'IEEE float', 'µ-law', 'IMA ADPCM', ..."""
    sample_rate: int | None = None
    channels: int | None = None
    frames: int | None = None
    bits_per_sample: int | None = None
    findings: tuple[ContainerFinding, ...] = ()
    """What the RIFF walker found wrong with the structure."""

    @property
    def is_wave(self) -> bool:
        """A little-endian RIFF/WAVE file (plain, RF64 or BW64): what the platform takes."""
        return self.container in ("WAV", "RF64", "BW64")

    def has(self, *codes: str) -> bool:
        """True when a finding has one of these codes."""
        return any(finding.code in codes for finding in self.findings)

    @property
    def duration_s(self) -> float | None:
        if self.frames is None or not self.sample_rate:
            return None
        return self.frames / self.sample_rate


class SegmentStatus(enum.Enum):
    """Whether a segment's file could be looked at."""

    OK = "ok"
    MISSING = "missing"
    OUTSIDE = "outside"
    """The path leaves the template directory: refused, never read."""
    UNREADABLE = "unreadable"
    """It exists but cannot be read as a file: a directory, a symlink loop, no permission."""


@dataclass(frozen=True)
class Segment:
    """A named sound segment of a template."""

    name: str
    declared_path: str
    path: Path
    status: SegmentStatus
    position: Position | None = None
    audio: AudioInfo | None = None
    problem: str | None = None
    """Why the file is unreadable, when it is."""


@dataclass(frozen=True)
class Template:
    """A sound design template: a directory holding ``template.toml``."""

    name: str
    directory: Path
    manifest: Path
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The manifest's values as parsed."""
    positions: Mapping[str, Position] = field(default_factory=dict)
    """Where each top-level key is written in the manifest."""
    segments: tuple[Segment, ...] = ()
    audio_files: tuple[Path, ...] = ()
    """Every audio file found in the template directory, listed or not."""
    error: LoadError | None = None
    """Set when the manifest is missing or unparseable."""


@dataclass(frozen=True)
class Attribute:
    name: str
    value: str
    position: Position


@dataclass(frozen=True)
class Element:
    """A markup element of a script, with where it starts in the user's file."""

    tag: str
    """The qualified name as written: 'as:section', 'break', ..."""
    attributes: tuple[Attribute, ...]
    position: Position
    ancestors: tuple[str, ...]
    """Tags of the enclosing elements, outermost first."""

    def attribute(self, *names: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name in names:
                return attribute
        return None


@dataclass(frozen=True)
class Section:
    """An ``<as:section>`` of a script."""

    name: str | None
    sound_segment: str | None
    position: Position
    sound_segment_position: Position | None = None


@dataclass(frozen=True)
class Binding:
    """Which template a script is bound to, and how that was decided."""

    template: str
    source: str
    """'directive', 'json', 'config' or 'only-template'."""
    position: Position | None = None


@dataclass(frozen=True)
class Directive:
    """A ``<!-- soundlint: KEY=VALUE -->`` comment of a script."""

    key: str
    value: str
    position: Position
    """Where the key is written."""
    value_position: Position


@dataclass(frozen=True)
class Script:
    """An AudioStack markup script, parsed."""

    path: Path
    text: str
    """The markup (for JSON files: the decoded ``scriptText``)."""
    elements: tuple[Element, ...] = ()
    sections: tuple[Section, ...] = ()
    legacy: tuple[tuple[str, Position], ...] = ()
    """Pre-2023 ``<<key::value>>`` tokens and where they are."""
    binding: Binding | None = None
    directives: tuple[Directive, ...] = ()
    """Every soundlint comment directive, in order, known keys or not."""
    error: LoadError | None = None


MEASURES = ("decode", "loudness", "true-peak", "content", "loop-seam")
"""What a meter can be asked to measure: ``decode`` (frames, where decoding stops, NaN and
infinite samples: always there), ``loudness`` (integrated, range, momentary and short-term
maxima), ``true-peak``, ``content`` (sample peak, DC, edge silence, clipping), ``loop-seam``."""


@dataclass(frozen=True)
class Measurement:
    """What one streaming pass over an audio file measured. ``None``: not measurable."""

    sample_rate: int
    channels: int
    frames: int
    integrated_lufs: float | None = None
    loudness_range_lu: float | None = None
    true_peak_dbtp: float | None = None
    sample_peak_dbfs: float | None = None
    max_momentary_lufs: float | None = None
    max_short_term_lufs: float | None = None
    dc_offset: tuple[float, ...] = ()
    leading_silence_s: float | None = None
    trailing_silence_s: float | None = None
    clipped_runs: tuple[tuple[float, float], ...] = ()
    """Start and end time in seconds of each run of 3+ full-scale samples (the first ones)."""
    clipped_runs_capped: bool = False
    """True when there were more runs than the meter keeps: ``clipped_runs`` is a prefix."""
    loop_seam_ratio: float | None = None
    """Jump from the last to the first frame over the typical sample-to-sample step."""
    nonfinite_samples: int = 0
    decode_error: str | None = None
    decode_error_at_s: float | None = None
    missing: tuple[tuple[str, str], ...] = ()
    """(field, reason) for each value above that is None: why it could not be measured."""
    measures: tuple[str, ...] = MEASURES
    """Which of ``MEASURES`` were measured; the values of the others are None or empty."""

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0
