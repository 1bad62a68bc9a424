"""The plan: what to do with each template, from its lint verdict, the server's listing and
what this project uploaded before."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from soundlint_audiostack.client import FILES, SEGMENTS, TEMPLATES, Listed
from soundlint_audiostack.core import TemplateVerdict
from soundlint_audiostack.state import (
    Pending,
    Uploaded,
    UploadState,
    Version,
    file_hash,
    fingerprint,
    registration_order,
)
from soundlint_audiostack.swap import Held, held_as_listed


class Status(enum.Enum):
    """A template's outcome, as reported."""

    UPLOADED = "uploaded"
    REPLACED = "replaced"
    ADOPTED = "adopted"
    """Recorded as this project's, as the listing shows it; nothing sent."""
    SKIPPED_UNCHANGED = "skipped-unchanged"
    SKIPPED_EXISTS = "skipped-exists"
    BLOCKED = "blocked-by-lint"
    FAILED = "failed"
    BROKEN = "left-broken"
    """Left absent from the server, or partial: the server refused even the restore."""
    PLANNED = "planned"


class Mend(enum.Enum):
    """How a run repairs a replacement a killed run left unfinished, from the listing."""

    RECORD = "record"
    """The new version is up whole: record it."""
    KEEP = "keep"
    """The server holds some version whole (the previous, or neither): end the journal."""
    SWAP = "swap"
    """Put the new version up (or, if that fails, restore the previous)."""


class Action(enum.Enum):
    UPLOAD = "upload"
    REPLACE = "replace"
    """Delete the template on the server, then upload."""
    SKIP_UNCHANGED = "skip-unchanged"
    SKIP_EXISTS = "skip-exists"
    REFUSE = "refuse"
    """Not replaced: what the server holds could not be restored if the replacement failed."""
    BLOCK = "block"


UNSTORED_EDIT = (
    "template.toml changed only in fields AudioStack does not store (style, genre, tags, "
    "comments): nothing to send"
)


@dataclass(frozen=True)
class Step:
    """What to do with one template."""

    verdict: TemplateVerdict
    action: Action
    fingerprint: str | None = None
    """The hash of what is sent (name, description, segments), for a template that passed."""
    manifest: str | None = None
    """The hash of template.toml's bytes."""
    previous: Uploaded | None = None
    """What this project last uploaded under the template's name, to the same API, while the
    listing agrees with it."""
    restore: Version | None = None
    """What a replacement that fails half-way restores: the version on the server now."""
    note: str | None = None

    @property
    def sends(self) -> bool:
        return self.action in (Action.UPLOAD, Action.REPLACE)

    def file_name(self, segment: str) -> str:
        return f"{self.verdict.name}_{segment}.wav"

    def requests(self) -> list[str]:
        """Each request the step makes, in the order sent (files concurrently), as
        ``--dry-run`` shows: the new files first, then the delete, the create, the segments."""
        if not self.sends:
            return []
        name = self.verdict.name
        lines = []
        for segment in self.verdict.segments:
            size = segment.path.stat().st_size
            lines += [
                f"POST {FILES} {_json({'file_name': self.file_name(segment.name)})}",
                f"PUT <uploadUrl of {segment.name}> ({segment.path.name}, {size} bytes, no key)",
                f"GET {FILES}/<fileId of {segment.name}> until its status is 'uploaded'",
            ]
        if self.action is Action.REPLACE:
            lines.append(f"DELETE {TEMPLATES}/{quote(name, safe='')}")
        lines.append(
            f"POST {TEMPLATES} "
            f"{_json({'templateName': name, 'description': self.verdict.description})}"
        )
        lines += [
            f"POST {SEGMENTS} "
            + _json(
                {
                    "templateName": name,
                    "segmentName": segment,
                    "mediaId": f"<fileId of {segment}>",
                }
            )
            for segment in registration_order(s.name for s in self.verdict.segments)
        ]
        return lines


@dataclass(frozen=True)
class Repair:
    """A replacement a killed run left unfinished, from the journal, and the server's view."""

    root: Path
    name: str
    pending: Pending
    listed: Listed | None
    mend: Mend | None
    """How the run repairs it; None without the listing (a dry run)."""

    @property
    def held(self) -> Held:
        return held_as_listed(self.listed, self.pending)

    def describe(self) -> str:
        """What the journal says, what the server holds, and what an upload does about it."""
        if self.mend is None:
            return f"{self.name}: {self.pending.stopped}; an upload repairs it before anything else"
        does = {
            Mend.RECORD: "records it",
            Mend.KEEP: "ends the journal",
            Mend.SWAP: "puts its new version up",
        }[self.mend]
        return f"{self.name}: {self.pending.stopped} and left it {self.held}; an upload {does}"


@dataclass(frozen=True)
class Plan:
    target: str
    """The API base (and organisation) the plan is for: the state file keeps them apart."""
    steps: tuple[Step, ...]
    repairs: tuple[Repair, ...] = ()
    """Done first: each leaves its template whole, as the journal's new version or the old."""
    replace: bool = False
    """Whether templates not uploaded from this project are replaced (``--replace``)."""


def needs_listing(verdicts: Sequence[TemplateVerdict]) -> bool:
    """The server is asked for its listing only when some template passed lint."""
    return any(verdict.errors == 0 for verdict in verdicts)


def make_plan(
    verdicts: Sequence[TemplateVerdict],
    target: str,
    remote: Mapping[str, Listed] | None,
    state_of: Callable[[Path], UploadState],
    *,
    replace: bool = False,
) -> Plan:
    """Decide each template's step. Without the listing (``remote`` None, a dry run), the
    server is taken to hold exactly what this project uploaded to it. A template whose
    replacement a killed run left unfinished is planned as if its repair had completed it."""
    steps = []
    for verdict in verdicts:
        if verdict.errors:
            steps.append(Step(verdict, Action.BLOCK))
            continue
        state = state_of(verdict.root)
        pending = state.pending(target).get(verdict.name)
        if pending is not None:
            if remote is None:
                steps.append(decide(verdict, pending.upload, None, replace=replace))
                continue
            record, listed = after_repair(verdict.name, pending, remote.get(verdict.name))
            if record is None:
                record = state.get(target, verdict.name)
            steps.append(decide(verdict, record, listed, replace=replace, absent=listed is None))
        elif remote is None:
            record = state.get(target, verdict.name)
            steps.append(decide(verdict, record, None, replace=replace, absent=record is None))
        else:
            record = state.get(target, verdict.name)
            listed = remote.get(verdict.name)
            steps.append(decide(verdict, record, listed, replace=replace, absent=listed is None))
    repairs = [
        Repair(root, name, pending, listed, None if remote is None else mend(pending, listed))
        for root in sorted({verdict.root for verdict in verdicts})
        for name, pending in sorted(state_of(root).pending(target).items())
        for listed in [None if remote is None else remote.get(name)]
    ]
    return Plan(target, tuple(steps), tuple(repairs), replace)


def mend(pending: Pending, listed: Listed | None) -> Mend:
    """How a run repairs what a killed run left, from what the listing shows."""
    if listed is not None and whole(pending.upload.version, listed):
        return Mend.RECORD
    previous = pending.previous
    if held_as_listed(listed, pending).version == "other" or (
        previous is not None and listed is not None and whole(previous, listed)
    ):
        return Mend.KEEP
    return Mend.SWAP


def after_repair(
    name: str, pending: Pending, listed: Listed | None
) -> tuple[Uploaded | None, Listed | None]:
    """The record (None: the one there is) and what the listing shows once the repair is done,
    as planned: a swap is taken to put the new version up."""
    chosen = mend(pending, listed)
    if chosen is Mend.KEEP:
        return None, listed
    if chosen is Mend.SWAP:
        listed = listed_as(name, pending.upload.version)
    return pending.upload, listed


def listed_as(name: str, version: Version) -> Listed:
    """A version as the listing would show it."""
    return Listed(name, None, version.description, dict(version.file_ids))


def decide(
    verdict: TemplateVerdict,
    record: Uploaded | None,
    listed: Listed | None,
    *,
    replace: bool,
    absent: bool = False,
) -> Step:
    """The step for a template that passed lint, from this project's record of it and the
    listing's (None: taken to agree with the record)."""
    digest, manifest = fingerprint(verdict), file_hash(verdict.manifest)
    trusted = (
        record
        if record is not None and (listed is None or agrees(record.version, listed))
        else None
    )
    restore = restorable(trusted) if trusted else version_of(listed)
    if absent:
        return Step(verdict, Action.UPLOAD, digest, manifest)
    if trusted is not None and trusted.fingerprint == digest:
        edited = trusted.manifest not in (None, manifest)
        note = UNSTORED_EDIT if edited else None
        return Step(verdict, Action.SKIP_UNCHANGED, digest, manifest, trusted, restore, note)
    if trusted is not None and restore is None and not replace:
        note = _unrestorable_message(verdict.name)
        return Step(verdict, Action.REFUSE, digest, manifest, trusted, note=note)
    if trusted is not None or replace:
        return Step(verdict, Action.REPLACE, digest, manifest, trusted, restore)
    note = _stale_message(verdict.name) if record is not None else None
    return Step(verdict, Action.SKIP_EXISTS, digest, manifest, note=note)


def agrees(version: Version, listed: Listed) -> bool:
    """Whether the listing agrees with a version, as far as it shows (description, segment
    names, file ids)."""
    if version.description is not None and listed.description not in (None, version.description):
        return False
    if listed.segments is None:
        return True
    return set(listed.segments) == set(version.file_ids) and all(
        file_id in (None, version.file_ids[name]) for name, file_id in listed.segments.items()
    )


def restorable(record: Uploaded) -> Version | None:
    """The recorded version a failed replacement can restore: all of one this project
    uploaded; of an adopted one, only files the listing showed when it was adopted."""
    return record.version if record.fingerprint is not None or record.file_ids else None


def whole(version: Version, listed: Listed) -> bool:
    """Whether the listing shows the template holding exactly ``version``."""
    return listed.segments is not None and agrees(version, listed)


def version_of(listed: Listed | None) -> Version | None:
    """The version a listed template is, when the listing shows its every file."""
    if listed is None or listed.segments is None:
        return None
    file_ids = {name: file_id for name, file_id in listed.segments.items() if file_id}
    if len(file_ids) != len(listed.segments):
        return None
    return Version(listed.description, file_ids)


def _stale_message(name: str) -> str:
    return (
        f"the server's '{name}' no longer matches what this checkout's .soundlint/uploads.json "
        "records (its description or segments differ), so it is taken for someone else's; "
        f"--adopt {name} records it as it is now, --replace deletes and re-creates it"
    )


def _unrestorable_message(name: str) -> str:
    return (
        f"not replaced: '{name}' was adopted as the listing shows it, without its segments' "
        "files, so a replacement that failed could not restore it; nothing was sent "
        "(--replace replaces it anyway)"
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
