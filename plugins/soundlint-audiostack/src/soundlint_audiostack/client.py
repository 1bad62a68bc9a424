"""The AudioStack API over httpx: one method per call, typed results, and the retries,
timeouts and key handling of every request in one place."""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from soundlint_audiostack import __version__
from soundlint_audiostack.options import KEY_VARIABLE, ORG_VARIABLE, ApiKey, Tuning
from soundlint_audiostack.proxies import Proxy, proxy_for, unusable

if TYPE_CHECKING:
    import httpx

TEMPLATES = "/production/sound/template"
SEGMENTS = "/production/sound/segment"
FILES = "/files"
_CHUNK = 1 << 16
_DIRECT = {"http://": None, "https://": None, "all://": None}
"""httpx mounts that take no proxy from the environment: the proxy is chosen by proxy_for."""


class ApiError(Exception):
    """A call that failed for good. The message says which call, and the server's own words.

    ``status`` is the HTTP status of the last answer, None when there was none;
    ``maybe_done`` says that an attempt may have reached the server and been carried out
    although no answer said so (a read timeout, a 5xx).
    """

    def __init__(self, message: str, status: int | None = None, maybe_done: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.maybe_done = maybe_done

    @property
    def refused_key(self) -> bool:
        """The API refused the key (401) or what it may do (403)."""
        return self.status in (401, 403)


@dataclass(frozen=True)
class Listed:
    """A template as the listing shows it; None where the listing does not say."""

    name: str
    server_id: str | None
    description: str | None
    segments: dict[str, str | None] | None
    """Segment name -> the file id registered under it (None when not shown)."""


@dataclass(frozen=True)
class FileSlot:
    """Where to put a file's bytes: the answer to ``POST /files``."""

    file_id: str
    upload_url: str
    mime_type: str


class AudioStackClient:
    """The calls the uploader makes. The key goes in a header of requests to the API's own
    origin only: never to the pre-signed upload URL, never along a redirect elsewhere."""

    def __init__(
        self,
        api_base: str,
        key: ApiKey,
        org: str | None = None,
        tuning: Tuning | None = None,
        *,
        proxy: Proxy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``proxy`` carries the API's requests (the caller checks that the key may take that
        route); the upload URLs take theirs from the environment."""
        import httpx

        self._tuning = tuning or Tuning()
        self._sleep = sleep
        self.on_sent: Callable[[Path, int], None] | None = None
        """Told of each chunk of a file sent: the file, and the chunk's size."""
        self._key = key
        self._org = org
        self._proxy = proxy
        base = urlsplit(api_base)
        self._origin = (base.scheme, base.hostname, base.port)
        self._timeout = httpx.Timeout(
            self._tuning.read_timeout, connect=self._tuning.connect_timeout
        )
        self._agent = f"soundlint-audiostack/{__version__}"
        headers = {
            "x-api-key": key.reveal(),
            "accept": "application/json",
            "user-agent": self._agent,
        }
        if org:
            headers["x-assume-org"] = org
        self._api = self._http(
            proxy,
            base_url=api_base,
            headers=headers,
            follow_redirects=True,
            event_hooks={"request": [self._stay_at_origin]},
        )
        self._uploads: dict[Proxy | None, httpx.Client] = {}
        self._uploads_lock = threading.Lock()

    def _http(self, proxy: Proxy | None, **settings: Any) -> httpx.Client:
        """An httpx client going through ``proxy``, or straight to the host."""
        import httpx

        why = unusable(proxy) if proxy else None
        if why:
            raise ApiError(f"{proxy} {why}")
        return httpx.Client(
            timeout=self._timeout,
            proxy=proxy.url if proxy else None,
            mounts=None if proxy else _DIRECT,
            **settings,
        )

    def _uploads_client(self, url: str) -> tuple[httpx.Client, Proxy | None]:
        """The client for a pre-signed upload URL (one per proxy), and its proxy."""
        proxy = proxy_for(url)
        with self._uploads_lock:
            if proxy not in self._uploads:
                self._uploads[proxy] = self._http(proxy, headers={"user-agent": self._agent})
            return self._uploads[proxy], proxy

    def __enter__(self) -> AudioStackClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._api.close()
        for uploads in self._uploads.values():
            uploads.close()

    # The calls ---------------------------------------------------------------------------

    def list_templates(self) -> dict[str, Listed]:
        """The templates on the server, by name."""
        answer = self._call("list templates", "GET", TEMPLATES)
        templates = _field(answer, "data", "list templates")
        items = _field(templates, "templates", "list templates")
        if not isinstance(items, list):
            raise ApiError("list templates: the answer's data.templates is not a list")
        listed = (_listed(item) for item in items)
        return {template.name: template for template in listed if template}

    def create_template(self, name: str, description: str) -> None:
        body = {"templateName": name, "description": description}
        self._call(f"create template '{name}'", "POST", TEMPLATES, json=body, answer=False)

    def delete_template(self, name: str) -> None:
        path = f"{TEMPLATES}/{quote(name, safe='')}"
        self._call(f"delete template '{name}'", "DELETE", path, answer=False)

    def create_file(self, file_name: str) -> FileSlot:
        what = f"create file '{file_name}'"
        answer = self._call(what, "POST", FILES, json={"file_name": file_name})
        file_id, url = _field(answer, "fileId", what), _field(answer, "uploadUrl", what)
        mime = answer.get("mimeType") or "audio/wav"
        if not all(isinstance(value, str) and value for value in (file_id, url, mime)):
            raise ApiError(f"{what}: the answer's fileId, uploadUrl or mimeType is not a string")
        return FileSlot(file_id, url, mime)

    def put_file(self, slot: FileSlot, path: Path, stop: threading.Event | None = None) -> None:
        """Send the file's bytes to the pre-signed URL, streamed, without the key; once
        ``stop`` is set, give up between two chunks (ApiError)."""
        what = f"upload {path.name}"
        size = path.stat().st_size
        headers = {"content-type": slot.mime_type, "content-length": str(size)}

        def chunks() -> Iterator[bytes]:
            for chunk in _read(path):
                if stop is not None and stop.is_set():
                    raise ApiError(f"{what}: stopped")
                yield chunk
                if self.on_sent is not None:
                    self.on_sent(path, len(chunk))

        client, proxy = self._uploads_client(slot.upload_url)
        self._send(
            client, what, "PUT", slot.upload_url, headers=headers, body=chunks, stop=stop, via=proxy
        )

    def file_status(self, file_id: str, stop: threading.Event | None = None) -> str:
        what = f"file {file_id}"
        answer = self._call(what, "GET", f"{FILES}/{quote(file_id, safe='')}", stop=stop)
        data = answer.get("data")
        holder = data if "status" not in answer and isinstance(data, dict) else answer
        return str(_field(holder, "status", what))

    def wait_uploaded(self, file_id: str, stop: threading.Event | None = None) -> None:
        """Poll the file until its status is ``uploaded``, for at most the poll timeout."""
        deadline = time.monotonic() + self._tuning.poll_timeout
        while True:
            if stop is not None and stop.is_set():
                raise ApiError(f"file {file_id}: stopped waiting")
            status = self.file_status(file_id, stop)
            if status == "uploaded":
                return
            if "fail" in status or "error" in status:
                raise ApiError(f"file {file_id}: the server says its status is '{status}'")
            if time.monotonic() + self._tuning.poll_interval > deadline:
                raise ApiError(
                    f"file {file_id}: still '{status}' after {self._tuning.poll_timeout:g} s "
                    "(poll-timeout)"
                )
            if stop is None:
                self._sleep(self._tuning.poll_interval)
            elif stop.wait(self._tuning.poll_interval):
                raise ApiError(f"file {file_id}: stopped waiting")

    def register_segment(self, template: str, segment: str, file_id: str) -> None:
        body = {"templateName": template, "segmentName": segment, "mediaId": file_id}
        what = f"register segment '{segment}' of '{template}'"
        self._call(what, "POST", SEGMENTS, json=body, answer=False)

    # Requests ----------------------------------------------------------------------------

    def _call(
        self,
        what: str,
        method: str,
        path: str,
        json: Any = None,
        *,
        answer: bool = True,
        stop: threading.Event | None = None,
    ) -> dict[str, Any]:
        """One API request, retried; the JSON object it answered, when ``answer`` is wanted."""
        try:
            response = self._send(
                self._api, what, method, path, json=json, stop=stop, via=self._proxy
            )
        except ApiError as error:
            if not error.refused_key:
                raise
            org = f" and {ORG_VARIABLE}" if error.status == 403 and self._org else ""
            hint = f"; the API refused the key: check {KEY_VARIABLE}{org}"
            raise ApiError(f"{error}{hint}", error.status, error.maybe_done) from None
        if not answer:
            return {}
        try:
            answer = response.json()
        except ValueError:
            raise ApiError(f"{what}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise ApiError(f"{what}: the answer is not a JSON object")
        return answer

    def _send(
        self,
        client: httpx.Client,
        what: str,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        body: Callable[[], Iterator[bytes]] | None = None,
        stop: threading.Event | None = None,
        via: Proxy | None = None,
    ) -> httpx.Response:
        """Send, retrying connection errors, timeouts, 429 and 5xx with exponential backoff and
        jitter (or as long as Retry-After asks), up to the configured number of attempts; the
        successful answer, or ApiError. Once ``stop`` is set, no attempt is made or waited for."""
        import httpx

        attempts, maybe_done = self._tuning.attempts, False
        for attempt in range(1, attempts + 1):
            wait, status = self._backoff(attempt), None
            try:
                response = client.request(
                    method, url, json=json, headers=headers, content=body() if body else None
                )
            except httpx.TransportError as error:
                failure = _describe(error, self._tuning, error.request.url, via)
                maybe_done |= not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
            else:
                status = response.status_code
                if response.is_success:
                    return response
                failure = _status_line(response, self._key)
                if status != 429 and status < 500:
                    raise ApiError(f"{what}: {failure}", status, maybe_done)
                maybe_done |= status >= 500
                asked = _retry_after(response)
                if asked is not None and asked > self._tuning.max_backoff:
                    raise ApiError(
                        f"{what}: {failure}; the server asks to wait {asked:g} s, more than "
                        f"max-backoff ({self._tuning.max_backoff:g} s)",
                        status,
                        maybe_done,
                    )
                wait = wait if asked is None else asked
            if attempt == attempts:
                tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                raise ApiError(f"{what}: {failure}{tries}", status, maybe_done)
            if stop is None:
                self._sleep(wait)
            elif stop.wait(wait):
                raise ApiError(f"{what}: stopped after {failure}", status, maybe_done)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base * 2**(attempt-1)."""
        delay = min(self._tuning.max_backoff, self._tuning.backoff * 2 ** (attempt - 1))
        return delay / 2 + random.uniform(0, delay / 2)

    def _stay_at_origin(self, request: httpx.Request) -> None:
        """Refuse to send a request carrying the key anywhere but the API base's origin."""
        url = request.url
        if (url.scheme, url.host, url.port) != self._origin:
            raise ApiError(
                f"the API redirected to {url.scheme}://{url.host}; not followed, "
                "so that the key goes nowhere but the API base"
            )


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _listed(item: Any) -> Listed | None:
    """A listed template, named by its templateName, else its alias, else its id."""
    if not isinstance(item, dict):
        return None
    name = next(
        (item[k] for k in ("templateName", "alias", "soundTemplateId") if _text(item, k)), None
    )
    if name is None:
        return None
    description = item["description"] if _text(item, "description", empty=True) else None
    server_id = item["soundTemplateId"] if _text(item, "soundTemplateId") else None
    return Listed(name, server_id, description, _listed_segments(item.get("segments")))


def _listed_segments(segments: Any) -> dict[str, str | None] | None:
    """Segment name -> file id from a listed template's segments (objects or bare names)."""
    if not isinstance(segments, list):
        return None
    found: dict[str, str | None] = {}
    for segment in segments:
        if isinstance(segment, str):
            found[segment] = None
        elif isinstance(segment, dict) and _text(segment, "segmentName"):
            found[segment["segmentName"]] = (
                segment["mediaId"] if _text(segment, "mediaId") else None
            )
        else:
            return None
    return found


def _text(item: dict[str, Any], key: str, *, empty: bool = False) -> bool:
    value = item.get(key)
    return isinstance(value, str) and (empty or bool(value))


def _field(answer: Any, name: str, what: str) -> Any:
    if not isinstance(answer, dict) or name not in answer:
        raise ApiError(f"{what}: the answer has no '{name}'")
    return answer[name]


def _status_line(response: httpx.Response, key: ApiKey) -> str:
    """``400 Bad Request: <the server's message>``, the key blanked out if it were echoed."""
    line = f"{response.status_code} {response.reason_phrase}".strip()
    if response.is_redirect:
        return f"{line} (a redirect that was not followed)"
    message = _server_message(response)
    return _redact(f"{line}: {message}" if message else line, key)


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300]
    if not isinstance(body, dict):
        return ""
    parts = [str(body["message"])] if body.get("message") else []
    errors = body.get("errors")
    if isinstance(errors, list):
        parts.extend(str(error) for error in errors if str(error) not in parts)
    return "; ".join(parts)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait: a number, or an HTTP date."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(
    error: httpx.TransportError, tuning: Tuning, url: httpx.URL, proxy: Proxy | None
) -> str:
    """What went wrong, naming the host (and the proxy) that could not be reached."""
    import httpx

    host = f"{url.scheme}://{url.netloc.decode('ascii')}"
    reason = f": {error}" if str(error) else ""
    if isinstance(error, httpx.ProxyError) and proxy is not None:
        return f"{proxy} refused to connect to {host}{reason}"
    through = f" through {proxy}" if proxy is not None else ""
    if isinstance(error, httpx.ConnectTimeout):
        return (
            f"could not connect to {proxy or host} within {tuning.connect_timeout:g} s "
            "(connect-timeout)"
        )
    if isinstance(error, httpx.TimeoutException):
        return f"no answer from {host}{through} within {tuning.read_timeout:g} s (read-timeout)"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect to {proxy or host}{reason}"
    return f"{type(error).__name__} from {host}{through}{reason}"


def _redact(text: str, key: ApiKey) -> str:
    secret = key.reveal()
    return text.replace(secret, "***") if secret else text
