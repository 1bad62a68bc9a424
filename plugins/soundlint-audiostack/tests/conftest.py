"""A project to upload from, a fake AudioStack to upload to, and the CLI to do it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from fake_audiostack import FakeAudioStack

from soundlint.cli import main

# Short waits, so that retries and timeouts cost milliseconds.
FAST = """
[upload]
backoff = 0.001
max-backoff = 1
connect-timeout = 1
read-timeout = 0.5
poll-interval = 0.005
poll-timeout = 0.5
"""


def write_wav(path: Path, seconds: float = 1.0, level_db: float = -14.0) -> Path:
    """A 440 Hz mono tone at 48 kHz, loud enough for the audiostack profile."""
    rate = 48000
    tone = 10 ** (level_db / 20) * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)
    soundfile.write(path, tone, rate, "PCM_16")
    return path


def write_template(
    root: Path, name: str, segments: tuple[str, ...] = ("intro", "main"), **fields: str
) -> Path:
    """A template that passes lint, unless ``fields`` spoil it."""
    directory = root / "templates" / name
    directory.mkdir(parents=True)
    metadata = {
        "description": f"The {name} template",
        "style": "cinematic",
        "genre": "trailer",
    } | fields
    lines = [f"{key} = {json.dumps(value)}" for key, value in metadata.items()]
    lines += ['tags = ["test"]', "", "[segments]"]
    lines += [f'{segment} = "{segment}.wav"' for segment in segments]
    (directory / "template.toml").write_text("\n".join(lines) + "\n")
    for segment in segments:
        write_wav(directory / f"{segment}.wav")
    return directory


@pytest.fixture
def fake() -> Iterator[FakeAudioStack]:
    server = FakeAudioStack()
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with the fast settings and one passing template, 'dawn'."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "soundlint.toml").write_text(FAST)
    write_template(root, "dawn")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    def status(self, name: str) -> dict[str, Any]:
        return next(t for t in self.json["templates"] if t["name"] == name)


@pytest.fixture
def upload(
    fake: FakeAudioStack,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Run]:
    """``soundlint upload ARGS`` in the project, with the fake's base URL and key."""
    proxies = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    for variable in ("AUDIOSTACK_ORG_ID", "FORCE_COLOR", "NO_COLOR", *proxies):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AUDIOSTACK_API_BASE", fake.api_base)
    monkeypatch.setenv("AUDIOSTACK_API_KEY", fake.key)

    def invoke(*args: str, cwd: Path | None = None) -> Run:
        monkeypatch.chdir(cwd or project)
        code = main(["upload", *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke
