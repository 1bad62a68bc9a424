"""Whose a cache directory is: soundlint writes only into a directory it made its cache, and
cleans out only what it wrote there.

A directory becomes soundlint's cache when soundlint creates it or finds it empty; the marker
file written first says so to later runs (an older soundlint's cache, holding only its own
files, is recognised by its CACHEDIR.TAG or .gitignore and marked). Anything else is never
written into, and a directory at or above the project root or the home directory is refused
outright, by ``check`` and ``clean`` alike: a ``cache-dir`` of ``.`` once made ``clean`` delete
a whole project. Nothing is written through a folder of the cache replaced by a symbolic link.
``clean`` removes soundlint's files by their names and contents, never through a symbolic link,
and leaves the rest where it is; then the directory, and the folders made for it, when soundlint
made them (recorded by name and inode) and they are empty.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import errno
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soundlint import atomic
from soundlint.config import ConfigError
from soundlint.model import Measurement

MARKER_NAME = "SOUNDLINT_CACHE"
MARKER = "A soundlint cache: `soundlint clean` removes what soundlint wrote here.\n"
TAG_NAME = "CACHEDIR.TAG"
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by soundlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
GITIGNORE_NAME = ".gitignore"
GITIGNORE = "# Written by soundlint: a cache, not to be committed.\n*\n"
INDEX_NAME = "index.json"
LOCK_NAME = "index.lock"
MADE_NAME = "made.json"
"""The folders made for the cache, which ``clean`` removes with it: their names and inodes."""
ENTRIES_NAME = "measurements"

_TEXTS = {MARKER_NAME: MARKER, TAG_NAME: TAG, GITIGNORE_NAME: GITIGNORE}
_FILES = (*_TEXTS, INDEX_NAME, LOCK_NAME, MADE_NAME)
_TEMPORARY = r"\.{}\.[a-z0-9_]{{8}}"
"""The name of ``atomic.write_text``'s temporary file for a file named {} (left by a kill)."""
_OWN_NAMES = "|".join(map(re.escape, _FILES))
_OWN_FILE = re.compile(f"(?:{_OWN_NAMES})|{_TEMPORARY.format(f'(?:{_OWN_NAMES})')}")
_MARKER_ON_ITS_WAY = re.compile(_TEMPORARY.format(re.escape(MARKER_NAME)))
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"(?P<key>[0-9a-f]{64})\.json")
_MEASUREMENT_FIELDS = frozenset(field.name for field in dataclasses.fields(Measurement))
_MEASUREMENT_REQUIRED = frozenset(
    field.name
    for field in dataclasses.fields(Measurement)
    if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
)


class CacheError(ConfigError):
    """A cache directory that soundlint may not use or clean: one line, exit status 2."""


class Kind(enum.Enum):
    """What a cache directory is, as far as soundlint can tell."""

    NEW = "does not exist"
    EMPTY = "is empty"
    OURS = "is soundlint's cache"
    LEGACY = "is an older soundlint's cache"
    BROKEN_LINK = "is a symbolic link to nothing"
    NOT_A_DIRECTORY = "is not a directory"
    FOREIGN = "is not empty and not a soundlint cache"


USABLE = frozenset({Kind.NEW, Kind.EMPTY, Kind.OURS, Kind.LEGACY})


def kind(directory: Path) -> Kind:
    """What ``directory`` is; OSError when it cannot be read."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return Kind.BROKEN_LINK if directory.is_symlink() else Kind.NEW
    except NotADirectoryError:  # the path, or one of its parents, is a file
        return Kind.NOT_A_DIRECTORY if os.path.lexists(directory) else Kind.NEW
    if MARKER_NAME in names and _holds(directory / MARKER_NAME, MARKER):
        return Kind.OURS
    others = [name for name in names if not _MARKER_ON_ITS_WAY.fullmatch(name)]
    if not others:  # nothing, or another run's marker on its way in
        return Kind.EMPTY
    if all(_OWN_FILE.fullmatch(name) or name == ENTRIES_NAME for name in others) and (
        _holds(directory / TAG_NAME, TAG) or _holds(directory / GITIGNORE_NAME, GITIGNORE)
    ):
        return Kind.LEGACY
    return Kind.FOREIGN


def location(directory: Path) -> Path:
    """Where ``directory`` is, as ``check`` and ``clean`` both take it: absolute, with the links
    and ``..`` of its parents resolved (``x/..`` is the folder holding ``x``, whether ``x``
    exists or not), its own name kept, a link or not."""
    if directory.name in ("", ".", ".."):
        return directory.resolve()
    return directory.parent.resolve() / directory.name


def check(directory: Path, root: Path | None) -> None:
    """Raise CacheError unless ``check`` may keep its cache in ``directory`` (a ``location``;
    OSError when it cannot tell)."""
    _refuse_swallowing(directory, root)
    found = kind(directory)
    if found not in USABLE:
        raise CacheError(
            f"the cache directory {directory} {found.value}; not written into "
            "(name a new or empty directory)"
        )


def _stamped_root(directory: Path, root: Path | None) -> bool:
    """Whether ``directory`` is the project root as an older soundlint left it when it was
    named the cache (its CACHEDIR.TAG or ``*`` .gitignore there hid new files from git):
    ``clean`` takes soundlint's own files away, leaving the rest."""
    stamps = ((TAG_NAME, TAG), (GITIGNORE_NAME, GITIGNORE))
    return (
        root is not None
        and directory.resolve() == root.resolve()
        and any(_holds(directory / name, text) for name, text in stamps)
    )


def _refuse_swallowing(directory: Path, root: Path | None) -> None:
    """Raise CacheError when ``directory`` is, or is above, the project root or the home
    directory."""
    swallowed = _swallowed(directory, root)
    if swallowed:
        raise CacheError(
            f"the cache directory {directory} is {swallowed}; "
            "name a directory of the cache's own, such as .soundlint_cache"
        )


def _swallowed(directory: Path, root: Path | None) -> str | None:
    """What a cache in ``directory`` would take in: the project root or the home directory,
    when it is one of them or a directory above."""
    places = {"the project root": root}
    with contextlib.suppress(RuntimeError):  # no home directory known
        places["the home directory"] = Path.home()
    resolved = directory.resolve()
    for what, place in places.items():
        if place is not None and place.resolve().is_relative_to(resolved):
            return what if place.resolve() == resolved else f"above {what}"
    return None


def claim(directory: Path) -> None:
    """Make ``directory`` soundlint's cache, before its first write: create it with the marker,
    CACHEDIR.TAG and a .gitignore of ``*`` (and the record of the folders made for it), or mark
    the empty or older cache found there. OSError when it cannot be written; CacheError when
    someone else's directory took its place since ``check``."""
    made = _make_parents(directory.parent)
    try:
        directory.mkdir()
    except FileExistsError:
        created = False
        found = kind(directory)
        if found not in USABLE:
            raise CacheError(f"the cache directory {directory} {found.value}") from None
        if found is not Kind.OURS:
            atomic.write_text(directory / MARKER_NAME, MARKER)
    else:
        created = True
        atomic.write_text(directory / MARKER_NAME, MARKER)  # first: other runs see it is ours
    if not (directory / TAG_NAME).exists():
        atomic.write_text(directory / TAG_NAME, TAG)
    if created:  # only here: in a directory of the user's, it would hide their files from git
        atomic.write_text(directory / GITIGNORE_NAME, GITIGNORE)
        if made:
            atomic.write_text(directory / MADE_NAME, json.dumps({"made": made}))


def _make_parents(folder: Path) -> list[tuple[str, int]]:
    """Create ``folder`` and the parents it lacks; the name and inode of each made here (not by
    another run at the same time), nearest first."""
    missing = [path for path in (folder, *folder.parents) if not os.path.lexists(path)]
    made = []
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir()
            made.append((path.name, path.lstat().st_ino))
    return made[::-1]


@dataclass(frozen=True)
class Cleaned:
    """What ``clean`` did."""

    removed_directory: bool
    """The directory itself went: soundlint created it, and nothing else was in it."""
    removed_folders: tuple[Path, ...]
    """The folders made for it that went with it: still those folders, and empty."""
    left: tuple[str, ...]
    """What soundlint did not write, left where it was (paths within the directory)."""


def make_folders(directory: Path, path: Path) -> None:
    """Create the folders between the cache ``directory`` and the file ``path`` in it. OSError
    when one of them is a symbolic link, or not a folder: nothing is written through it."""
    folder = directory
    for name in path.relative_to(directory).parts[:-1]:
        folder = folder / name
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        if folder.is_symlink() or not folder.is_dir():
            what = "a symbolic link" if folder.is_symlink() else "not a folder"
            where = folder.relative_to(directory)
            raise OSError(errno.ENOTDIR, f"{where} is {what}, not a folder of soundlint's")


def entry_files(directory: Path) -> Iterator[Path]:
    """The measurement files named as soundlint names them in its cache ``directory``, found
    without following a symbolic link."""
    entries = directory / ENTRIES_NAME
    if entries.is_symlink() or not entries.is_dir():
        return
    for shard in _scan(entries):
        if _is_shard(shard):
            for entry in _scan(Path(shard.path)):
                if _ENTRY.fullmatch(entry.name) and _is_entry(shard.name, entry):
                    yield Path(entry.path)


def clean(directory: Path, root: Path | None) -> Cleaned | None:
    """Remove what soundlint wrote in its cache ``directory`` (a ``location``), and the
    directory when soundlint created it and nothing else is in it; None when there is nothing
    at ``directory``. Raises CacheError for a directory that ``check`` refuses, one that is not
    a soundlint cache, or one that cannot be cleaned."""
    if not _stamped_root(directory, root):
        _refuse_swallowing(directory, root)
    if not os.path.lexists(directory):
        return None
    if not directory.is_dir() or not any(_holds(directory / n, t) for n, t in _TEXTS.items()):
        raise CacheError(f"{directory} is not a soundlint cache (no {MARKER_NAME}); not removed")
    created = _holds(directory / GITIGNORE_NAME, GITIGNORE)
    made = (_read_made(directory / MADE_NAME) or []) if created else []
    try:
        left = tuple(_remove_own(directory))
        removed = created and not left and not directory.is_symlink()
        if removed:
            directory.rmdir()
    except OSError as error:
        where = error.filename or directory
        raise CacheError(f"cannot remove {where}: {error.strerror or error}") from None
    folders = tuple(_remove_made(directory, made, root)) if removed else ()
    return Cleaned(removed, folders, left)


def _remove_made(directory: Path, made: list[tuple[str, int]], root: Path | None) -> Iterator[Path]:
    """Remove the folders made for the cache ``directory``, nearest first, while each is still
    the one made (its name and inode), empty, and holds neither the project nor the home
    directory; yield each removed."""
    for folder, (name, inode) in zip(directory.parents, made, strict=False):
        if folder.name != name or _swallowed(folder, root):
            return
        try:
            if folder.lstat().st_ino != inode:
                return
            folder.rmdir()
        except OSError:  # not empty, or gone: what is left is the user's
            return
        yield folder


def _read_made(path: Path) -> list[tuple[str, int]] | None:
    """The folders a record of ``MADE_NAME`` lists, or None when it holds something else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    made = data.get("made") if isinstance(data, dict) and data.keys() == {"made"} else None
    if not isinstance(made, list) or not all(map(_is_made_folder, made)):
        return None
    return [(name, inode) for name, inode in made]


def _is_made_folder(item: Any) -> bool:
    """A folder as the record lists it: [name, inode]."""
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], int)
        and not isinstance(item[1], bool)
    )


def _remove_own(directory: Path) -> Iterator[str]:
    """Remove soundlint's files in ``directory`` (the marker last, so that a clean cut short
    can be run again); yield the names of everything else."""
    own = []
    for entry in _scan(directory):
        if entry.name == ENTRIES_NAME and entry.is_dir(follow_symlinks=False):
            yield from (f"{ENTRIES_NAME}/{name}" for name in _remove_entries(Path(entry.path)))
        elif _is_own_file(entry):
            own.append(entry)
        else:
            yield entry.name
    for entry in sorted(own, key=lambda e: (e.name == MARKER_NAME, e.name in _TEXTS)):
        os.unlink(entry.path)


def _remove_entries(entries: Path) -> Iterator[str]:
    """Remove the measurement files under ``entries``; yield the names of everything else."""
    for shard in _scan(entries):
        if not _is_shard(shard):
            yield shard.name
            continue
        for entry in _scan(Path(shard.path)):
            if _is_entry(shard.name, entry) and _holds_measurement(entry):
                os.unlink(entry.path)
            else:
                yield f"{shard.name}/{entry.name}"
        _remove_if_empty(Path(shard.path))
    _remove_if_empty(entries)


def _is_shard(shard: os.DirEntry[str]) -> bool:
    """A folder of measurement files as soundlint names them (not a link)."""
    return bool(_SHARD.fullmatch(shard.name) and shard.is_dir(follow_symlinks=False))


def _is_entry(shard: str, entry: os.DirEntry[str]) -> bool:
    """A measurement file (or its temporary file) as soundlint names them in ``shard``."""
    name = entry.name
    if re.fullmatch(_TEMPORARY.format(".+"), name):
        name = name[1:-9]
    match = _ENTRY.fullmatch(name)
    return bool(match and match["key"].startswith(shard) and entry.is_file(follow_symlinks=False))


def _holds_measurement(entry: os.DirEntry[str]) -> bool:
    """Whether a measurement file holds what soundlint writes there: a JSON object of a
    Measurement's fields (an older soundlint's, fewer of them). A temporary file, cut short by
    a kill, is taken by its name."""
    if not _ENTRY.fullmatch(entry.name):
        return True
    try:
        data = json.loads(Path(entry.path).read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and _MEASUREMENT_REQUIRED <= data.keys() <= _MEASUREMENT_FIELDS


def _is_own_file(entry: os.DirEntry[str]) -> bool:
    """A file soundlint writes at the top of its cache, holding what soundlint writes there."""
    if not entry.is_file(follow_symlinks=False) or not _OWN_FILE.fullmatch(entry.name):
        return False
    path = Path(entry.path)
    if entry.name in _TEXTS:
        return _holds(path, _TEXTS[entry.name])
    if entry.name == LOCK_NAME:
        return entry.stat(follow_symlinks=False).st_size == 0
    if entry.name == INDEX_NAME:
        return _is_index(path)
    if entry.name == MADE_NAME:
        return _read_made(path) is not None
    return True  # a temporary file of one of them, left by a run that was killed


def _is_index(path: Path) -> bool:
    """A stat index of this soundlint or an older one (a flat mapping, before the format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    if "format" in data:
        return data.keys() == {"format", "files"} and isinstance(data["files"], dict)
    return all(isinstance(value, list) for value in data.values())


def _holds(path: Path, text: str) -> bool:
    """Whether ``path`` is a regular file (not a link) holding exactly ``text``."""
    expected = text.encode()
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(expected):
            return False
        return path.read_bytes() == expected
    except OSError:
        return False


def _scan(directory: Path) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _remove_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: what is left was reported
        directory.rmdir()
