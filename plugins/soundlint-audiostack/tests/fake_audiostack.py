"""A fake AudioStack for the tests: the API and a pre-signed upload host, each a real HTTP
server on 127.0.0.1 (on different ports), recording every request they see."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

TEMPLATES = "/production/sound/template"


@dataclass(frozen=True)
class Seen:
    """One request as a server received it."""

    server: str
    """'api' or 'upload'."""
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def line(self) -> str:
        return f"{self.method} {urlsplit(self.path).path}"


@dataclass
class Fault:
    """Answer matching requests with ``status`` (None: as usual) after ``delay`` seconds."""

    server: str
    method: str
    path: str
    """A prefix of the request path."""
    status: int | None
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    done_first: bool = False
    """With ``status`` None: carry the request out at once, and answer only after the delay."""
    drop: bool = False
    """Carry the request out, then close the connection without an answer."""
    body_is: bytes | None = None
    """Match only requests with exactly this body."""


class FakeAudioStack:
    """The calls soundlint upload makes, as the AudioStack API answers them."""

    def __init__(self, key: str = "sk-test-0123456789") -> None:
        self.key = key
        self.templates: dict[str, dict[str, Any]] = {}
        """name -> {'description', 'segments': {segment name: file id}, 'item': listing item}"""
        self.files: dict[str, dict[str, Any]] = {}
        self.seen: list[Seen] = []
        self.polls_to_upload = 2
        self.never_uploaded = False
        self.rejected_segments: set[str] = set()
        self.ghosts: set[str] = set()
        """Names the listing shows that are gone by the time anything else asks."""
        self.upload_delay = 0.0
        self.lists_segments = True
        """Whether the listing shows each template's segments and their files."""
        self.most_uploads_at_once = 0
        self._uploading = 0
        self.on_request: Callable[[Seen, int], None] | None = None
        """Called with each request and its number (from 1, both servers) before it is served."""
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._servers = [self._serve("api"), self._serve("upload")]

    # Set up ------------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._servers[0].server_address[1]}"

    @property
    def upload_base(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    def fault(
        self,
        method: str,
        path: str,
        status: int | None = 500,
        *,
        times: int = 1,
        server: str = "api",
        headers: dict[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
        done_first: bool = False,
    ) -> None:
        self._faults.append(
            Fault(server, method, path, status, times, headers or {}, body, delay, done_first)
        )

    def fault_at(self, number: int, kind: str, times: int) -> None:
        """Make the request numbered ``number`` (from 1, both servers) and the next ``times - 1``
        attempts of the same request fail: ``500``; ``timeout`` (carried out, answered only after
        a second); ``drop`` (carried out, the connection closed without an answer)."""
        kinds = {
            "500": {"status": 500},
            "timeout": {"status": None, "delay": 1.0, "done_first": True},
            "drop": {"status": None, "drop": True},
        }

        def arm(seen: Seen, count: int) -> None:
            if count == number:
                path = urlsplit(seen.path).path
                fault = Fault(seen.server, seen.method, path, 500, times, body_is=seen.body)
                for key, value in kinds[kind].items():
                    setattr(fault, key, value)
                self._faults.insert(0, fault)

        self.on_request = arm

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def faults_left(self) -> int:
        """How many more requests the faults set up would answer."""
        return sum(fault.times for fault in self._faults)

    def add_template(self, name: str, field_name: str = "templateName") -> None:
        """A template already on the server, not uploaded by the tests."""
        item = {field_name: name, "description": "someone else's"}
        self.templates[name] = {"description": "someone else's", "segments": {}, "item": item}

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # What was seen -----------------------------------------------------------------------

    def lines(self, server: str = "api") -> list[str]:
        return [s.line for s in self.seen if s.server == server]

    def requests(self, line: str) -> list[Seen]:
        return [s for s in self.seen if s.line == line or s.line.startswith(line + "/")]

    # Serving -----------------------------------------------------------------------------

    def _serve(self, name: str) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, name)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = _QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        return server

    def _handle(self, handler: BaseHTTPRequestHandler, server: str) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        seen = Seen(
            server,
            handler.command,
            handler.path,
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            time.monotonic(),
        )
        with self._lock:
            self.seen.append(seen)
            number = len(self.seen)
        if self.on_request is not None:
            self.on_request(seen, number)
        with self._lock:
            fault = self._take_fault(seen)
        route = self._api if server == "api" else self._upload
        if fault is not None and fault.drop:
            route(seen)
            handler.close_connection = True
            return
        if fault is not None and fault.done_first:
            status, answer = route(seen)
            time.sleep(fault.delay)
            _answer(handler, status, answer)
            return
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status is not None:
                _answer(handler, fault.status, fault.body or {"message": "fault"}, fault.headers)
                return
        status, answer = route(seen)
        _answer(handler, status, answer)

    def _take_fault(self, seen: Seen) -> Fault | None:
        for fault in self._faults:
            if (
                fault.times > 0
                and fault.server == seen.server
                and fault.method == seen.method
                and urlsplit(seen.path).path.startswith(fault.path)
                and fault.body_is in (None, seen.body)
            ):
                fault.times -= 1
                return fault
        return None

    def _api(self, seen: Seen) -> tuple[int, Any]:
        if seen.headers.get("x-api-key") != self.key:
            return 401, {"message": "Unauthorized"}
        path = urlsplit(seen.path).path
        with self._lock:
            if seen.line == f"GET {TEMPLATES}":
                items = [
                    _listed(t) if self.lists_segments else t["item"]
                    for t in self.templates.values()
                ]
                items += [{"templateName": name} for name in sorted(self.ghosts)]
                return 200, {"data": {"templates": items}}
            if seen.line == f"POST {TEMPLATES}":
                return self._create_template(seen.json)
            if seen.method == "DELETE" and path.startswith(TEMPLATES + "/"):
                name = unquote(path.removeprefix(TEMPLATES + "/"))
                if self.templates.pop(name, None) is None:
                    return 404, {"message": f"Template {name} not found"}
                return 200, {"message": "deleted"}
            if seen.line == "POST /files":
                return self._create_file(seen.json)
            if seen.method == "GET" and path.startswith("/files/"):
                return self._poll(path.removeprefix("/files/"))
            if seen.line == "POST /production/sound/segment":
                return self._register(seen.json)
        return 404, {"message": f"no route {seen.line}"}

    def _create_template(self, body: dict[str, Any]) -> tuple[int, Any]:
        name = body.get("templateName")
        if not name or set(body) != {"templateName", "description"}:
            return 400, {"message": "Validation error", "errors": [f"bad body {body}"]}
        if name in self.templates:
            return 409, {"message": f"Template {name} already exists"}
        item = {"templateName": name, "description": body["description"]}
        self.templates[name] = {"description": body["description"], "segments": {}, "item": item}
        return 200, {"data": item}

    def _create_file(self, body: dict[str, Any]) -> tuple[int, Any]:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = {"name": body["file_name"], "data": None, "polls": 0}
        url = f"{self.upload_base}/bucket/{file_id}?X-Amz-Signature=abc123"
        return 200, {"fileId": file_id, "uploadUrl": url, "mimeType": "audio/wav"}

    def _poll(self, file_id: str) -> tuple[int, Any]:
        file = self.files.get(file_id)
        if file is None:
            return 404, {"message": "File not found"}
        if file["data"] is None:
            return 200, {"fileId": file_id, "status": "created"}
        file["polls"] += 1
        done = not self.never_uploaded and file["polls"] > self.polls_to_upload
        return 200, {"fileId": file_id, "status": "uploaded" if done else "processing"}

    def _register(self, body: dict[str, Any]) -> tuple[int, Any]:
        template = self.templates.get(body.get("templateName", ""))
        file = self.files.get(body.get("mediaId", ""))
        if template is None:
            return 404, {"message": "Template not found"}
        if body.get("segmentName") in self.rejected_segments:
            return 400, {
                "message": "Segment rejected",
                "errors": [f"segment '{body['segmentName']}' is not a valid sound segment"],
            }
        if file is None or file["data"] is None:
            return 400, {"message": "mediaId is not an uploaded file"}
        template["segments"][body["segmentName"]] = body["mediaId"]
        return 200, {"data": body}

    def _upload(self, seen: Seen) -> tuple[int, Any]:
        parts = urlsplit(seen.path)
        file_id = parts.path.removeprefix("/bucket/")
        if seen.method != "PUT" or "X-Amz-Signature=abc123" not in parts.query:
            return 403, {"message": "SignatureDoesNotMatch"}
        if seen.headers.get("content-type") != "audio/wav":
            return 400, {"message": "wrong content type"}
        with self._lock:
            self._uploading += 1
            self.most_uploads_at_once = max(self.most_uploads_at_once, self._uploading)
        time.sleep(self.upload_delay)
        with self._lock:
            self._uploading -= 1
            if file_id not in self.files:
                return 404, {"message": "NoSuchKey"}
            self.files[file_id]["data"] = seen.body
        return 200, {}


def _listed(template: dict[str, Any]) -> dict[str, Any]:
    """A template as the listing shows it: its item, with its segments and their files."""
    segments = template["segments"].items()
    return template["item"] | {
        "segments": [{"segmentName": name, "mediaId": file_id} for name, file_id in segments]
    }


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up: expected in the timeout tests


def _answer(
    handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)
