"""OmoCaptchaClient against hostile or broken servers: trickles, floods, bombs, 429, secrets.

The servers here are small scripted socket servers on 127.0.0.1 port 0 (or
pytest-httpserver), so that a test decides byte by byte what the client receives.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import logging
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.api.deadline import Budget, read_limited, retry_after
from omo_selenium.errors import (
    OmoCaptchaError,
    ProtocolError,
    SolveTimeout,
    TransportError,
)
from tests.fakes import WAIT, png

TOKEN = "tok-SECRET-77ab01"
CREATED = json.dumps({"error": False, "job_id": 7, "message": "Create job success."}).encode()
RUNNING = json.dumps({"error": False, "status": "running", "result": None}).encode()
SOLVED = json.dumps({"error": False, "status": "success", "result": "42"}).encode()

Script = Callable[[socket.socket, bytes], None]


def answer(body: bytes, *, status: str = "200 OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
    return f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def read_request(conn: socket.socket) -> bytes:
    """Read one whole request (head and Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class ScriptedServer:
    """Accepts connections on 127.0.0.1:0 and runs ``script(conn, request)`` for each."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.sent = 0
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(WAIT)
            request = read_request(conn)
            self.requests.append(request)
            self.script(conn, request)

    def trickle(self, conn: socket.socket, data: bytes, every: float, limit: float) -> None:
        """Send ``data`` a byte at a time, ``every`` seconds, for at most ``limit`` seconds."""
        ends = time.monotonic() + limit
        for byte in data:
            if self.stop.is_set() or time.monotonic() > ends:
                return
            conn.sendall(bytes([byte]))
            self.sent += 1
            time.sleep(every)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        self.listener.close()
        for thread in self.threads:
            thread.join(WAIT)


@pytest.fixture
def scripted() -> Iterator[Callable[[Script], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def make(script: Script) -> ScriptedServer:
        server = ScriptedServer(script)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def client(url: str, **kwargs: Any) -> OmoCaptchaClient:
    kwargs.setdefault("poll_interval", 0.05)
    return OmoCaptchaClient(TOKEN, url, **kwargs)


def timed(call: Callable[[], Any]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(OmoCaptchaError) as info:
        call()
    return info.value, time.monotonic() - started


def is_create(request: bytes) -> bool:
    return request.startswith(b"POST /api/createJob")


# -- item 3: max_wait is a hard deadline ------------------------------------------------------


def test_a_trickled_body_cannot_keep_a_solve_past_max_wait(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: 1000\r\n\r\n")
        server.trickle(conn, b" " * 1000, every=0.2, limit=8.0)

    server = scripted(script)
    error, elapsed = timed(lambda: client(server.url, max_wait=1.5, timeout=1.0).solve(png(), 340))
    assert isinstance(error, TransportError)  # createJob's own 1 s, within the 1.5 s left
    assert elapsed < 1.5 + 0.7


def test_trickled_headers_cannot_keep_a_solve_past_max_wait(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        if is_create(request):
            conn.sendall(answer(CREATED))
        else:
            server.trickle(conn, answer(RUNNING), every=0.2, limit=8.0)

    server = scripted(script)
    error, elapsed = timed(lambda: client(server.url, max_wait=1.2, timeout=5.0).solve(png(), 340))
    assert isinstance(error, SolveTimeout)
    assert error.job_id == 7
    assert elapsed < 1.2 + 0.7


def test_polls_that_time_out_every_time_stop_at_max_wait(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        if is_create(request):
            conn.sendall(answer(CREATED))
        else:
            server.stop.wait(8.0)  # never answers a poll

    server = scripted(script)
    error, elapsed = timed(lambda: client(server.url, max_wait=1.5, timeout=1.0).solve(png(), 340))
    assert isinstance(error, SolveTimeout | TransportError)
    assert elapsed < 1.5 + 0.7


def test_budget_cuts_timeouts_to_what_is_left() -> None:
    now = [100.0]
    budget = Budget.starting_now(3.0, clock=lambda: now[0])
    assert budget.cut(10.0) == 3.0
    now[0] = 102.5
    assert budget.cut(10.0) == pytest.approx(0.5)
    assert budget.cut(0.2) == pytest.approx(0.2)


# -- item 4: answers are bounded in size --------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_huge_answer_is_refused_without_being_held_in_memory(
    scripted: Callable[[Script], ScriptedServer], declared: bool
) -> None:
    size = 200 * 1024 * 1024
    block = b" " * 65536

    def script(conn: socket.socket, request: bytes) -> None:
        length = f"Content-Length: {size}\r\n" if declared else ""
        conn.sendall(f"HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n".encode())
        for _ in range(size // len(block)):
            if server.stop.is_set():
                return
            conn.sendall(block)
            server.sent += len(block)

    server = scripted(script)
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError, match="limit"):
            client(server.url, timeout=5.0).create_job(png(), 340)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_a_gzip_bomb_is_refused_without_being_inflated(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    bomb = gzip.compress(b" " * (50 * 1024 * 1024), compresslevel=9)  # 50 x the 1 MiB limit
    assert len(bomb) < 100 * 1024

    def script(conn: socket.socket, request: bytes) -> None:
        conn.sendall(answer(bomb, extra="Content-Encoding: gzip\r\n"))

    server = scripted(script)
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError, match="decompresses"):
            client(server.url, timeout=5.0).create_job(png(), 340)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_a_small_gzip_answer_is_read(scripted: Callable[[Script], ScriptedServer]) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        conn.sendall(answer(gzip.compress(CREATED), extra="Content-Encoding: gzip\r\n"))

    server = scripted(script)
    assert client(server.url, timeout=5.0).create_job(png(), 340) == 7


def test_a_mock_transport_body_is_bounded_too() -> None:
    import requests

    response = requests.Response()
    response._content = b"x" * 2000
    with pytest.raises(ProtocolError):
        read_limited(response, limit=1000)


# -- item 8: 429, huge ids, credentials, causes -------------------------------------------------


def test_http_429_is_waited_out_within_the_deadline(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        if is_create(request) and sum(map(is_create, server.requests)) == 1:
            conn.sendall(
                answer(b'{"error": true}', status="429 Too Many", extra="Retry-After: 1\r\n")
            )
        elif is_create(request):
            conn.sendall(answer(CREATED))
        else:
            conn.sendall(answer(SOLVED))

    server = scripted(script)
    started = time.monotonic()
    assert client(server.url, timeout=2.0, max_wait=5.0).solve(png(), 340) == 42.0
    assert time.monotonic() - started >= 1.0
    assert sum(map(is_create, server.requests)) == 2


def test_http_429_asking_for_more_than_the_time_left_fails_at_once(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    def script(conn: socket.socket, request: bytes) -> None:
        conn.sendall(answer(b"{}", status="429 Too Many", extra="Retry-After: 3600\r\n"))

    server = scripted(script)
    error, elapsed = timed(lambda: client(server.url, timeout=2.0, max_wait=3.0).solve(png(), 340))
    assert isinstance(error, SolveTimeout) and "429" in str(error)
    assert elapsed < 2.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


@pytest.mark.parametrize(
    "job_id", ["1" + "0" * 5000, 10**30, -1], ids=["5000-digits", "2^100", "neg"]
)
def test_a_job_id_that_is_no_id_raises_protocol_error(httpserver: HTTPServer, job_id: Any) -> None:
    httpserver.expect_request("/api/createJob").respond_with_data(
        f'{{"error": false, "job_id": {json.dumps(job_id)}}}', content_type="application/json"
    )
    with pytest.raises(ProtocolError):
        client(httpserver.url_for("").rstrip("/"), timeout=5.0).create_job(png(), 340)


def test_credentials_in_the_base_url_are_sent_as_basic_auth_and_shown_nowhere(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("Authorization", ""))
        return Response(CREATED, content_type="application/json")

    httpserver.expect_request("/api/createJob").respond_with_handler(handler)
    url = f"http://alice:pa55-w0rd@127.0.0.1:{httpserver.port}"
    omo = client(url, timeout=5.0)
    assert omo.create_job(png(), 340) == 7
    assert seen == ["Basic " + base64.b64encode(b"alice:pa55-w0rd").decode()]
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    broken = client(f"http://alice:pa55-w0rd@127.0.0.1:{port}", timeout=2.0, retries=0)
    with pytest.raises(TransportError) as info:
        broken.create_job(png(), 340)
    texts = [repr(omo), omo.base_url, repr(broken), str(info.value), caplog.text]
    assert not [text for text in texts if "pa55-w0rd" in text]


def test_the_key_is_not_reachable_from_a_transport_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as info:
        client(f"http://127.0.0.1:{port}", timeout=2.0, retries=0).create_job(png(), 340)
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [info.value]
    while pending:
        exc = pending.pop()
        if exc is None or any(exc is s for s in seen):
            continue
        seen.append(exc)
        pending += [exc.__cause__, exc.__context__]
        request = getattr(exc, "request", None)
        body = getattr(request, "body", None) or b""
        assert TOKEN.encode() not in (body if isinstance(body, bytes) else body.encode())
        assert TOKEN not in repr(vars(exc))
    assert len(seen) >= 2  # the scrubbed cause is still there, for the message


def test_the_task_api_keeps_the_same_hard_deadline(
    scripted: Callable[[Script], ScriptedServer],
) -> None:
    processing = b'{"errorId": 0, "status": "processing", "errorCode": "", "errorDescription": ""}'

    def script(conn: socket.socket, request: bytes) -> None:
        if request.startswith(b"POST /v2/createTask"):
            conn.sendall(answer(b'{"errorId": 0, "taskId": "t-1"}'))
        else:
            server.trickle(conn, answer(processing), every=0.2, limit=8.0)

    server = scripted(script)
    omo = client(server.url, max_wait=1.2, timeout=5.0, api="task")
    error, elapsed = timed(lambda: omo.solve(png(), 340))
    assert isinstance(error, SolveTimeout)
    assert elapsed < 1.2 + 0.7
