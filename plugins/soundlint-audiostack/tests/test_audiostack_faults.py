"""Faults half-way: retries, timeouts, rejections, and the rollback that leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from audiostack_helpers import Run, write_template
from fake_audiostack import TEMPLATES, FakeAudioStack
from soundlint_audiostack.client import AudioStackClient

Upload = Callable[..., Run]
SEGMENT = "POST /production/sound/segment"


def test_a_rejected_segment_rolls_the_template_back(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    write_template(project, "noon")
    fake.rejected_segments = {"main"}
    write_template(project, "dusk", segments=("intro", "loop"))

    run = upload("--output-format", "json")

    assert run.code == 2
    for name in ("dawn", "noon"):
        entry = run.status(name)
        assert entry["status"] == "failed"
        assert entry["error"] == (
            f"register segment 'main' of '{name}': 400 Bad Request: Segment rejected; "
            "segment 'main' is not a valid sound segment; "
            "the template was deleted again, nothing is left on the server"
        )
    assert run.status("dusk")["status"] == "uploaded", "other templates go on"
    assert list(fake.templates) == ["dusk"]
    dawn = [s.line for s in fake.seen if "dawn" in s.path or b'"dawn"' in s.body]
    assert dawn[-4:] == [
        f"POST {TEMPLATES}",
        SEGMENT,
        SEGMENT,
        "DELETE /production/sound/template/dawn",
    ]
    state = json.loads((project / ".soundlint/uploads.json").read_text())
    assert list(state["targets"][fake.api_base]) == ["dusk"]


def test_a_failed_file_upload_creates_no_template(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("PUT", "/bucket/", 500, times=99, server="upload")

    run = upload("--output-format", "json")

    assert run.code == 2
    error = run.status("dawn")["error"]
    assert error.startswith("segment '")
    assert error.endswith(": 500 Internal Server Error: fault (after 5 attempts)")
    assert f"POST {TEMPLATES}" not in fake.lines()
    assert fake.templates == {}
    # One segment's failure stops the others: at most 5 attempts each, none after giving up.
    assert len(fake.lines("upload")) <= 10
    assert not (project / ".soundlint/uploads.json").exists()


def test_server_errors_and_rate_limits_are_retried(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("GET", TEMPLATES, 503, times=2)
    fake.fault("POST", TEMPLATES, 429, times=1, headers={"Retry-After": "0.3"})
    fake.fault("PUT", "/bucket/", 500, times=1, server="upload")

    run = upload()

    assert run.code == 0, run.out
    assert fake.lines()[:3] == [f"GET {TEMPLATES}"] * 3
    creates = fake.requests(f"POST {TEMPLATES}")
    assert len(creates) == 2
    assert creates[1].at - creates[0].at >= 0.3, "Retry-After is honoured"
    assert len(fake.lines("upload")) == 3
    assert set(fake.templates["dawn"]["segments"]) == {"intro", "main"}


def test_a_retry_after_beyond_max_backoff_gives_up(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("GET", TEMPLATES, 429, headers={"Retry-After": "120"}, body={"message": "slow down"})

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["error"] == (
        "list templates: 429 Too Many Requests: slow down; the server asks to wait 120 s, "
        f"more than max-backoff (1 s) (GET {fake.api_base}{TEMPLATES})"
    )
    assert fake.lines() == [f"GET {TEMPLATES}"]


def test_client_errors_are_not_retried_and_show_the_server_message(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    body = {"message": "Validation error", "errors": ["description is too long"]}
    fake.fault("POST", TEMPLATES, 422, body=body)

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["error"] == (
        "create template 'dawn': 422 Unprocessable Entity: Validation error; "
        "description is too long"
    )
    assert fake.lines().count(f"POST {TEMPLATES}") == 1
    assert "DELETE" not in " ".join(fake.lines()), "a definite refusal created nothing"
    assert fake.templates == {}


def test_a_slow_answer_times_out_and_is_retried(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("GET", TEMPLATES, None, delay=1.0)

    run = upload()

    assert run.code == 0
    assert fake.lines()[:2] == [f"GET {TEMPLATES}"] * 2


def test_an_answer_that_never_comes_fails_with_the_timeout(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    (project / "soundlint.toml").write_text(
        (project / "soundlint.toml").read_text() + "attempts = 2\n"
    )
    fake.fault("POST", SEGMENT.split()[1], None, delay=1.0, times=99)

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["error"] == (
        f"register segment 'intro' of 'dawn': no answer from {fake.api_base} within 0.5 s "
        "(read-timeout) "
        "(after 2 attempts); the template was deleted again, nothing is left on the server"
    )
    assert fake.templates == {}


def test_a_create_without_an_answer_is_rolled_back(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """The server may have created the template although every answer was a 5xx: the
    listing says whether there is anything to delete."""
    fake.fault("POST", TEMPLATES, 502, times=99)

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["error"].endswith("502 Bad Gateway: fault (after 5 attempts)")
    assert fake.lines()[-2:] == [f"POST {TEMPLATES}", f"GET {TEMPLATES}"], "nothing to delete"
    assert fake.templates == {}


def test_a_create_whose_answer_was_lost_goes_on(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    """The first attempt timed out after the server created the template, so the retry hears
    that it exists: it is this run's, and its segments are registered."""
    fake.fault("POST", TEMPLATES, None, delay=1.0, done_first=True)

    run = upload("--output-format", "json")

    assert run.code == 0
    assert run.status("dawn")["status"] == "uploaded"
    assert fake.lines()[-4:] == [f"POST {TEMPLATES}"] * 2 + [SEGMENT] * 2
    assert set(fake.templates["dawn"]["segments"]) == {"intro", "main"}


def test_a_poll_that_never_finishes_times_out(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.never_uploaded = True

    run = upload("--output-format", "json")

    assert run.code == 2
    error = run.status("dawn")["error"]
    assert "still 'processing' after 0.5 s (poll-timeout)" in error
    assert f"POST {TEMPLATES}" not in fake.lines()
    assert fake.templates == {}


def test_a_redirect_off_the_api_host_is_not_followed(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    elsewhere = f"{fake.upload_base}/steal"
    fake.fault("GET", TEMPLATES, 302, headers={"Location": elsewhere})

    run = upload("--output-format", "json")

    assert run.code == 2
    assert run.status("dawn")["error"] == (
        "the API redirected to http://127.0.0.1; not followed, so that the key goes nowhere "
        f"but the API base (GET {fake.api_base}{TEMPLATES})"
    )
    assert fake.lines("upload") == []


def test_a_redirect_on_the_api_host_is_followed(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("GET", TEMPLATES, 307, headers={"Location": f"{fake.api_base}{TEMPLATES}"})

    assert upload().code == 0
    assert fake.lines()[:2] == [f"GET {TEMPLATES}"] * 2


def test_the_key_is_blanked_out_of_server_messages(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.fault("GET", TEMPLATES, 403, body={"message": f"key {fake.key} is not allowed"})

    run = upload()

    assert run.code == 2
    assert fake.key not in run.out + run.err
    assert "403 Forbidden: key *** is not allowed" in run.out


def test_a_wrong_key_fails_with_the_server_message(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.key = "another-key"

    run = upload()

    assert run.code == 2
    assert "failed  dawn: list templates: 401 Unauthorized: Unauthorized" in run.out
    assert fake.lines() == [f"GET {TEMPLATES}"]


def test_a_failed_replacement_restores_the_template_it_replaced(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.add_template("dawn")
    fake.rejected_segments = {"intro"}

    run = upload("--replace", "--output-format", "json")

    assert run.status("dawn")["error"].endswith(
        "segment 'intro' is not a valid sound segment; "
        "'dawn' was restored to its previous version (0 segments)"
    )
    assert fake.templates["dawn"]["description"] == "someone else's"


def test_a_template_gone_before_its_replacement_is_uploaded(
    upload: Upload, fake: FakeAudioStack, project: Path
) -> None:
    fake.ghosts = {"dawn"}

    run = upload("--replace")

    assert run.code == 0
    assert "replaced  dawn (2 segments)" in run.out
    assert "DELETE /production/sound/template/dawn" in fake.lines()


def test_ctrl_c_half_way_rolls_back(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = AudioStackClient.register_segment

    def interrupted(client: AudioStackClient, template: str, segment: str, file_id: str) -> None:
        if segment == "main":
            raise KeyboardInterrupt
        register(client, template, segment, file_id)

    monkeypatch.setattr(AudioStackClient, "register_segment", interrupted)

    run = upload()

    assert run.code == 130
    assert fake.lines()[-3:] == [SEGMENT, f"GET {TEMPLATES}", f"DELETE {TEMPLATES}/dawn"]
    assert fake.templates == {}
    assert json.loads((project / ".soundlint/uploads.json").read_text())["targets"] == {}
    assert run.err == (
        "soundlint: removing the unfinished 'dawn' from the server; Ctrl-C again leaves it "
        "with 1 of 2 segments (or whole, as its new version, if the request under way reached "
        "the server)\n"
        "soundlint: the template was deleted again, nothing is left on the server\n"
    )


@pytest.mark.parametrize("stall", ["answer", "retry"])
def test_ctrl_c_stops_at_once_whatever_is_in_flight(
    fake: FakeAudioStack, project: Path, stall: str
) -> None:
    """SIGINT while a PUT waits 30 s for its answer, or for a Retry-After of 30 s: exit 130 at
    once, and no request after it."""
    (project / "soundlint.toml").write_text(
        "[upload]\nread-timeout = 60\nmax-backoff = 60\npoll-interval = 0.005\n"
    )
    if stall == "answer":
        fake.upload_delay = 30.0
    else:
        fake.fault("PUT", "/bucket", 503, server="upload", headers={"Retry-After": "30"})
    environment = {
        **os.environ,
        "AUDIOSTACK_API_BASE": fake.api_base,
        "AUDIOSTACK_API_KEY": fake.key,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "soundlint", "upload", "."],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not fake.lines("upload") and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    seen_before = len(fake.seen)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    try:
        code = process.wait(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert code == 130
    assert time.monotonic() - started < 2.0
    assert len(fake.seen) == seen_before
    assert fake.templates == {}


def test_ctrl_c_while_the_template_is_created_rolls_it_back(
    upload: Upload, fake: FakeAudioStack, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while waiting for the answer to the create call, which the server carried
    out: the template is deleted again."""
    create = AudioStackClient.create_template

    def interrupted(client: AudioStackClient, name: str, description: str) -> None:
        create(client, name, description)
        raise KeyboardInterrupt

    monkeypatch.setattr(AudioStackClient, "create_template", interrupted)

    run = upload()

    assert run.code == 130
    assert fake.lines()[-3:] == [
        f"POST {TEMPLATES}",
        f"GET {TEMPLATES}",
        f"DELETE {TEMPLATES}/dawn",
    ]
    assert fake.templates == {}
