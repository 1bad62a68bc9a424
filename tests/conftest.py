"""Builders shared by the tests: templates, WAV files and a CLI runner."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from soundlint.cli import main


def write_wav(
    path: Path,
    *,
    seconds: float = 1.5,
    rate: int = 48000,
    channels: int = 2,
    subtype: str = "PCM_16",
    format: str = "WAV",
    level_db: float = -15.0,
) -> Path:
    """Write a 440 Hz tone at ``level_db`` dBFS peak with numpy and soundfile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * rate)
    tone = 10 ** (level_db / 20) * np.sin(2 * np.pi * 440 * np.arange(frames) / rate)
    soundfile.write(path, np.repeat(tone[:, None], channels, axis=1), rate, subtype, format=format)
    return path


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_template(
    directory: Path,
    segments: Mapping[str, str] | None = None,
    *,
    audio: bool = True,
    level_db: float = -15.0,
    **fields: Any,
) -> Path:
    """A template directory with a complete manifest; ``audio`` writes each segment's WAV."""
    directory.mkdir(parents=True, exist_ok=True)
    segments = {"intro": "intro.wav", "main": "main.wav"} if segments is None else segments
    metadata = {
        "description": "A test template",
        "style": "cinematic",
        "genre": "trailer",
        "tags": ["epic"],
    } | fields
    lines = [f"{key} = {toml_value(value)}" for key, value in metadata.items() if value is not None]
    lines.append("")
    lines.append("[segments]")
    lines.extend(f"{json.dumps(name)} = {toml_value(path)}" for name, path in segments.items())
    (directory / "template.toml").write_text("\n".join(lines) + "\n")
    if audio:
        for path in segments.values():
            write_wav(directory / path, level_db=level_db)
    return directory


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    def codes(self) -> list[str]:
        """The rule codes reported, from JSON output."""
        return [d["code"] for d in self.json["diagnostics"]]


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Run]:
    """Run the CLI in-process in ``tmp_path`` (or ``cwd``)."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def invoke(*args: str, cwd: Path | None = None) -> Run:
        monkeypatch.chdir(cwd or tmp_path)
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def check(run: Callable[..., Run]) -> Callable[..., Run]:
    """``soundlint check --output-format json`` with extra arguments."""

    def invoke(*args: str, cwd: Path | None = None) -> Run:
        return run("check", "--output-format", "json", *args, cwd=cwd)

    return invoke
