"""The plan: what to do with each template, from its lint verdict, the server's listing and
what this project uploaded before."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from soundlint_audiostack.client import FILES, SEGMENTS, TEMPLATES
from soundlint_audiostack.core import TemplateVerdict
from soundlint_audiostack.state import Uploaded, UploadState, fingerprint


class Status(enum.Enum):
    """A template's outcome, as reported."""

    UPLOADED = "uploaded"
    SKIPPED_UNCHANGED = "skipped-unchanged"
    SKIPPED_EXISTS = "skipped-exists"
    BLOCKED = "blocked-by-lint"
    FAILED = "failed"
    PLANNED = "planned"

    @property
    def ok(self) -> bool:
        """Whether the run can still exit 0."""
        return self in (Status.UPLOADED, Status.SKIPPED_UNCHANGED, Status.PLANNED)


class Action(enum.Enum):
    UPLOAD = "upload"
    REPLACE = "replace"
    """Delete the template on the server, then upload."""
    SKIP_UNCHANGED = "skip-unchanged"
    SKIP_EXISTS = "skip-exists"
    BLOCK = "block"


@dataclass(frozen=True)
class Step:
    """What to do with one template."""

    verdict: TemplateVerdict
    action: Action
    fingerprint: str | None = None
    """The hash of the manifest and audio, for a template that passed lint."""
    previous: Uploaded | None = None
    """What this project last uploaded under the template's name, to the same API."""

    @property
    def sends(self) -> bool:
        return self.action in (Action.UPLOAD, Action.REPLACE)

    def file_name(self, segment: str) -> str:
        return f"{self.verdict.name}_{segment}.wav"

    def requests(self) -> list[str]:
        """Each request the step makes, in order (files concurrently), as ``--dry-run`` shows."""
        if not self.sends:
            return []
        name = self.verdict.name
        lines = (
            [f"DELETE {TEMPLATES}/{quote(name, safe='')}"] if self.action is Action.REPLACE else []
        )
        for segment in self.verdict.segments:
            size = segment.path.stat().st_size
            lines += [
                f"POST {FILES} {_json({'file_name': self.file_name(segment.name)})}",
                f"PUT <uploadUrl of {segment.name}> ({segment.path.name}, {size} bytes, no key)",
                f"GET {FILES}/<fileId of {segment.name}> until its status is 'uploaded'",
            ]
        lines.append(
            f"POST {TEMPLATES} "
            f"{_json({'templateName': name, 'description': self.verdict.description})}"
        )
        lines += [
            f"POST {SEGMENTS} "
            + _json(
                {
                    "templateName": name,
                    "segmentName": segment.name,
                    "mediaId": f"<fileId of {segment.name}>",
                }
            )
            for segment in self.verdict.segments
        ]
        return lines


@dataclass(frozen=True)
class Plan:
    target: str
    """The API base (and organisation) the plan is for: the state file keeps them apart."""
    steps: tuple[Step, ...]


def needs_listing(verdicts: Sequence[TemplateVerdict]) -> bool:
    """The server is asked for its listing only when some template passed lint."""
    return any(verdict.errors == 0 for verdict in verdicts)


def make_plan(
    verdicts: Sequence[TemplateVerdict],
    target: str,
    remote: set[str] | None,
    state_of: Callable[[Path], UploadState],
    *,
    replace: bool = False,
) -> Plan:
    """Decide each template's step. Without the listing (``remote`` None, a dry run), the
    server is taken to hold exactly what this project uploaded to it."""
    steps = []
    for verdict in verdicts:
        if verdict.errors:
            steps.append(Step(verdict, Action.BLOCK))
            continue
        digest = fingerprint(verdict)
        previous = state_of(verdict.root).get(target, verdict.name)
        on_server = previous is not None if remote is None else verdict.name in remote
        if not on_server:
            action = Action.UPLOAD
        elif previous is not None and previous.fingerprint == digest:
            action = Action.SKIP_UNCHANGED
        elif previous is not None or replace:
            action = Action.REPLACE
        else:
            action = Action.SKIP_EXISTS
        steps.append(Step(verdict, action, digest, previous))
    return Plan(target, tuple(steps))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
