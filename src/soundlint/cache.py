"""A content-keyed cache of measurements, so that a warm re-run reads no audio at all.

Entries are keyed by a hash of the file's bytes plus the meter's identity, so renaming,
touching or freshly cloning a file keeps its entry and editing one misses. A stat index (size,
mtime, inode) per path answers without reading the file when it has not changed; otherwise the
worker that would decode the file hashes it first (``probe``), and finds the entry of a fresh
clone's unchanged bytes without decoding. An entry holds the measures it was computed with
(``Measurement.measures``); one lacking a measure a run needs is a miss, and is replaced by a
measurement of both sets. Every write is atomic, and the
index is merged with what is on disk under a lock, so processes sharing a cache lose nothing.
The cache is bounded: past its size, the entries used longest ago go. Which directory it may
write into, and what ``clean`` removes, is ``cachedir``'s part; a cache that cannot be written
is a warning, and the run goes on without keeping anything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Iterable, Iterator, Set
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from soundlint import atomic, cachedir
from soundlint.model import Measurement

CACHE_FORMAT = 6
"""6: no loudness range when too short, the LFE named when it alone sounds, RF64 measured
where libsndfile refuses it; 5: entries name their measures, the stat index has inodes;
4: measurements say why a value is missing; 3: files hashed with XXH3-128 (2: SHA-256,
1: BLAKE2b)."""
HASH_CHUNK = 1 << 20
HASH_THREADS = 4
KEEP_AFTER_EVICTION = 0.8
"""Eviction goes below the bound by this much, so that it does not run on every write."""


class MeasurementCache:
    """Measurements on disk under ``directory``, for one meter identity."""

    def __init__(
        self, directory: Path, meter: str, max_bytes: int, *, root: Path | None = None
    ) -> None:
        """Raises CacheError when ``directory`` is not soundlint's to write into (see
        ``cachedir.check``; ``root`` is the project's)."""
        self.directory = directory
        self.meter = meter
        self.max_bytes = max_bytes
        self._claimed = False
        self._writable = True
        try:
            cachedir.check(directory, root)
        except OSError as error:
            self._cannot_write(error)
        self._index_path = directory / cachedir.INDEX_NAME
        self._index = _read_index(self._index_path)
        self._updates: dict[str, list[Any]] = {}
        self._wrote = False

    def get(self, path: Path, needs: Set[str] = frozenset()) -> Measurement | None:
        """The entry of ``path`` holding ``needs``, found by the stat index alone (no reading):
        None when the file changed since it was last hashed, or no such entry is kept."""
        signature = stat_signature(path)
        digest = self.digest(path, signature)
        return None if digest is None else self.entry(digest, needs)

    def digest(self, path: Path, signature: list[int] | None) -> str | None:
        """The digest the index holds for ``path``, if its size, mtime and inode still match."""
        known = self._index.get(str(path))
        if signature is None or not isinstance(known, list) or len(known) != len(signature) + 1:
            return None
        return str(known[-1]) if known[:-1] == signature else None

    def entry(self, digest: str, needs: Set[str] = frozenset()) -> Measurement | None:
        """The measurement kept for these bytes, if it holds every measure in ``needs``."""
        return probe(self.directory, self.meter, digest, needs)

    def put(self, path: Path, measurement: Measurement) -> None:
        """Keep a measurement of ``path`` as it is now (hashing it unless the index knows it)."""
        signature = stat_signature(path)
        digest = self.digest(path, signature) or hash_file(path)
        if signature is not None and digest is not None:
            self.keep(path, signature, digest, measurement)

    def keep(
        self, path: Path, signature: list[int], digest: str, measurement: Measurement | None
    ) -> None:
        """Remember that ``path`` with ``signature`` has ``digest``; store its measurement
        (None: the entry is already there)."""
        self._index[str(path)] = self._updates[str(path)] = [*signature, digest]
        if measurement is not None and self._ready():
            entry = _entry_path(self.directory, self.meter, digest)
            self._write(entry, json.dumps(dataclasses.asdict(measurement)))
            self._wrote = True

    def hash_ahead(self, paths: Iterable[Path]) -> None:
        """Hash, on threads, the files the stat index does not know as they are now, so that
        ``get`` finds their entries: a fresh clone then costs a read of its audio, no decoding.
        Only when the cache holds something to find: else the workers hash what they decode,
        reading each file once."""
        if not self._index:
            return
        signatures = [(path, stat_signature(path)) for path in paths]
        stale = [(path, sig) for path, sig in signatures if self.digest(path, sig) is None]
        with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
            digests = pool.map(hash_file, [path for path, _ in stale])
            for (path, signature), digest in zip(stale, digests, strict=True):
                if signature is not None and digest is not None:
                    self.keep(path, signature, digest, None)

    def save(self) -> None:
        """Merge this run's stat index updates into the one on disk; keep the cache bounded."""
        if self._updates and self._ready():
            with _locked(self.directory / cachedir.LOCK_NAME):
                merged = {**_read_index(self._index_path), **self._updates}
                document = {"format": CACHE_FORMAT, "files": merged}
                self._write(self._index_path, json.dumps(document))
            self._updates = {}
        if self._wrote:
            evict(self.directory, self.max_bytes)
            self._wrote = False

    def _ready(self) -> bool:
        """Whether the cache can be written; before its first write, make the directory
        soundlint's cache (``cachedir.claim``)."""
        if self._writable and not self._claimed:
            try:
                cachedir.claim(self.directory)
                self._claimed = True
            except (OSError, cachedir.CacheError) as error:
                self._cannot_write(error)
        return self._writable

    def _write(self, path: Path, text: str) -> None:
        """Write atomically; the first failure is a warning, and nothing more is written."""
        if not self._writable:
            return
        try:
            for folder in reversed(path.relative_to(self.directory).parents[:-1]):
                (self.directory / folder).mkdir(exist_ok=True)  # not the cache's: it stays claimed
            atomic.write_text(path, text)
        except OSError as error:
            self._cannot_write(error)

    def _cannot_write(self, error: Exception) -> None:
        self._writable = False
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(
            f"soundlint: warning: cannot write the cache at {self.directory} ({reason}); "
            "measurements of this run are not kept",
            file=sys.stderr,
        )


def probe(
    directory: Path, meter: str, digest: str, needs: Set[str] = frozenset()
) -> Measurement | None:
    """The entry for ``digest`` under ``directory`` holding ``needs``; a worker process can
    ask this without the index (which only the main process writes)."""
    entry = _entry_path(directory, meter, digest)
    data = _read_json(entry)
    if not _is_measurement(data) or not needs <= set(data["measures"]):
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used: the last to be evicted
    return _from_json(data)


def _entry_path(directory: Path, meter: str, digest: str) -> Path:
    identity = f"{CACHE_FORMAT}:{meter}:{digest}"
    key = hashlib.sha256(identity.encode()).hexdigest()
    return directory / cachedir.ENTRIES_NAME / key[:2] / f"{key}.json"


def evict(directory: Path, max_bytes: int) -> None:
    """Remove the entries used longest ago until the measurements fit in ``max_bytes``."""
    entries = []
    for entry in (directory / cachedir.ENTRIES_NAME).glob("*/*.json"):
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
    """Path -> [size, mtime, inode, digest], from an index of this format only: another
    soundlint may have hashed the files differently."""
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


def stat_signature(path: Path) -> list[int] | None:
    """What the stat index compares: size, mtime and inode (a file replaced by a copy with
    the same size and mtime is hashed again)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def hash_file(path: Path) -> str | None:
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


Check = typing.Callable[[Any], bool]


@functools.cache
def _field_checks() -> dict[str, Check]:
    """A type check for each of Measurement's fields, built once from its annotations."""
    return {name: _check(hint) for name, hint in typing.get_type_hints(Measurement).items()}


def _is_measurement(data: Any) -> bool:
    """True when ``data`` has exactly a Measurement's fields, each of the declared type."""
    checks = _field_checks()
    return (
        isinstance(data, dict)
        and data.keys() == checks.keys()
        and all(check(data[name]) for name, check in checks.items())
    )


def _check(hint: Any) -> Check:
    """A function telling whether a JSON value fits the type ``hint``."""
    arguments = typing.get_args(hint)
    if isinstance(hint, types.UnionType):
        options = [_check(argument) for argument in arguments]
        return lambda value: any(option(value) for option in options)
    if typing.get_origin(hint) is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            item = _check(arguments[0])
            return lambda value: isinstance(value, list) and all(map(item, value))
        items = [_check(argument) for argument in arguments]
        return lambda value: (
            isinstance(value, list)
            and len(value) == len(items)
            and all(check(item) for check, item in zip(items, value, strict=True))
        )
    if hint is type(None):
        return lambda value: value is None
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    return lambda value: isinstance(value, hint) and not isinstance(value, bool)


def _from_json(data: dict[str, Any]) -> Measurement:
    data = dict(data)
    data["dc_offset"] = tuple(data.get("dc_offset", ()))
    data["clipped_runs"] = tuple(tuple(run) for run in data.get("clipped_runs", ()))
    data["missing"] = tuple(tuple(reason) for reason in data.get("missing", ()))
    data["measures"] = tuple(data.get("measures", ()))
    return Measurement(**data)
