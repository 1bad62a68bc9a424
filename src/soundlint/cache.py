"""A content-keyed cache of measurements, so that a warm re-run reads no audio at all.

Entries are keyed by a hash of the file's bytes plus the meter's identity, so renaming or
touching a file keeps its entry and editing one misses. A stat index (size, mtime) per path
spares re-hashing files that have not changed. Every write is atomic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any

from soundlint import atomic
from soundlint.model import Measurement

CACHE_FORMAT = 2
HASH_CHUNK = 1 << 20


class MeasurementCache:
    """Measurements on disk under ``directory``, for one meter identity."""

    def __init__(self, directory: Path, meter: str) -> None:
        self.directory = directory
        self.meter = meter
        self._index_path = directory / "index.json"
        index = self._read_json(self._index_path)
        self._index: dict[str, Any] = index if isinstance(index, dict) else {}
        self._dirty = False

    def get(self, path: Path) -> Measurement | None:
        key = self._key(path)
        if key is None:
            return None
        data = self._read_json(self._entry_path(key))
        return _from_json(data) if _is_measurement(data) else None

    def put(self, path: Path, measurement: Measurement) -> None:
        key = self._key(path)
        if key is not None:
            self._keep_out_of_git()
            _write_atomic(self._entry_path(key), json.dumps(dataclasses.asdict(measurement)))

    def _keep_out_of_git(self) -> None:
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            _write_atomic(ignore, "# Written by soundlint: a cache, not to be committed.\n*\n")

    def save(self) -> None:
        """Write the stat index, if it changed."""
        if self._dirty:
            _write_atomic(self._index_path, json.dumps(self._index))
            self._dirty = False

    def _key(self, path: Path) -> str | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        signature = [stat.st_size, stat.st_mtime_ns]
        known = self._index.get(str(path))
        if isinstance(known, list) and len(known) == 3 and known[:2] == signature:
            digest: str | None = str(known[2])
        else:
            digest = _hash_file(path)
            if digest is None:
                return None
            self._index[str(path)] = [*signature, digest]
            self._dirty = True
        identity = f"{CACHE_FORMAT}:{self.meter}:{digest}"
        return hashlib.sha256(identity.encode()).hexdigest()

    def _entry_path(self, key: str) -> Path:
        return self.directory / "measurements" / key[:2] / f"{key}.json"

    @staticmethod
    def _read_json(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


def _hash_file(path: Path) -> str | None:
    digest = hashlib.blake2b(digest_size=32)
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _is_measurement(data: Any) -> bool:
    """True when ``data`` has exactly a Measurement's fields, each of the declared type."""
    hints = typing.get_type_hints(Measurement)
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
