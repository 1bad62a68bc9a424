"""Progress on a terminal: one line per template and per segment, gone when the run ends."""

from __future__ import annotations

import sys
import threading
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol


class Progress(Protocol):
    def template(self, name: str, segments: int) -> None: ...

    def segment(self, template: str, segment: str, state: str) -> None: ...

    def done(self, template: str, status: str) -> None: ...


class Silent:
    """No progress: for a non-terminal, where only the report is printed."""

    def template(self, name: str, segments: int) -> None:
        pass

    def segment(self, template: str, segment: str, state: str) -> None:
        pass

    def done(self, template: str, status: str) -> None:
        pass


class Live(AbstractContextManager["Live"]):
    """rich's progress display on stderr, safe to call from the upload threads."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[state]}"),
            console=Console(stderr=True),
            transient=True,
        )
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
            self._tasks[name, None] = self._progress.add_task(name, total=segments, state="")

    def segment(self, template: str, segment: str, state: str) -> None:
        with self._lock:
            key = (template, segment)
            if key not in self._tasks:
                self._tasks[key] = self._progress.add_task(f"  {segment}", total=1, state=state)
            self._progress.update(self._tasks[key], state=state)
            if state == "uploaded":
                self._progress.update(self._tasks[key], completed=1)
                self._progress.advance(self._tasks[template, None])

    def done(self, template: str, status: str) -> None:
        with self._lock:
            if (template, None) in self._tasks:
                self._progress.update(self._tasks[template, None], state=status)


def for_terminal() -> Live | None:
    """A live display when stderr is a terminal, else None."""
    return Live() if sys.stderr.isatty() else None
