"""Walk the chunks of a RIFF/WAVE, RF64 or BW64 file without reading its audio.

``walk`` reads the file header, each 8-byte chunk header and the few small chunks it
parses (fmt, fact, ds64, bext, LIST/INFO; at most ``PARSE_CAP`` bytes of each) and seeks
over everything else, so a 1 GB file costs a few hundred bytes of reading. Declared sizes
are never trusted: nothing is allocated or read on their word.

No file content makes it raise. What it finds is reported as ``Finding``s:

- WAV001: not a RIFF/WAVE file (named from its magic bytes), or the file cannot be opened.
- WAV002: truncated or corrupt, including read errors part-way through the file.
- WAV007: structural non-conformance that readers usually survive (a warning).
- WAV008: RF64/BW64 size problems, and big-endian RIFX, which the platform does not take.
"""

from soundlint.audio.riff.chunks import Problem, parse_bext, parse_ds64, parse_fmt, parse_info
from soundlint.audio.riff.report import (
    CORRUPT,
    NONCONFORMING,
    NOT_WAV,
    RF64_PROBLEM,
    Bext,
    Chunk,
    Ds64,
    Finding,
    FmtChunk,
    RiffReport,
    encoding_name,
)
from soundlint.audio.riff.walker import MAX_CHUNKS, PARSE_CAP, walk, walk_stream

__all__ = [
    "CORRUPT",
    "MAX_CHUNKS",
    "NONCONFORMING",
    "NOT_WAV",
    "PARSE_CAP",
    "RF64_PROBLEM",
    "Bext",
    "Chunk",
    "Ds64",
    "Finding",
    "FmtChunk",
    "Problem",
    "RiffReport",
    "encoding_name",
    "parse_bext",
    "parse_ds64",
    "parse_fmt",
    "parse_info",
    "walk",
    "walk_stream",
]
