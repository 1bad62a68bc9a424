"""A content-keyed cache of measurements, so that a warm re-run reads no audio at all.

Entries are keyed by a hash of the file's bytes plus the meter's identity, so renaming,
touching or freshly cloning a file keeps its entry and editing one misses. A stat index (size,
mtime) per path spares re-hashing files that have not changed. Every write is atomic, and the
index is merged with what is on disk under a lock, so processes sharing a cache lose nothing.
The cache is bounded: past its size, the entries used longest ago go.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import types
import typing
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from soundlint import atomic
from soundlint.model import Measurement

CACHE_FORMAT = 4
"""4: measurements say why a value is missing; 3: files hashed with XXH3-128 (2: SHA-256,
1: BLAKE2b)."""
HASH_CHUNK = 1 << 20
HASH_THREADS = 4
KEEP_AFTER_EVICTION = 0.8
"""Eviction goes below the bound by this much, so that it does not run on every write."""
TAG_NAME = "CACHEDIR.TAG"
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by soundlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
GITIGNORE = "# Written by soundlint: a cache, not to be committed.\n*\n"


class CacheError(Exception):
    """A cache directory that cannot be cleaned."""


class MeasurementCache:
    """Measurements on disk under ``directory``, for one meter identity."""

    def __init__(self, directory: Path, meter: str, max_bytes: int) -> None:
        self.directory = directory
        self.meter = meter
        self.max_bytes = max_bytes
        self._index_path = directory / "index.json"
        self._index = _read_index(self._index_path)
        self._updates: dict[str, list[Any]] = {}
        self._wrote = False

    def get(self, path: Path) -> Measurement | None:
        key = self._key(path)
        if key is None:
            return None
        entry = self._entry_path(key)
        data = _read_json(entry)
        if not _is_measurement(data):
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: the last to be evicted
        return _from_json(data)

    def put(self, path: Path, measurement: Measurement) -> None:
        key = self._key(path)
        if key is not None:
            self._prepare()
            _write_atomic(self._entry_path(key), json.dumps(dataclasses.asdict(measurement)))
            self._wrote = True

    def save(self) -> None:
        """Merge this run's stat index updates into the one on disk; keep the cache bounded."""
        if self._updates:
            self._prepare()
            with _locked(self.directory / "index.lock"):
                merged = {**_read_index(self._index_path), **self._updates}
                document = {"format": CACHE_FORMAT, "files": merged}
                _write_atomic(self._index_path, json.dumps(document))
            self._updates = {}
        if self._wrote:
            evict(self.directory, self.max_bytes)
            self._wrote = False

    def _prepare(self) -> None:
        """Create the directory with its tag and a .gitignore that keeps it out of git."""
        for name, text in ((TAG_NAME, TAG), (".gitignore", GITIGNORE)):
            if not (self.directory / name).exists():
                _write_atomic(self.directory / name, text)

    def hash_ahead(self, paths: Iterable[Path]) -> None:
        """Hash, on threads, the files whose size or mtime changed since they were last hashed
        (after a fresh clone, all of them), so that ``get`` finds their digests."""
        stale = []
        for path in paths:
            signature = _signature(path)
            if signature is not None and self._digest(path, signature) is None:
                stale.append((path, signature))
        workers = min(HASH_THREADS, len(stale))
        if workers < 2:
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            digests = pool.map(_hash_file, [path for path, _ in stale])
            for (path, signature), digest in zip(stale, digests, strict=True):
                if digest is not None:
                    self._remember(path, signature, digest)

    def _key(self, path: Path) -> str | None:
        signature = _signature(path)
        if signature is None:
            return None
        digest = self._digest(path, signature)
        if digest is None:
            digest = _hash_file(path)
            if digest is None:
                return None
            self._remember(path, signature, digest)
        identity = f"{CACHE_FORMAT}:{self.meter}:{digest}"
        return hashlib.sha256(identity.encode()).hexdigest()

    def _digest(self, path: Path, signature: list[int]) -> str | None:
        """The digest the index holds for ``path``, if its size and mtime still match."""
        known = self._index.get(str(path))
        if isinstance(known, list) and len(known) == 3 and known[:2] == signature:
            return str(known[2])
        return None

    def _remember(self, path: Path, signature: list[int], digest: str) -> None:
        self._index[str(path)] = self._updates[str(path)] = [*signature, digest]

    def _entry_path(self, key: str) -> Path:
        return self.directory / "measurements" / key[:2] / f"{key}.json"


def evict(directory: Path, max_bytes: int) -> None:
    """Remove the entries used longest ago until the measurements fit in ``max_bytes``."""
    entries = []
    for entry in (directory / "measurements").glob("*/*.json"):
        with contextlib.suppress(OSError):
            stat = entry.stat()
            entries.append((stat.st_mtime_ns, stat.st_size, entry))
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return
    for _, size, entry in sorted(entries):
        if total <= max_bytes * KEEP_AFTER_EVICTION:
            break
        with contextlib.suppress(OSError):
            entry.unlink()
            total -= size


def clean(directory: Path) -> bool:
    """Remove a soundlint cache directory; False when there is none. Refuses a directory that
    is not one (no soundlint tag), so a mistyped ``cache-dir`` cannot remove a project."""
    if not directory.exists() and not directory.is_symlink():
        return False
    if not _is_ours(directory):
        raise CacheError(f"{directory} is not a soundlint cache (no {TAG_NAME}); not removed")
    try:
        shutil.rmtree(directory)
    except OSError as error:
        raise CacheError(f"cannot remove {directory}: {error.strerror or error}") from None
    return True


def _is_ours(directory: Path) -> bool:
    if directory.is_symlink() or not directory.is_dir():
        return False
    for name, text in ((TAG_NAME, TAG), (".gitignore", GITIGNORE)):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if (directory / name).read_text(encoding="utf-8") == text:
                return True
    return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (where the platform has flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: the atomic replace still keeps the index whole
        yield
        return
    try:
        handle = path.open("a")
    except OSError:
        yield
        return
    with handle:
        with contextlib.suppress(OSError):  # a file system without locks: merge unlocked
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _read_index(path: Path) -> dict[str, Any]:
    """Path -> [size, mtime, digest], from an index of this format only: another soundlint may
    have hashed the files differently."""
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("format") != CACHE_FORMAT:
        return {}
    files = document.get("files")
    return files if isinstance(files, dict) else {}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _signature(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _hash_file(path: Path) -> str | None:
    """XXH3-128 of the file's bytes: tens of GB/s, so a fresh clone costs little more than
    reading its audio once. Not a cryptographic hash, and it need not be one: whoever could
    craft a collision could as well write the cache's entries directly."""
    import xxhash

    digest = xxhash.xxh3_128()
    buffer = bytearray(HASH_CHUNK)
    view = memoryview(buffer)
    try:
        with path.open("rb", buffering=0) as stream:
            while size := stream.readinto(buffer):
                digest.update(view[:size])
    except OSError:
        return None
    return digest.hexdigest()


@functools.cache
def _measurement_fields() -> dict[str, Any]:
    return typing.get_type_hints(Measurement)


def _is_measurement(data: Any) -> bool:
    """True when ``data`` has exactly a Measurement's fields, each of the declared type."""
    hints = _measurement_fields()
    return (
        isinstance(data, dict)
        and set(data) == set(hints)
        and all(_fits(data[name], hint) for name, hint in hints.items())
    )


def _fits(value: Any, hint: Any) -> bool:
    arguments = typing.get_args(hint)
    if isinstance(hint, types.UnionType):
        return any(_fits(value, argument) for argument in arguments)
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list):
            return False
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return all(_fits(item, arguments[0]) for item in value)
        return len(value) == len(arguments) and all(map(_fits, value, arguments))
    if hint is type(None):
        return value is None
    if isinstance(value, bool):
        return hint is bool
    if hint is float:
        return isinstance(value, int | float)
    return isinstance(value, hint)


def _from_json(data: dict[str, Any]) -> Measurement:
    data = dict(data)
    data["dc_offset"] = tuple(data.get("dc_offset", ()))
    data["clipped_runs"] = tuple(tuple(run) for run in data.get("clipped_runs", ()))
    data["missing"] = tuple(tuple(reason) for reason in data.get("missing", ()))
    return Measurement(**data)


def _write_atomic(path: Path, text: str) -> None:
    """Write atomically; a cache that cannot be written is simply not kept."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, text)
