"""Proxies from the environment: the key only in a tunnel or to loopback, a proxy named when
it fails. Nothing here connects beyond 127.0.0.1: a guard fails any attempt to."""

from __future__ import annotations

import importlib.util
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from audiostack_helpers import Run
from fake_audiostack import TEMPLATES, FakeAudioStack
from soundlint_audiostack.proxies import Proxy, proxy_for

Upload = Callable[..., Run]
REMOTE_API = "https://api.example.invalid"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Record, and refuse, any connection to a host other than 127.0.0.1."""
    attempts: list[Any] = []
    connect = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(address)
            raise OSError(f"the test allows no connection to {address[0]}")
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    yield attempts
    assert attempts == [], "a connection beyond 127.0.0.1 was attempted"


class Refusing(socketserver.ThreadingTCPServer):
    """A proxy on 127.0.0.1 that records what it is sent and refuses every request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.received: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _RefusingHandler)
        threading.Thread(target=self.serve_forever, args=(0.01,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RefusingHandler(socketserver.StreamRequestHandler):
    server: Refusing

    def handle(self) -> None:
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = self.rfile.readline()
            if not line:
                break
            head += line
        self.server.received.append(head)
        self.wfile.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


@pytest.fixture
def proxy() -> Iterator[Refusing]:
    server = Refusing()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return int(unused.getsockname()[1])


def test_the_key_goes_through_a_proxy_only_in_a_tunnel(
    upload: Upload, fake: FakeAudioStack, proxy: Refusing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("AUDIOSTACK_API_BASE", REMOTE_API)

    run = upload()

    assert run.code == 2
    assert proxy.received, "the request went to the proxy"
    for head in proxy.received:
        assert head.startswith(b"CONNECT api.example.invalid:443 HTTP/1.1\r\n")
        assert fake.key.encode() not in head and b"x-api-key" not in head.lower()
    assert run.err.splitlines()[-1] == (
        f"soundlint: error: list templates: the proxy {proxy.url} (from HTTPS_PROXY) refused "
        f"to connect to {REMOTE_API}: 403 Forbidden (after 5 attempts) "
        f"(GET {REMOTE_API}{TEMPLATES})"
    )


def test_plain_http_to_a_remote_api_is_refused_before_the_proxy_sees_anything(
    upload: Upload, fake: FakeAudioStack, proxy: Refusing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)

    run = upload("--api-base", "http://api.example.invalid")

    assert run.code == 2
    assert "refusing to send the API key over plain http to api.example.invalid" in run.err
    assert proxy.received == []


def test_a_dead_proxy_is_named_as_the_proxy(
    upload: Upload, fake: FakeAudioStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("https_proxy", dead)
    monkeypatch.setenv("AUDIOSTACK_API_BASE", REMOTE_API)

    run = upload()

    assert run.code == 2
    error = run.err.splitlines()[-1]
    assert error.startswith(
        f"soundlint: error: list templates: cannot connect to the proxy {dead} (from https_proxy)"
    )
    assert "refused" in error.lower()


def test_plain_http_through_a_remote_proxy_is_refused_before_connecting(
    upload: Upload, fake: FakeAudioStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://user:hunter2@proxy.example.invalid:3128")

    for run in (upload(), upload("--dry-run")):
        assert run.code == 2
        assert run.err == (
            "soundlint: error: refusing to send the API key over plain http through the proxy "
            "http://proxy.example.invalid:3128 (from HTTP_PROXY); add 127.0.0.1 to NO_PROXY, "
            "or use an https API base\n"
        )
    assert fake.seen == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://127.0.0.1:21", "is not an http, https or socks5 URL"),
        ("http://127.0.0.1:31x8", "has a port that is not a number"),
        (
            "socks5://127.0.0.1:1080",
            "is a SOCKS proxy, which needs the socksio package: pip install httpx[socks]",
        ),
    ],
)
def test_a_proxy_that_cannot_be_used_exits_2(
    upload: Upload, fake: FakeAudioStack, monkeypatch: pytest.MonkeyPatch, url: str, why: str
) -> None:
    if url.startswith("socks5") and importlib.util.find_spec("socksio"):
        pytest.skip("socksio is installed: the SOCKS proxy can be used")
    monkeypatch.setenv("ALL_PROXY", url)
    monkeypatch.setenv("AUDIOSTACK_API_BASE", REMOTE_API)

    run = upload()

    assert run.code == 2
    assert run.err.splitlines()[-1] == f"soundlint: error: the proxy {url} (from ALL_PROXY) {why}"


def test_no_proxy_goes_straight_to_the_api(
    upload: Upload, fake: FakeAudioStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "example.com, 127.0.0.1")

    run = upload()

    assert run.code == 0, run.err
    assert "dawn" in fake.templates


@pytest.mark.parametrize(
    ("environ", "url", "expected"),
    [
        ({}, "https://a.example", None),
        ({"HTTPS_PROXY": "p:3128"}, "https://a.example", Proxy("http://p:3128", "HTTPS_PROXY")),
        ({"HTTPS_PROXY": "http://p"}, "http://a.example", None),
        (
            {"https_proxy": "http://low", "HTTPS_PROXY": "http://up"},
            "https://a.example",
            Proxy("http://low", "https_proxy"),
        ),
        ({"ALL_PROXY": "http://all"}, "http://a.example", Proxy("http://all", "ALL_PROXY")),
        ({"ALL_PROXY": "http://all", "NO_PROXY": "*"}, "http://a.example", None),
        (
            {"ALL_PROXY": "http://all", "NO_PROXY": "ample"},
            "http://a.example",
            Proxy("http://all", "ALL_PROXY"),
        ),
        ({"ALL_PROXY": "http://all", "no_proxy": "a.example"}, "http://x.a.example", None),
        (
            {"ALL_PROXY": "http://all", "NO_PROXY": ".a.example"},
            "http://a.example",
            Proxy("http://all", "ALL_PROXY"),
        ),
    ],
)
def test_which_proxy_a_url_takes(environ: dict[str, str], url: str, expected: Proxy | None) -> None:
    assert proxy_for(url, environ) == expected


def test_a_proxy_prints_without_its_credentials() -> None:
    proxy = Proxy("http://user:hunter2@proxy:3128", "HTTPS_PROXY")
    assert str(proxy) == "the proxy http://proxy:3128 (from HTTPS_PROXY)"
    assert "hunter2" not in repr(proxy)
