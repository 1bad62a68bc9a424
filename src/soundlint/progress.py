"""Progress of the audio analysis, on stderr only, never on stdout.

``auto`` shows a rich progress bar once the analysis has run for a second, and only when stderr
is a terminal; ``always`` (``--progress``) shows it from the first file wherever stderr goes,
as plain lines when stderr is not a terminal (CI logs); ``never`` shows nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

MODES = ("auto", "always", "never")
DELAY_S = 1.0
"""In auto mode, how long the analysis runs before a bar appears."""
LINE_INTERVAL_S = 2.0
"""Off a terminal, the least time between two progress lines."""


class AnalysisProgress:
    """A callback for analysis.analyse: (files measured, files to measure)."""

    def __init__(self, mode: str, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._terminal = _is_terminal(self.stream)
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._last_line = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self._shown():
            return
        if self._terminal:
            self._update_bar(done, total)
        elif done == total or time.monotonic() - self._last_line >= LINE_INTERVAL_S:
            self._last_line = time.monotonic()
            print(f"soundlint: analysed {done}/{total} audio files", file=self.stream, flush=True)

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _shown(self) -> bool:
        if self.mode == "always":
            return True
        long_enough = time.monotonic() - self.started >= DELAY_S
        return self.mode == "auto" and self._terminal and long_enough

    def _update_bar(self, done: int, total: int) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            console = Console(file=self.stream, force_terminal=True)
            self._bar = Progress(
                "Analysing audio",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("audio", total=total)
        assert self._task is not None
        self._bar.update(self._task, completed=done, total=total)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
