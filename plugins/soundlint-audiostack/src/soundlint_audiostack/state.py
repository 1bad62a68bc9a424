"""``.soundlint/uploads.json``: what this project uploaded where, so that an unchanged template
is not sent twice. It holds content hashes, file ids and times; never the key."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soundlint.config import ConfigError
from soundlint_audiostack.core import TemplateVerdict

STATE_FILE = Path(".soundlint") / "uploads.json"
VERSION = 1


@dataclass(frozen=True)
class Uploaded:
    """A template as it went up: its fingerprint and the file id of each segment."""

    fingerprint: str
    file_ids: dict[str, str]


def fingerprint(verdict: TemplateVerdict) -> str:
    """A hash of the manifest's bytes and of each segment's name and bytes."""
    digest = hashlib.sha256()
    digest.update(_file_hash(verdict.manifest).encode())
    for segment in sorted(verdict.segments, key=lambda s: s.name):
        digest.update(f"\0{segment.name}\0{_file_hash(segment.path)}".encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class UploadState:
    """The state file of one project root, by API base (and organisation), then template name."""

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        self.path = root / STATE_FILE
        self._data = data

    @classmethod
    def load(cls, root: Path) -> UploadState:
        path = root / STATE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(root, {"version": VERSION, "targets": {}})
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ConfigError(
                f"{path} is not valid JSON ({error}); delete it to upload everything afresh"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("targets"), dict):
            raise ConfigError(
                f"{path} is not an upload state file; delete it to upload everything afresh"
            )
        return cls(root, data)

    def get(self, target: str, name: str) -> Uploaded | None:
        entry = self._data["targets"].get(target, {}).get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            return None
        segments = entry.get("segments")
        segments = segments if isinstance(segments, dict) else {}
        file_ids = {
            str(k): str(v.get("fileId")) for k, v in segments.items() if isinstance(v, dict)
        }
        return Uploaded(entry["fingerprint"], file_ids)

    def record(
        self, target: str, verdict: TemplateVerdict, digest: str, file_ids: dict[str, str]
    ) -> None:
        """Note a successful upload and write the file at once, atomically."""
        self._data["targets"].setdefault(target, {})[verdict.name] = {
            "fingerprint": digest,
            "directory": _relative(verdict.directory, self.path.parent.parent),
            "uploadedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "segments": {name: {"fileId": file_ids[name]} for name in sorted(file_ids)},
        }
        self._save()

    def forget(self, target: str, name: str) -> None:
        """Drop a template this run deleted from the server. Best effort: an entry left
        behind names a template the listing no longer shows, which is uploaded anew."""
        if self._data["targets"].get(target, {}).pop(name, None) is not None:
            with contextlib.suppress(OSError):
                self._save()

    def _save(self) -> None:
        from soundlint import atomic

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.path, json.dumps(self._data, indent=2, sort_keys=True) + "\n")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()
