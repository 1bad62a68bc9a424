"""MD rules: the template manifest and the files it lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from soundlint.checks.where import at_manifest, at_position, at_segment_entry
from soundlint.engine import CheckContext
from soundlint.hookspecs import hookimpl
from soundlint.model import Diagnostic, SegmentStatus, Severity, Template
from soundlint.rule import Option, Rule
from soundlint.words import closest, composed, did_you_mean, type_name

STRING_FIELDS = ("name", "description", "style", "genre")
KNOWN_KEYS = (*STRING_FIELDS, "tags", "segments")

MD001 = Rule(
    code="MD001",
    name="manifest-unreadable",
    summary="The template manifest is missing, unreadable or not valid TOML.",
    what="`template.toml` could not be read or parsed; the message gives the TOML error's line "
    "and column.",
    why="Nothing else about the template can be checked, and the platform cannot ingest it.",
    example='```toml\ndescription = "Big orchestral build\n```\n(the string is never closed)',
    fix="Correct the TOML at the position given.",
)
MD002 = Rule(
    code="MD002",
    name="required-field-missing",
    summary="A required metadata field is missing or empty, or the template lists no segments.",
    what="Each field named by the `fields` option must be present and non-empty; `[segments]` "
    "must list at least one segment. When an unknown key probably misspells the missing one, "
    "the message names it.",
    why="The platform's template search and the Mix both rely on the metadata; a template with "
    "no segments has nothing to mix.",
    example='```toml\ndescription = ""\nstyle = "cinematic"\n```',
    fix="Fill in the field (or, if your platform does not need it, drop it from `fields` in "
    "`[tool.soundlint.rules.MD002]`).",
    options=(
        Option(
            "fields", ["description", "style", "genre", "tags"], "metadata fields that must be set"
        ),
    ),
)
MD003 = Rule(
    code="MD003",
    name="field-invalid",
    summary="A manifest field has the wrong type or value.",
    what="`name`, `description`, `style` and `genre` must be strings; `tags` a list of non-empty "
    "strings without duplicates; `[segments]` a table of segment name to WAV path strings.",
    why="The upload API rejects such a template, or files it under the wrong name.",
    example='```toml\ntags = "epic"          # must be a list\n[segments]\nintro = 3\n```',
    fix='Use the documented type: `tags = ["epic"]`, `intro = "intro.wav"`.',
)
MD004 = Rule(
    code="MD004",
    name="segment-file-missing",
    summary="A segment's file does not exist or cannot be read.",
    what="The path a segment lists, relative to the template directory, is missing, is a "
    "directory, or cannot be opened. When an audio file's name differs from the path only in "
    "Unicode normalisation (`é` as one character or as `e` and a combining accent, as macOS "
    "writes it), the message says so, with both names escaped, and MD005 does not report that "
    "file again.",
    why="The upload would lack that segment, and every Mix using it fails.",
    fix="Add the file, or correct the path in `[segments]` (or rename the file).",
)
MD005 = Rule(
    code="MD005",
    name="audio-file-unlisted",
    summary="An audio file in the template directory is listed by no segment.",
    what="Audio files (by extension) under the template directory that no segment names.",
    why="Usually a typo in `[segments]` or a leftover take; it would not be uploaded.",
    fix="List the file as a segment, or move it out of the template directory.",
    severity=Severity.WARNING,
)
MD006 = Rule(
    code="MD006",
    name="segment-path-outside",
    summary="A segment path leaves the template directory.",
    what="An absolute path, a path with `..` that climbs out, or a symlink pointing outside the "
    "template directory. soundlint refuses it and never reads the file.",
    why="A template must be self-contained to upload, and a manifest must not make tools read "
    "arbitrary files.",
    example='```toml\n[segments]\nmain = "../../shared/main.wav"\n```',
    fix="Copy the file into the template directory and list it by a relative path.",
)


def _strings_only(value: list[Any]) -> str | None:
    return None if all(isinstance(item, str) for item in value) else "expected a list of strings"


MD007 = Rule(
    code="MD007",
    name="unknown-key",
    summary="The manifest holds a key or table that soundlint does not know.",
    what="A top-level key or table of `template.toml` that is none of `name`, `description`, "
    "`style`, `genre`, `tags`, `[segments]`, the fields MD002 requires, or the keys of the "
    "`allowed` option. The message suggests the known key it is closest to.",
    why="Usually a misspelling: the value is silently ignored, so the template lacks the "
    "description or the segments it seems to have. While MD007 reports it, the findings that "
    "follow from the misspelling (MD002 for a missing field, MD005 for every file of a misspelt "
    "`[segments]`) are left out, so the one real mistake stands alone; a template without "
    "`[segments]` is MD002 all the same, having nothing to upload. With MD007 ignored, those "
    "findings are reported, naming the key that may misspell theirs.",
    example='```toml\ndescripton = "Big orchestral build"\n\n[segmnets]\nintro = "intro.wav"\n```',
    fix="Correct the spelling, or list keys your platform uses in `allowed`.",
    options=(Option("allowed", [], "further top-level keys a manifest may hold", _strings_only),),
)


@hookimpl
def soundlint_rules() -> Iterable[Rule]:
    return [MD001, MD002, MD003, MD004, MD005, MD006, MD007]


@hookimpl
def soundlint_check_template(template: Template, context: CheckContext) -> Iterator[Diagnostic]:
    if template.error is not None:
        yield at_position(
            "MD001",
            f"cannot load template.toml: {template.error.message}",
            template.manifest,
            template.error.position,
            template=template.name,
        )
        return
    required: list[str] = context.options("MD002")["fields"]
    known = [*KNOWN_KEYS, *required, *context.options("MD007")["allowed"]]
    unknown = _unknown_keys(template, known)
    misspelt = {
        suggestion: key
        for key, suggestion in unknown
        if suggestion is not None and suggestion not in template.metadata
    }
    explained = context.enabled("MD007")
    if explained:
        yield from (_unknown_key(template, key, suggestion) for key, suggestion in unknown)
    if context.enabled("MD002"):
        fields = [field for field in required if not (explained and field in misspelt)]
        yield from _required(template, fields, misspelt)
    yield from _types(template)
    encoded = _encoded_differently(template)
    yield from _segment_files(template, encoded)
    if not (explained and "segments" in misspelt):
        yield from _unlisted(template, set(encoded.values()))


def _unknown_keys(template: Template, known: list[str]) -> list[tuple[str, str | None]]:
    """Each key nobody knows, with the known key it probably misspells."""
    return [(key, closest(key, known)) for key in template.metadata if key not in known]


def _unknown_key(template: Template, key: str, suggestion: str | None) -> Diagnostic:
    if isinstance(template.metadata[key], dict):
        message = f"unknown table [{key}]"
        hint = f"; did you mean [{suggestion}]?"
    else:
        message = f"unknown key '{key}'"
        hint = f"; did you mean '{suggestion}'?"
    return at_manifest("MD007", message + (hint if suggestion else ""), template, key)


def _required(
    template: Template, fields: list[str], misspelt: dict[str, str]
) -> Iterator[Diagnostic]:
    """MD002 for ``fields``, and for an empty or missing segments table; a missing one is
    found at the key that probably misspells it (``misspelt``: known key to that key)."""
    for field in fields:
        value = template.metadata.get(field)
        if value is None:
            message = f"required field '{field}' is missing{_misspelt(field, misspelt)}"
            yield at_manifest("MD002", message, template, misspelt.get(field))
        elif _is_empty(value):
            yield at_manifest("MD002", f"required field '{field}' is empty", template, field)
    if not template.metadata.get("segments"):
        message = f"the template lists no segments{_misspelt('segments', misspelt)}"
        yield at_manifest("MD002", message, template, misspelt.get("segments", "segments"))


def _misspelt(field: str, misspelt: dict[str, str]) -> str:
    return f" ('{misspelt[field]}' may be a misspelling of it)" if field in misspelt else ""


def _is_empty(value: Any) -> bool:
    return (isinstance(value, str) and not value.strip()) or (
        isinstance(value, list | dict) and not value
    )


def _types(template: Template) -> Iterator[Diagnostic]:
    metadata = template.metadata
    for field in STRING_FIELDS:
        if field in metadata and not isinstance(metadata[field], str):
            yield at_manifest(
                "MD003",
                f"'{field}' must be a string, not {type_name(metadata[field])}",
                template,
                field,
            )
    yield from _tags(template, metadata.get("tags"))
    segments = metadata.get("segments")
    if segments is not None and not isinstance(segments, dict):
        yield at_manifest(
            "MD003", f"'segments' must be a table, not {type_name(segments)}", template, "segments"
        )
    elif segments:
        for name, value in segments.items():
            if not isinstance(value, str) or not value:
                kind = "an empty string" if value == "" else type_name(value)
                yield at_manifest(
                    "MD003",
                    f"segment '{name}' must be a WAV path, not {kind}",
                    template,
                    f"segments.{name}",
                    segment=name,
                )


def _tags(template: Template, tags: Any) -> Iterator[Diagnostic]:
    if tags is None:
        return
    if not isinstance(tags, list):
        yield at_manifest(
            "MD003", f"'tags' must be a list of strings, not {type_name(tags)}", template, "tags"
        )
        return
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            yield at_manifest("MD003", f"tag {tag!r} is not a non-empty string", template, "tags")
        elif tag.lower() in seen:
            yield at_manifest("MD003", f"tag '{tag}' is listed twice", template, "tags")
        else:
            seen.add(tag.lower())


def _encoded_differently(template: Template) -> dict[str, Path]:
    """The audio file each missing segment's path names but for Unicode normalisation (a
    name written on macOS, decomposed, and listed composed), by segment name."""
    missing = [s for s in template.segments if s.status is SegmentStatus.MISSING]
    if not missing:
        return {}
    by_composed = {composed(str(audio)): audio for audio in template.audio_files}
    return {
        segment.name: by_composed[key]
        for segment in missing
        if (key := composed(str(segment.path))) in by_composed
    }


def _segment_files(template: Template, encoded: dict[str, Path]) -> Iterator[Diagnostic]:
    """MD004 and MD006; ``encoded``: the file a missing segment's path names but for its
    Unicode normalisation, by segment name."""
    for segment in template.segments:
        if segment.status is SegmentStatus.MISSING:
            message = f"segment '{segment.name}': file '{segment.declared_path}' does not exist"
            if segment.name in encoded:
                on_disk = encoded[segment.name].relative_to(template.directory).as_posix()
                message += f" as written{did_you_mean(segment.declared_path, on_disk)}"
            yield at_segment_entry("MD004", message, template, segment)
        elif segment.status is SegmentStatus.UNREADABLE:
            yield at_segment_entry(
                "MD004",
                f"segment '{segment.name}': file '{segment.declared_path}' cannot be read: "
                f"{segment.problem}",
                template,
                segment,
            )
        elif segment.status is SegmentStatus.OUTSIDE:
            yield at_segment_entry(
                "MD006",
                f"segment '{segment.name}': path '{segment.declared_path}' leaves the template "
                "directory; refused",
                template,
                segment,
            )


def _unlisted(template: Template, named: set[Path]) -> Iterator[Diagnostic]:
    """MD005, but for the files a segment names in another Unicode normalisation (``named``:
    their MD004 says so)."""
    declared = {segment.path for segment in template.segments} | named
    listed: set[Path] | None = None  # resolved, only when a file is not listed as it is
    for audio in template.audio_files:
        if audio in declared:
            continue
        if listed is None:
            listed = {_resolved(path) for path in declared}
        if _resolved(audio) not in listed:
            name = audio.relative_to(template.directory).as_posix()
            yield at_manifest(
                "MD005", f"audio file '{name}' is not listed in [segments]", template, "segments"
            )


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path
