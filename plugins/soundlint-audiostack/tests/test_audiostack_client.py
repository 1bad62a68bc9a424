"""The client on its own: how long it waits between attempts, and what it makes of answers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from fake_audiostack import TEMPLATES, FakeAudioStack
from soundlint_audiostack.client import ApiError, AudioStackClient, FileSlot
from soundlint_audiostack.options import ApiKey, Tuning


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(fake: FakeAudioStack, waits: list[float]) -> Iterator[AudioStackClient]:
    tuning = Tuning(backoff=0.5, max_backoff=30, read_timeout=0.3, connect_timeout=0.3)
    with AudioStackClient(fake.api_base, ApiKey(fake.key), tuning=tuning, sleep=waits.append) as c:
        yield c


def test_backoff_doubles_with_jitter(
    client: AudioStackClient, fake: FakeAudioStack, waits: list[float]
) -> None:
    fake.fault("GET", TEMPLATES, 500, times=4)

    assert client.list_templates() == {}

    assert len(waits) == 4
    for attempt, wait in enumerate(waits):
        delay = 0.5 * 2**attempt
        assert delay / 2 <= wait <= delay


def test_five_attempts_then_the_server_message(
    client: AudioStackClient, fake: FakeAudioStack, waits: list[float]
) -> None:
    fake.fault("GET", TEMPLATES, 503, times=5, body={"message": "down for maintenance"})

    with pytest.raises(ApiError) as raised:
        client.list_templates()

    assert str(raised.value) == (
        "list templates: 503 Service Unavailable: down for maintenance (after 5 attempts)"
    )
    assert len(fake.seen) == 5 and len(waits) == 4


@pytest.mark.parametrize("seconds", ["7", "2.5"])
def test_retry_after_in_seconds(
    client: AudioStackClient, fake: FakeAudioStack, waits: list[float], seconds: str
) -> None:
    fake.fault("GET", TEMPLATES, 429, headers={"Retry-After": seconds})

    client.list_templates()

    assert waits == [float(seconds)]


def test_retry_after_as_a_date(
    client: AudioStackClient, fake: FakeAudioStack, waits: list[float]
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    fake.fault("GET", TEMPLATES, 503, headers={"Retry-After": format_datetime(when, usegmt=True)})

    client.list_templates()

    assert 18 <= waits[0] <= 20


def test_a_connection_refused_is_retried(waits: list[float]) -> None:
    unused = FakeAudioStack()
    base = unused.api_base
    unused.stop()
    tuning = Tuning(attempts=3, backoff=0.01)
    client = AudioStackClient(base, ApiKey("k"), tuning=tuning, sleep=waits.append)
    with client, pytest.raises(ApiError) as raised:
        client.list_templates()
    assert str(raised.value).startswith(f"list templates: cannot connect to {base}: ")
    assert str(raised.value).endswith("(after 3 attempts)")
    assert len(waits) == 2
    assert raised.value.maybe_done is False


def test_listing_names_from_any_of_the_fields(
    client: AudioStackClient, fake: FakeAudioStack
) -> None:
    fake.add_template("a", "templateName")
    fake.add_template("b", "alias")
    fake.add_template("c", "soundTemplateId")

    assert set(client.list_templates()) == {"a", "b", "c"}


def test_an_answer_of_the_wrong_shape(client: AudioStackClient, fake: FakeAudioStack) -> None:
    fake.fault("GET", TEMPLATES, 200, body={"templates": []})

    with pytest.raises(ApiError, match=r"^list templates: the answer has no 'data'$"):
        client.list_templates()


def test_template_names_are_url_encoded(client: AudioStackClient, fake: FakeAudioStack) -> None:
    fake.add_template("a b/c")

    client.delete_template("a b/c")

    assert fake.seen[-1].path == f"{TEMPLATES}/a%20b%2Fc"
    assert fake.templates == {}


def test_a_file_status_nested_under_data(client: AudioStackClient, fake: FakeAudioStack) -> None:
    fake.fault("GET", "/files/f1", 200, body={"data": {"fileId": "f1", "status": "uploaded"}})

    client.wait_uploaded("f1")

    assert fake.lines() == ["GET /files/f1"]


def test_a_failed_file_stops_the_poll(client: AudioStackClient, fake: FakeAudioStack) -> None:
    fake.fault("GET", "/files/f1", 200, body={"fileId": "f1", "status": "failed"})

    with pytest.raises(ApiError, match=r"^file f1: the server says its status is 'failed'$"):
        client.wait_uploaded("f1")


def test_a_stopped_upload_gives_up_mid_file(tmp_path: Path) -> None:
    """Ctrl-C while a large file goes up over a slow link: the upload stops within a chunk or
    two, not when the whole file has gone (about 40 s here)."""
    received = []
    listener = socket.create_server(("127.0.0.1", 0))

    def slow_host() -> None:  # takes about 800 KB/s and never answers
        connection, _ = listener.accept()
        with connection, contextlib.suppress(OSError):
            while chunk := connection.recv(1 << 14):
                received.append(len(chunk))
                time.sleep(0.02)

    threading.Thread(target=slow_host, daemon=True).start()
    big = tmp_path / "main.wav"
    with big.open("wb") as f:
        f.truncate(32 << 20)
    port = listener.getsockname()[1]
    slot = FileSlot("f1", f"http://127.0.0.1:{port}/bucket/f1", "audio/wav")
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    tuning = Tuning(read_timeout=5.0, connect_timeout=1.0)
    started = time.monotonic()
    with (
        AudioStackClient("http://127.0.0.1:9", ApiKey("sk-x"), tuning=tuning) as client,
        pytest.raises(ApiError, match=r"upload main\.wav: stopped"),
    ):
        client.put_file(slot, big, stop)
    assert time.monotonic() - started < 2.0
    assert 0 < sum(received) < 16 << 20
    listener.close()
