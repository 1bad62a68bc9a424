"""``.soundlint/uploads.json``: what this project uploaded where, and the journal of a
replacement under way. Meant to be committed: sorted keys, no key or secret, rewritten
(atomically) only when something changed."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soundlint.config import ConfigError
from soundlint_audiostack.core import TemplateVerdict

STATE_FILE = Path(".soundlint") / "uploads.json"
VERSION = 1


@dataclass(frozen=True)
class Version:
    """A version of a template as the server holds it: what a restore re-creates."""

    description: str | None
    file_ids: dict[str, str]
    """Segment name -> the id of the file registered under it."""

    def as_json(self) -> dict[str, Any]:
        return {"description": self.description, "segments": _segments_json(self.file_ids)}

    @classmethod
    def of_json(cls, entry: Any) -> Version | None:
        if not isinstance(entry, dict):
            return None
        description = entry.get("description")
        return cls(description if isinstance(description, str) else None, _file_ids(entry))


@dataclass(frozen=True)
class Uploaded:
    """A template as this project put it on the server (or adopted it)."""

    fingerprint: str | None
    """The hash of what was sent (see ``fingerprint``); None for an adopted template."""
    version: Version
    manifest: str | None = None
    """The hash of template.toml's bytes, to tell an edit of fields AudioStack does not keep."""

    @property
    def file_ids(self) -> dict[str, str]:
        return self.version.file_ids


@dataclass(frozen=True)
class Pending:
    """The journal of a replacement (or first upload) not known to have finished: written
    before each request, so that a run killed at any point is repaired by the next."""

    step: str
    """The request about to be sent: delete, create, register or restore."""
    previous: Version | None
    """What the server held before, to restore; None when nothing is to be restored."""
    upload: Uploaded
    """What was being put up: its files are on the server already."""
    directory: str
    replacing: bool
    """Whether a template was on the server under the name (restorable or not)."""

    @property
    def stopped(self) -> str:
        """What the journal tells of the run that left it."""
        doing = "replacing" if self.replacing else "uploading"
        at = f" (at: {self.step})" if self.step else ""
        return f"a run stopped while {doing} it{at}"


def registration_order(segments: Iterable[str]) -> list[str]:
    """The order a template's segments are registered in (and a dry run lists them): by name,
    so that a restore, which knows only the state file's names, registers as an upload does."""
    return sorted(segments)


def fingerprint(verdict: TemplateVerdict) -> str:
    """A hash of what is sent: name, description, and each segment's name and audio."""
    digest = hashlib.sha256()
    digest.update(json.dumps([verdict.name, verdict.description]).encode())
    for segment in sorted(verdict.segments, key=lambda s: s.name):
        digest.update(f"\0{segment.name}\0{file_hash(segment.path)}".encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class UploadState:
    """The state file of one project root, by API base (and organisation), then template name."""

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        self.root = root
        self.path = root / STATE_FILE
        self._data = data

    @classmethod
    def load(cls, root: Path, *, writable: bool = True) -> UploadState:
        """The state file; a corrupt one is renamed aside (with a warning) and started afresh,
        or, when not ``writable`` (a dry run, a plan), only warned about."""
        path = root / STATE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(root, _empty())
        except OSError as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        except UnicodeDecodeError:
            return cls(root, _set_aside(path, "is not UTF-8 text", writable))
        try:
            data = json.loads(text)
        except ValueError as error:
            return cls(root, _set_aside(path, f"is not valid JSON ({error})", writable))
        if not isinstance(data, dict) or not isinstance(data.get("targets"), dict):
            return cls(root, _set_aside(path, "is not an upload state file", writable))
        return cls(root, data)

    # Records ---------------------------------------------------------------------------

    def get(self, target: str, name: str) -> Uploaded | None:
        entry = self._data["targets"].get(target, {}).get(name)
        return _uploaded(entry) if isinstance(entry, dict) else None

    def record(self, target: str, name: str, uploaded: Uploaded, directory: str) -> None:
        """Note a template now on the server as this project put it there; end its journal."""
        entry = {
            **uploaded.version.as_json(),
            "directory": directory,
            "fingerprint": uploaded.fingerprint,
            "manifest": uploaded.manifest,
            "uploadedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._data["targets"].setdefault(target, {})[name] = entry
        self._end(target, name)
        self._save()

    def adopt(
        self,
        target: str,
        name: str,
        *,
        server_id: str | None,
        description: str | None,
        file_ids: Mapping[str, str],
        directory: str,
    ) -> None:
        """Take a template on the server, as the listing shows it, for this project's own:
        from now on it is replaced when its files differ (its fingerprint is unknown)."""
        entry = {
            **Version(description, dict(file_ids)).as_json(),
            "adoptedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "directory": directory,
            "fingerprint": None,
            "serverId": server_id,
        }
        self._data["targets"].setdefault(target, {})[name] = entry
        self._save()

    def note_manifest(self, target: str, name: str, manifest: str) -> None:
        """Remember template.toml's new hash after an edit AudioStack keeps nothing of."""
        entry = self._data["targets"].get(target, {}).get(name)
        if isinstance(entry, dict) and entry.get("manifest") != manifest:
            entry["manifest"] = manifest
            self._save()

    # The journal -----------------------------------------------------------------------

    def pending(self, target: str) -> dict[str, Pending]:
        """The journal's entries for ``target``: replacements a killed run left unfinished."""
        entries = self._data.get("journal", {}).get(target, {})
        found = {}
        for name, entry in entries.items():
            upload = _uploaded(entry.get("upload")) if isinstance(entry, dict) else None
            if upload is not None:
                previous = Version.of_json(entry.get("previous"))
                step = entry.get("step")
                found[name] = Pending(
                    step if isinstance(step, str) else "",
                    previous,
                    upload,
                    str(entry.get("directory")),
                    entry.get("replacing") is True,
                )
        return found

    def journal(self, target: str, name: str, pending: Pending) -> None:
        """Write down the request about to be sent (``pending.step``), before it is sent."""
        entry = {
            "directory": pending.directory,
            "previous": pending.previous.as_json() if pending.previous else None,
            "replacing": pending.replacing,
            "step": pending.step,
            "upload": {
                **pending.upload.version.as_json(),
                "fingerprint": pending.upload.fingerprint,
                "manifest": pending.upload.manifest,
            },
        }
        self._data.setdefault("journal", {}).setdefault(target, {})[name] = entry
        self._save()

    def settle(self, target: str, name: str) -> None:
        """End a journal entry, the server holding what the record says (or nothing of ours)."""
        self._end(target, name)
        self._save()

    def forget(self, target: str, name: str) -> None:
        """Drop the record of a template that is no longer on the server as ours."""
        self._data["targets"].get(target, {}).pop(name, None)
        self.settle(target, name)

    def _end(self, target: str, name: str) -> None:
        journal = self._data.get("journal", {})
        journal.get(target, {}).pop(name, None)
        for key in [key for key, entries in journal.items() if not entries]:
            del journal[key]
        if "journal" in self._data and not journal:
            del self._data["journal"]

    def _save(self) -> None:
        from soundlint import atomic

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.path, dumps(self._data))


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def relative(path: Path, root: Path) -> str:
    """``path`` as the state file names it: relative to the project root, with slashes."""
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "targets": {}}


def _set_aside(path: Path, problem: str, writable: bool) -> dict[str, Any]:
    """Rename a state file soundlint cannot read out of the way, keeping it for the user
    (when not ``writable``, only say that an upload would)."""
    number = 1
    while (aside := path.with_name(f"{path.name}.corrupt{'' if number == 1 else number}")).exists():
        number += 1
    if writable:
        try:
            path.rename(aside)
        except OSError as error:
            raise ConfigError(f"{path} {problem}, and cannot be renamed aside: {error}") from None
    kept = f"kept as {aside.name}" if writable else f"an upload keeps it as {aside.name}"
    print(
        f"soundlint: warning: {path} {problem}; {kept}, and every template on "
        "the server is taken for someone else's until uploaded or adopted again",
        file=sys.stderr,
    )
    return _empty()


def _uploaded(entry: Any) -> Uploaded | None:
    version = Version.of_json(entry)
    if version is None:
        return None
    digest, manifest = entry.get("fingerprint"), entry.get("manifest")
    return Uploaded(
        digest if isinstance(digest, str) else None,
        version,
        manifest if isinstance(manifest, str) else None,
    )


def _file_ids(entry: dict[str, Any]) -> dict[str, str]:
    segments = entry.get("segments")
    if not isinstance(segments, dict):
        return {}
    return {
        str(name): str(value["fileId"])
        for name, value in segments.items()
        if isinstance(value, dict) and isinstance(value.get("fileId"), str)
    }


def _segments_json(file_ids: Mapping[str, str]) -> dict[str, Any]:
    return {name: {"fileId": file_ids[name]} for name in sorted(file_ids)}
