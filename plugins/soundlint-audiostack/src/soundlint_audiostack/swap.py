"""One template's delete, create and register, journaled before each request. AudioStack has
no update, so a replacement deletes the live template first; whatever fails or is interrupted
after that, the previous version is restored from its files (which stay on the server), so
the template ends whole, old or new, unless the server refuses even the restore."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass

from soundlint_audiostack.client import ApiError, AudioStackClient, Listed
from soundlint_audiostack.state import Pending, UploadState, Version, registration_order

REPAIRS = "the next `soundlint upload` repairs it"


@dataclass(frozen=True)
class Held:
    """What the server holds under the template's name, as far as this run knows."""

    version: str | None
    """'new', 'previous', 'other' (neither, as listed), 'unlisted' (its segments not
    shown), or None: nothing."""
    segments: int = 0
    total: int = 0

    def __str__(self) -> str:
        if self.version is None:
            return "absent from the server"
        if self.version == "other":
            return f"with {self.segments} segments matching neither version"
        if self.version == "unlisted":
            return "on the server, its segments not shown by the listing"
        if self.segments == self.total:
            return "whole, as its new version" if self.version == "new" else "as it was"
        of = "" if self.version == "new" else " of its previous version"
        return f"with {self.segments} of {self.total} segments{of}"


ABSENT = Held(None)


class Ending(enum.Enum):
    NEW = "new"
    PREVIOUS = "previous"
    NOTHING = "nothing"
    """No template under the name, as before."""
    BROKEN = "broken"


@dataclass(frozen=True)
class Result:
    ending: Ending
    error: str | None = None
    """Why the new version is not up, and what the restore came to."""


def held_as_listed(listed: Listed | None, pending: Pending) -> Held:
    """What a listed template is, against the journal's two versions."""
    if listed is None:
        return ABSENT
    if listed.segments is None:
        return Held("unlisted")
    shown = listed.segments
    for which, version in (("new", pending.upload.version), ("previous", pending.previous)):
        if version is not None and all(
            name in version.file_ids and file_id in (None, version.file_ids[name])
            for name, file_id in shown.items()
        ):
            return Held(which, len(shown), len(version.file_ids))
    return Held("other", len(shown))


class Swap:
    """Put the journal's new version up under ``name``, or restore the previous one."""

    def __init__(
        self,
        client: AudioStackClient,
        state: UploadState,
        target: str,
        name: str,
        pending: Pending,
        held: Held,
        notice: Callable[[str], None],
    ) -> None:
        self._client = client
        self._state = state
        self._target = target
        self._name = name
        self._pending = pending
        self._held = self._before = held
        self._maybe: Held | None = None
        """What the server holds if the request under way (or lost) was carried out."""
        self._journaled = False
        self._notice = notice

    def run(self) -> Result:
        """Put the new version up (the caller records it), or restore what was there.
        OSError when the journal cannot be written, before any request is sent. Interrupted
        (Ctrl-C, SIGTERM, anything unforeseen), it restores before going on with the exit."""
        self._journal("delete" if self._held.version is not None else "create")
        try:
            self._put_up()
        except ApiError as error:
            return Result(*self._restore(str(error)))
        except BaseException:
            self._interrupted()
            raise
        return Result(Ending.NEW)

    def _put_up(self) -> None:
        """Delete what is there (journaled by ``run``), create the new version, register."""
        if self._held.version is not None:
            self._call(lambda: self._client.delete_template(self._name), ABSENT, gone_ok=True)
            self._journal("create")
        self._create(self._pending.upload.version, "new")

    def _create(self, version: Version, which: str) -> None:
        total = len(version.file_ids)
        self._call(
            lambda: self._client.create_template(self._name, version.description or ""),
            Held(which, 0, total),
        )
        if which == "new":
            self._journal("register")
        for count, segment in enumerate(registration_order(version.file_ids), 1):
            file_id = version.file_ids[segment]
            self._call(
                lambda: self._client.register_segment(self._name, segment, file_id),  # noqa: B023
                Held(which, count, total),
            )

    def _call(self, request: Callable[[], None], after: Held, gone_ok: bool = False) -> None:
        """Send one request that would leave the server holding ``after``. A 404 to a delete,
        and a 409 after an attempt that may have been carried out, mean it was."""
        self._maybe = after
        try:
            request()
        except ApiError as error:
            done = (gone_ok and error.status == 404) or (error.status == 409 and error.maybe_done)
            if not done:
                if not error.maybe_done:
                    self._maybe = None
                raise
        self._held, self._maybe = after, None

    def _restore(self, reason: str) -> tuple[Ending, str]:
        """Bring back the previous version (or nothing, when there was none): how it ended,
        and ``reason`` followed by what came of it. When a request may or may not have been
        carried out, the listing says what the server holds before anything is deleted."""
        previous = self._pending.previous
        if self._maybe is not None:
            self._look()
        if self._held == self._before and self._maybe is None and self._was_whole():
            self._end()
            if self._before == ABSENT:
                return Ending.NOTHING, reason
            return Ending.PREVIOUS, f"{reason}; '{self._name}' was left as it was"
        if previous is None and self._pending.replacing:
            why = (
                "the template it replaces cannot be restored (the listing does not show its files)"
            )
            return Ending.BROKEN, self._broken(f"{reason}; {why}")
        created = self._held.version is not None
        touched = created or self._maybe is not None
        try:
            self._journal("restore")
            if touched:
                self._call(lambda: self._client.delete_template(self._name), ABSENT, gone_ok=True)
            if previous is not None:
                self._create(previous, "previous")
        except ApiError as error:
            if not (self._look() and self._restored()):
                return Ending.BROKEN, self._broken(f"{reason}; the restore failed too ({error})")
        self._end()
        if previous is not None:
            count = len(previous.file_ids)
            restored = f"{count} segment{'' if count == 1 else 's'}"
            note = f"'{self._name}' was restored to its previous version ({restored})"
        elif created:
            note = "the template was deleted again, nothing is left on the server"
        else:
            note = "nothing was left on the server"
        return (Ending.PREVIOUS if previous else Ending.NOTHING), f"{reason}; {note}"

    def _look(self) -> bool:
        """Learn from the listing what the server holds after a request that failed (the
        request may have been carried out or not); False when the listing cannot tell."""
        try:
            listed = self._client.list_templates().get(self._name)
        except ApiError:
            return False
        seen = held_as_listed(listed, self._pending)
        if seen.version == "unlisted":
            if self._maybe != ABSENT:
                return False
            seen = self._held  # still there: the delete was not carried out
        if seen.version == "other" and self._before.version == "other":
            seen = self._before
        self._held, self._maybe = seen, None
        return True

    def _restored(self) -> bool:
        """Whether the server is known to hold the previous version whole (or nothing, when
        there was none)."""
        previous = self._pending.previous
        if self._maybe is not None:
            return False
        if previous is None:
            return self._held == ABSENT
        count = len(previous.file_ids)
        return self._held == Held("previous", count, count)

    def _was_whole(self) -> bool:
        """Whether what was there before this run touched anything is whole: some version,
        the previous one whole, or nothing when there was no previous version."""
        before = self._before
        if before == ABSENT:
            return self._pending.previous is None
        return before.version == "other" or (
            before.version == "previous" and before.segments == before.total
        )

    def _interrupted(self) -> None:
        """Ctrl-C: restore, saying so; a second Ctrl-C leaves what is there, saying what."""
        doing = (
            f"restoring '{self._name}' to its previous version"
            if self._pending.previous is not None
            else f"removing the unfinished '{self._name}' from the server"
        )
        self._notice(f"{doing}; Ctrl-C again leaves it {self._left()}")
        try:
            ending, text = self._restore("interrupted")
        except BaseException:
            self._notice(f"interrupted again: '{self._name}' is left {self._left()}; {REPAIRS}")
            raise
        if ending is not Ending.BROKEN and text != "interrupted":
            self._notice(text.removeprefix("interrupted; "))

    def _broken(self, why: str) -> str:
        """Say loudly that the template is left absent or partial; the line said."""
        line = f"'{self._name}' is left {self._left()}: {why}; {REPAIRS}"
        self._notice(f"error: {line}")
        return line

    def _left(self) -> str:
        if self._maybe is None or self._maybe == self._held:
            return str(self._held)
        return f"{self._held} (or {self._maybe}, if the request under way reached the server)"

    def _journal(self, step: str) -> None:
        """Write the step down before its request. Only the first write must succeed (OSError
        otherwise): the entry is what the next run repairs from; the step is for its message."""
        pending = dataclasses.replace(self._pending, step=step)
        if not self._journaled:
            self._state.journal(self._target, self._name, pending)
            self._journaled = True
            return
        with contextlib.suppress(OSError):
            self._state.journal(self._target, self._name, pending)

    def _end(self) -> None:
        """End the journal entry (best effort: one left behind is settled by the next run)."""
        with contextlib.suppress(OSError):
            self._state.settle(self._target, self._name)
