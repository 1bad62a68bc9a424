"""Read a template's ``template.toml`` into a Template, keeping where each key is written."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from soundlint.model import LoadError, Position, Segment, SegmentStatus, Template
from soundlint.reading import read_up_to

MANIFEST_NAME = "template.toml"
MAX_MANIFEST_BYTES = 1 << 20
AUDIO_SUFFIXES = frozenset(
    {
        ".wav",
        ".wave",
        ".bwf",
        ".rf64",
        ".w64",
        ".mp3",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".aif",
        ".aiff",
        ".aifc",
        ".au",
        ".snd",
        ".caf",
        ".m4a",
    }
)
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def load_template(manifest: Path) -> Template:
    """Load a template without reading its audio; a broken manifest sets ``error``."""
    directory = manifest.parent
    fallback_name = directory.name
    audio_files = _audio_files(directory)
    try:
        raw = _read_bounded(manifest)
        text = raw.decode("utf-8").removeprefix("\ufeff")
        data = tomllib.loads(text)
    except FileNotFoundError:
        listed = ", ".join(path.relative_to(directory).as_posix() for path in audio_files[:3])
        more = ", ..." if len(audio_files) > 3 else ""
        message = f"{MANIFEST_NAME} is missing; the directory holds audio ({listed}{more})"
        return _broken(manifest, fallback_name, audio_files, message)
    except OSError as error:
        return _broken(manifest, fallback_name, audio_files, f"cannot read: {error.strerror}")
    except UnicodeDecodeError as error:
        return _broken(
            manifest,
            fallback_name,
            audio_files,
            f"not valid UTF-8: {error.reason}",
            _position_of_offset(raw, error.start),
        )
    except tomllib.TOMLDecodeError as error:
        return _broken(manifest, fallback_name, audio_files, *_toml_error(error))
    except ValueError as error:
        return _broken(manifest, fallback_name, audio_files, str(error))
    except RecursionError:
        return _broken(manifest, fallback_name, audio_files, "values are nested too deeply")

    positions = key_positions(text)
    name = data.get("name")
    segments_table = data.get("segments")
    segments = (
        tuple(
            _segment(str(key), value, directory, positions.get(f"segments.{key}"))
            for key, value in segments_table.items()
            if isinstance(value, str) and value
        )
        if isinstance(segments_table, dict)
        else ()
    )
    return Template(
        name=name if isinstance(name, str) and name else fallback_name,
        directory=directory,
        manifest=manifest,
        metadata=data,
        positions=positions,
        segments=segments,
        audio_files=audio_files,
    )


def _read_bounded(path: Path) -> bytes:
    with path.open("rb") as stream:
        raw = read_up_to(stream, MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ValueError(f"manifest is larger than {MAX_MANIFEST_BYTES} bytes")
    return raw


def _broken(
    manifest: Path,
    name: str,
    audio_files: tuple[Path, ...],
    message: str,
    position: Position | None = None,
) -> Template:
    return Template(
        name=name,
        directory=manifest.parent,
        manifest=manifest,
        audio_files=audio_files,
        error=LoadError(message, position),
    )


def _toml_error(error: tomllib.TOMLDecodeError) -> tuple[str, Position | None]:
    text = str(error)
    found = _TOML_POSITION.search(text)
    message = _TOML_POSITION.sub("", text).strip()
    if found:
        return message, Position(int(found.group(1)), int(found.group(2)))
    return message, None


def _position_of_offset(raw: bytes, offset: int) -> Position:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return Position(raw.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def _segment(
    name: str,
    declared: str,
    directory: Path,
    position: Position | None,
) -> Segment:
    def make(status: SegmentStatus, path: Path, **extra: Any) -> Segment:
        return Segment(name, declared, path, status, position, **extra)

    candidate = directory / declared
    if "\0" in declared:
        return make(SegmentStatus.UNREADABLE, candidate, problem="the path holds a NUL character")
    declared_path = Path(declared)
    if declared_path.is_absolute():
        return make(SegmentStatus.OUTSIDE, candidate)
    try:
        entry = _plain_entry(directory, declared_path.parts)
        if entry is not None:
            regular = stat.S_ISREG(entry.st_mode)
        else:
            if not candidate.resolve().is_relative_to(directory.resolve()):
                return make(SegmentStatus.OUTSIDE, candidate)
            if not candidate.exists():
                return make(SegmentStatus.MISSING, candidate)
            regular = candidate.is_file()
        if not regular:
            return make(SegmentStatus.UNREADABLE, candidate, problem="not a regular file")
        _read_first_byte(candidate)
    except OSError as error:
        return make(SegmentStatus.UNREADABLE, candidate, problem=error.strerror or str(error))
    except (RuntimeError, ValueError) as error:
        return make(SegmentStatus.UNREADABLE, candidate, problem=str(error))
    return make(SegmentStatus.OK, candidate)


def _plain_entry(directory: Path, parts: tuple[str, ...]) -> os.stat_result | None:
    """The entry the relative path ``parts`` names when no step down to it is '..' or a
    symbolic link, so that it cannot leave ``directory`` (one lstat a step instead of resolving
    two paths). None when that cannot be told so cheaply: a '..', a link, a missing step."""
    if ".." in parts:
        return None
    here = str(directory)
    entry = None
    try:
        for part in parts:
            here = os.path.join(here, part)
            entry = os.lstat(here)
            if stat.S_ISLNK(entry.st_mode):
                return None
    except OSError:
        return None
    return entry


def _read_first_byte(path: Path) -> None:
    """Raise OSError unless the file can be opened and read (permission, I/O errors)."""
    with path.open("rb", buffering=0) as stream:
        stream.read(1)


def _audio_files(directory: Path) -> tuple[Path, ...]:
    """Audio files under a template directory, not descending into hidden or nested templates."""
    found: list[Path] = []
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return ()
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        if entry.is_dir(follow_symlinks=False):
            if not (path / MANIFEST_NAME).exists():
                found.extend(_audio_files(path))
        elif path.suffix.lower() in AUDIO_SUFFIXES:
            found.append(path)
    return tuple(found)


def key_positions(text: str) -> dict[str, Position]:
    """Where each key is written, by dotted path ('description', 'segments.intro')."""
    positions: dict[str, Position] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            table = header.group(1).replace('"', "").replace("'", "").strip()
            positions.setdefault(table, Position(number, line.index("[") + 1))
            continue
        key = _KEY.match(line)
        if key:
            name = next(group for group in key.groups() if group is not None)
            column = len(line) - len(line.lstrip()) + 1
            positions.setdefault(f"{table}.{name}" if table else name, Position(number, column))
    return positions
