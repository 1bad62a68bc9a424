"""Run a plan: repair what killed runs left unfinished, then put each template up whole,
or leave the server as it was (the previous version restored, or nothing)."""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from soundlint_audiostack.client import ApiError, AudioStackClient, Listed
from soundlint_audiostack.core import SegmentFile, TemplateVerdict
from soundlint_audiostack.plan import (
    UNSTORED_EDIT,
    Action,
    Mend,
    Plan,
    Repair,
    Status,
    Step,
    decide,
    listed_as,
)
from soundlint_audiostack.progress import Progress
from soundlint_audiostack.state import Pending, Uploaded, UploadState, Version, relative
from soundlint_audiostack.swap import ABSENT, Ending, Held, Swap


@dataclass(frozen=True)
class Outcome:
    """What became of one template."""

    verdict: TemplateVerdict
    status: Status
    error: str | None = None
    file_ids: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None


class Executor:
    """Repairs what killed runs left unfinished, then uploads the templates of a plan one
    after another, the segments of each concurrently.

    The segment files go up first, so that a failed file upload touches no template; only
    then is the template (deleted, for a replacement, and) created and its segments
    registered, each step journaled before it is sent (see ``swap``).
    """

    def __init__(
        self,
        client: AudioStackClient,
        state_of: Callable[[Path], UploadState],
        progress: Progress,
        concurrency: int,
    ) -> None:
        self._client = client
        self._state_of = state_of
        self._progress = progress
        self._concurrency = concurrency
        self._notice = _to_stderr
        self.repairs: list[str] = []
        """What the repairs did, one line each."""

    def run(self, plan: Plan) -> list[Outcome]:
        repaired = {(r.root, r.name): self._repair(plan.target, r) for r in plan.repairs}
        outcomes = []
        for step in plan.steps:
            after = repaired.get((step.verdict.root, step.verdict.name))
            if after is not None and after.broken is not None:
                outcomes.append(Outcome(step.verdict, Status.BROKEN, error=after.broken))
                continue
            if after is not None and step.action is not Action.BLOCK:
                step = self._replan(plan, step, after.listed)
            outcomes.append(self._run_step(plan.target, step))
        return outcomes

    def _run_step(self, target: str, step: Step) -> Outcome:
        verdict = step.verdict
        state = self._state_of(verdict.root)
        if not step.sends:
            if step.note == UNSTORED_EDIT and step.manifest is not None:
                with contextlib.suppress(OSError):
                    state.note_manifest(target, verdict.name, step.manifest)
            return settled(step)
        self._progress.template(verdict.name, len(verdict.segments))
        try:
            file_ids = self._send_files(step)
        except ApiError as error:
            return self._done(Outcome(verdict, Status.FAILED, error=str(error)))
        assert step.fingerprint is not None
        upload = Uploaded(step.fingerprint, Version(verdict.description, file_ids), step.manifest)
        replacing = step.action is Action.REPLACE
        directory = relative(verdict.directory, verdict.root)
        pending = Pending("", step.restore, upload, directory, replacing)
        swap = Swap(self._client, state, target, verdict.name, pending, _held(step), self._notice)
        try:
            result = swap.run()
        except OSError as error:
            why = f"cannot write {state.path} ({error.strerror or error}); nothing was changed"
            return self._done(Outcome(verdict, Status.FAILED, error=why))
        if result.ending is not Ending.NEW:
            status = Status.BROKEN if result.ending is Ending.BROKEN else Status.FAILED
            return self._done(Outcome(verdict, status, error=result.error))
        status = Status.REPLACED if replacing else Status.UPLOADED
        try:
            state.record(target, verdict.name, upload, pending.directory)
        except OSError as error:
            note = (
                f"up, but {state.path} could not be written ({error.strerror or error}); "
                "the next run records it"
            )
            return self._done(Outcome(verdict, status, error=note, file_ids=file_ids))
        return self._done(Outcome(verdict, status, file_ids=file_ids))

    def _done(self, outcome: Outcome) -> Outcome:
        self._progress.done(outcome.verdict.name, outcome.status.value)
        return outcome

    def _repair(self, target: str, repair: Repair) -> Repaired:
        """Make whole a template a killed run left unfinished, saying what was done."""
        state, name, pending = self._state_of(repair.root), repair.name, repair.pending
        listed, previous, held = repair.listed, pending.previous, repair.held
        was = pending.stopped
        try:
            if repair.mend is Mend.RECORD:
                state.record(target, name, pending.upload, pending.directory)
                return self._repaired(
                    name, f"{was} once its new version was up; recorded it", listed
                )
            if repair.mend is Mend.KEEP:
                state.settle(target, name)
                return self._repaired(name, f"{was} and left it {held}; nothing to do", listed)
            swap = Swap(self._client, state, target, name, pending, held, self._notice)
            result = swap.run()
            if result.ending is Ending.NEW:
                state.record(target, name, pending.upload, pending.directory)
        except OSError as error:
            line = f"'{name}' cannot be repaired: {state.path} cannot be written ({error})"
            self._notice(f"error: {line}")
            self.repairs.append(f"{name}: {line}")
            return Repaired(None, line)
        if result.ending is Ending.BROKEN:
            self.repairs.append(f"{name}: {result.error}")
            return Repaired(None, result.error)
        if result.ending is Ending.NEW:
            up = listed_as(name, pending.upload.version)
            return self._repaired(name, f"{was} and left it {held}; its new version is up", up)
        after = None if previous is None else listed_as(name, previous)
        return self._repaired(name, f"{was} and left it {held}; {result.error}", after)

    def _repaired(self, name: str, what: str, listed: Listed | None) -> Repaired:
        """Say what a repair did (on stderr at once, and in the report)."""
        self._notice(f"repaired '{name}': {what}")
        self.repairs.append(f"{name}: {what}")
        return Repaired(listed)

    def _replan(self, plan: Plan, step: Step, listed: Listed | None) -> Step:
        """The step for a template once its repair left ``listed`` on the server."""
        verdict = step.verdict
        record = self._state_of(verdict.root).get(plan.target, verdict.name)
        return decide(verdict, record, listed, replace=plan.replace, absent=listed is None)

    def _send_files(self, step: Step) -> dict[str, str]:
        """Upload every segment file, a few at once; the file id of each segment.

        The uploads run on daemon threads, not a ThreadPoolExecutor, whose threads the
        interpreter waits for at exit: on Ctrl-C a request in flight is abandoned, not waited
        for. When a segment fails, the others are stopped and waited for (they give up at
        their next chunk, poll or retry)."""
        segments = step.verdict.segments
        if not segments:
            return {}
        stop = threading.Event()
        futures: dict[Future[str], SegmentFile] = {Future(): segment for segment in segments}
        waiting: queue.SimpleQueue[tuple[Future[str], SegmentFile]] = queue.SimpleQueue()
        for item in futures.items():
            waiting.put(item)

        def send() -> None:
            while not stop.is_set():
                try:
                    future, segment = waiting.get_nowait()
                except queue.Empty:
                    return
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(self._send_file(step, segment, stop))
                except BaseException as error:
                    future.set_exception(error)

        senders = [
            threading.Thread(target=send, name="upload", daemon=True)
            for _ in range(min(self._concurrency, len(segments)))
        ]
        for sender in senders:
            sender.start()
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        except BaseException:
            _stop(stop, futures)
            raise
        failed = [(future, segment) for future, segment in futures.items() if _failed(future)]
        if failed:
            _stop(stop, futures)
            for sender in senders:
                sender.join()
            future, segment = failed[0]
            error = future.exception()
            raise ApiError(f"segment '{segment.name}': {error}") from error
        return {segment.name: future.result() for future, segment in futures.items()}

    def _send_file(self, step: Step, segment: SegmentFile, stop: threading.Event) -> str:
        name = step.verdict.name
        self._progress.segment(name, segment.name, "creating file")
        slot = self._client.create_file(step.file_name(segment.name))
        if stop.is_set():
            raise ApiError("stopped: another segment failed")
        self._progress.segment(name, segment.name, "sending")
        self._client.put_file(slot, segment.path, stop)
        self._progress.segment(name, segment.name, "processing")
        self._client.wait_uploaded(slot.file_id, stop)
        self._progress.segment(name, segment.name, "uploaded")
        return slot.file_id


def settled(step: Step) -> Outcome:
    """The outcome of a step that sends nothing; a dry run's outcome of every step."""
    verdict = step.verdict
    if step.action is Action.BLOCK:
        return Outcome(verdict, Status.BLOCKED)
    if step.action is Action.SKIP_UNCHANGED:
        file_ids = step.previous.file_ids if step.previous else {}
        return Outcome(verdict, Status.SKIPPED_UNCHANGED, file_ids=file_ids, note=step.note)
    if step.action is Action.SKIP_EXISTS:
        error = step.note or _exists_message(verdict.name)
        return Outcome(verdict, Status.SKIPPED_EXISTS, error=error)
    if step.action is Action.REFUSE:
        return Outcome(verdict, Status.FAILED, error=step.note)
    return Outcome(verdict, Status.PLANNED)


@dataclass(frozen=True)
class Repaired:
    """What a repair left under the template's name (as a listing would show it), or the
    line saying it is left broken."""

    listed: Listed | None
    broken: str | None = None


def _held(step: Step) -> Held:
    """What the server holds under the name before a step: the version to restore, some
    version whose files are unknown, or nothing."""
    if step.restore is not None:
        count = len(step.restore.file_ids)
        return Held("previous", count, count)
    return Held("other") if step.action is Action.REPLACE else ABSENT


def _to_stderr(message: str) -> None:
    print(f"soundlint: {message}", file=sys.stderr, flush=True)


def _stop(stop: threading.Event, futures: Mapping[Future[str], SegmentFile]) -> None:
    """Tell the running uploads to give up, and cancel those not started."""
    stop.set()
    for future in futures:
        future.cancel()


def _failed(future: Future[str]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is not None


def _exists_message(name: str) -> str:
    return (
        f"a template named '{name}' is on the server but not recorded in this checkout's "
        ".soundlint/uploads.json; if it is this project's (uploaded from another checkout), "
        f"--adopt {name} records it as such; --replace deletes and re-creates it"
    )
