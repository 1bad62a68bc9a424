"""Progress lines on a terminal, and nothing extra elsewhere."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from audiostack_helpers import Run
from fake_audiostack import FakeAudioStack

Upload = Callable[..., Run]


def test_no_progress_off_a_terminal(upload: Upload, fake: FakeAudioStack) -> None:
    run = upload()

    assert run.code == 0
    assert run.err == ""
    assert run.out.splitlines()[1:] == [
        f"Uploading to {fake.api_base}:",
        "uploaded  dawn (2 segments)",
        "1 uploaded.",
    ]


def test_progress_on_a_terminal(fake: FakeAudioStack, project: Path) -> None:
    """One line per template and per segment on stderr, when stderr is a terminal."""
    fake.upload_delay = 0.3
    leader, follower = pty.openpty()
    environment = os.environ | {
        "AUDIOSTACK_API_BASE": fake.api_base,
        "AUDIOSTACK_API_KEY": fake.key,
        "COLUMNS": "100",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "soundlint", "upload"],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    out, _ = process.communicate(timeout=60)
    os.close(leader)

    assert process.returncode == 0
    assert out.decode().splitlines()[-1] == "1 uploaded."
    text = shown.decode(errors="replace")
    assert "dawn" in text
    assert "  intro" in text and "  main" in text
    assert "sending" in text or "processing" in text
    assert "/96.0 kB" in text, "the bytes going out"
