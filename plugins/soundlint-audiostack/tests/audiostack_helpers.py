"""Builders the uploader's tests share: templates that pass lint, WAVs, a CLI run's result.

(A module of its own, not conftest: test modules importing ``conftest`` by name would get
whichever conftest.py is first on the path.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile


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
