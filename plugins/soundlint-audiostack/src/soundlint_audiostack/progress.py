"""Progress on stderr: a live display on a terminal (a bar per template and per segment, the
bytes moving), plain lines for CI logs (``--progress``), or nothing."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from soundlint_audiostack.plan import Plan


class Progress(Protocol):
    def template(self, name: str, segments: int) -> None: ...

    def segment(self, template: str, segment: str, state: str) -> None: ...

    def done(self, template: str, status: str) -> None: ...


class Silent:
    """No progress: off a terminal without ``--progress``, only the report is printed."""

    def __enter__(self) -> Silent:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        pass

    def template(self, name: str, segments: int) -> None:
        pass

    def segment(self, template: str, segment: str, state: str) -> None:
        pass

    def done(self, template: str, status: str) -> None:
        pass

    def sent(self, path: Path, size: int) -> None:
        """``size`` more bytes of ``path`` went out."""


class Lines(Silent):
    """A line on stderr for each template and each segment's every state: for CI logs."""

    def __init__(self, plan: Plan) -> None:
        self._sizes = {
            (step.verdict.name, segment.name): segment.path.stat().st_size
            for step in plan.steps
            if step.sends
            for segment in step.verdict.segments
        }
        self._lock = threading.Lock()

    def template(self, name: str, segments: int) -> None:
        self._say(f"{name}: {segments} segment{'' if segments == 1 else 's'}")

    def segment(self, template: str, segment: str, state: str) -> None:
        size = self._sizes.get((template, segment))
        bytes_ = f" ({size} bytes)" if state == "sending" and size is not None else ""
        self._say(f"{template}: {segment}: {state}{bytes_}")

    def done(self, template: str, status: str) -> None:
        self._say(f"{template}: {status}")

    def _say(self, line: str) -> None:
        with self._lock:
            print(line, file=sys.stderr, flush=True)


class Live(Silent):
    """rich's progress display on stderr, safe to call from the upload threads."""

    def __init__(self, plan: Plan) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            DownloadColumn(),
            TextColumn("{task.fields[state]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._segments = {
            segment.path: (step.verdict.name, segment.name)
            for step in plan.steps
            if step.sends
            for segment in step.verdict.segments
        }
        self._tasks: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Live:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def template(self, name: str, segments: int) -> None:
        with self._lock:
            paths = [path for path, (template, _) in self._segments.items() if template == name]
            total = sum(path.stat().st_size for path in paths)
            self._tasks[name, None] = self._progress.add_task(name, total=total, state="")

    def segment(self, template: str, segment: str, state: str) -> None:
        with self._lock:
            task = self._task(template, segment)
            if state == "sending":  # from the first byte, a retry too
                self._progress.reset(task, total=self._progress.tasks[task].total, state=state)
            self._progress.update(task, state=state)

    def sent(self, path: Path, size: int) -> None:
        if path not in self._segments:
            return
        template, segment = self._segments[path]
        with self._lock:
            self._progress.advance(self._task(template, segment), size)
            if (template, None) in self._tasks:
                self._progress.advance(self._tasks[template, None], size)

    def done(self, template: str, status: str) -> None:
        with self._lock:
            if (template, None) in self._tasks:
                self._progress.update(self._tasks[template, None], state=status)

    def _task(self, template: str, segment: str) -> Any:
        key = (template, segment)
        if key not in self._tasks:
            path = next((p for p, names in self._segments.items() if names == key), None)
            total = path.stat().st_size if path else None
            self._tasks[key] = self._progress.add_task(f"  {segment}", total=total, state="")
        return self._tasks[key]


def chosen(plan: Plan, mode: str) -> Silent:
    """For ``--progress`` (mode ``always``), ``--no-progress`` (``never``) or neither
    (``auto``): a live display on a terminal, else lines when asked for, else nothing."""
    if mode == "never":
        return Silent()
    if sys.stderr.isatty():
        return Live(plan)
    return Lines(plan) if mode == "always" else Silent()
