"""A project to upload from, a fake AudioStack to upload to, and the CLI to do it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_template
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
