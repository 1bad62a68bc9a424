"""Run a plan: each template goes up whole, or whatever this run created of it is deleted."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from soundlint_audiostack.client import ApiError, AudioStackClient
from soundlint_audiostack.core import SegmentFile, TemplateVerdict
from soundlint_audiostack.plan import Action, Plan, Status, Step
from soundlint_audiostack.progress import Progress
from soundlint_audiostack.state import UploadState


@dataclass(frozen=True)
class Outcome:
    """What became of one template."""

    verdict: TemplateVerdict
    status: Status
    error: str | None = None
    file_ids: Mapping[str, str] = field(default_factory=dict)


class Executor:
    """Uploads the templates of a plan one after another, the segments of each concurrently.

    The segment files go up first, so that a failed file upload touches no template; only
    then is the template (deleted, for a replacement, and) created and its segments
    registered. A failure after the template was created deletes it again.
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

    def run(self, plan: Plan) -> list[Outcome]:
        return [self._run_step(plan.target, step) for step in plan.steps]

    def _run_step(self, target: str, step: Step) -> Outcome:
        verdict = step.verdict
        if not step.sends:
            return settled(step)
        self._progress.template(verdict.name, len(verdict.segments))
        try:
            file_ids = self._send_files(step)
            self._build(target, step, file_ids)
        except ApiError as error:
            self._progress.done(verdict.name, Status.FAILED.value)
            return Outcome(verdict, Status.FAILED, error=str(error))
        assert step.fingerprint is not None
        self._progress.done(verdict.name, Status.UPLOADED.value)
        state = self._state_of(verdict.root)
        try:
            state.record(target, verdict, step.fingerprint, file_ids)
        except OSError as error:
            note = (
                f"uploaded, but {state.path} could not be written ({error.strerror or error}), "
                "so the next run will take it for someone else's"
            )
            return Outcome(verdict, Status.UPLOADED, error=note, file_ids=file_ids)
        return Outcome(verdict, Status.UPLOADED, file_ids=file_ids)

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

    def _build(self, target: str, step: Step, file_ids: dict[str, str]) -> None:
        """(Delete the old template,) create the template and register its segments; delete
        it again if any of that fails."""
        name = step.verdict.name
        replaced = step.action is Action.REPLACE
        if replaced:
            try:
                self._client.delete_template(name)
            except ApiError as error:
                if error.status != 404:  # gone since the listing: nothing to replace
                    raise
            self._state_of(step.verdict.root).forget(target, name)
        created = False
        try:
            try:
                self._client.create_template(name, step.verdict.description)
            except ApiError as error:
                created = error.maybe_done
                raise
            except BaseException:
                created = True  # interrupted waiting for the answer: it may have been created
                raise
            created = True
            for segment in step.verdict.segments:
                self._client.register_segment(name, segment.name, file_ids[segment.name])
        except BaseException as error:
            notes = [self._roll_back(name)] if created else []
            if replaced:
                notes.append("the template it was to replace had been deleted already")
            if isinstance(error, ApiError):
                raise ApiError("; ".join([str(error), *notes]), error.status) from error
            raise

    def _roll_back(self, name: str) -> str:
        """Delete the template this run created; say how that went."""
        try:
            self._client.delete_template(name)
        except ApiError as error:
            if error.status == 404:
                return "nothing was left on the server"
            return f"the template could not be deleted, delete it by hand ({error})"
        return "the template was deleted again, nothing is left on the server"


def settled(step: Step) -> Outcome:
    """The outcome of a step that sends nothing; a dry run's outcome of every step."""
    verdict = step.verdict
    if step.action is Action.BLOCK:
        return Outcome(verdict, Status.BLOCKED)
    if step.action is Action.SKIP_UNCHANGED:
        file_ids = step.previous.file_ids if step.previous else {}
        return Outcome(verdict, Status.SKIPPED_UNCHANGED, file_ids=file_ids)
    if step.action is Action.SKIP_EXISTS:
        return Outcome(verdict, Status.SKIPPED_EXISTS, error=_exists_message(verdict.name))
    return Outcome(verdict, Status.PLANNED)


def _stop(stop: threading.Event, futures: Mapping[Future[str], SegmentFile]) -> None:
    """Tell the running uploads to give up, and cancel those not started."""
    stop.set()
    for future in futures:
        future.cancel()


def _failed(future: Future[str]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is not None


def _exists_message(name: str) -> str:
    return (
        f"a template named '{name}' is already on the server and was not uploaded from this "
        "project; --replace deletes and re-creates it"
    )
