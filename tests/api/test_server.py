"""OmoServer: the omocaptcha contract, bad input, concurrency, bounds and lifecycle."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import math
import os
import selectors
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from omo_selenium.api.jobs import JobStore, format_distance
from omo_selenium.api.server import OmoServer, run_server
from omo_selenium.errors import ConfigurationError, SolveFailed
from tests.fakes import WAIT, BlockingSolver, ContentSolver, RaisingSolver, png

TOKEN = "server-test-token"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def create_body(image: bytes | None = None, width_view: Any = 340, **data: Any) -> dict[str, Any]:
    fields = {"type_job_id": "21", "image_base64": b64(image or png()), "width_view": width_view}
    fields.update(data)
    return {"api_token": TOKEN, "data": fields}


class ConstantSolver:
    def __init__(self, value: Any) -> None:
        self.value = value

    def solve(self, image: Any, width_view: float) -> Any:
        return self.value


@pytest.fixture
def make_server() -> Iterator[Callable[..., OmoServer]]:
    """Start OmoServers on 127.0.0.1 port 0; release blocked solvers and stop them after."""
    servers: list[OmoServer] = []

    def make(solver: Any = None, **kwargs: Any) -> OmoServer:
        kwargs.setdefault("tokens", [TOKEN])
        server = OmoServer(solver if solver is not None else ContentSolver(), **kwargs)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        release = getattr(server.solver, "release", None)
        if release is not None:
            release.set()
        server.stop()


@pytest.fixture
def server(make_server: Callable[..., OmoServer]) -> OmoServer:
    return make_server()


def post(server: OmoServer, path: str, body: Any) -> requests.Response:
    return requests.post(server.url + path, json=body, timeout=WAIT)


def raw_request(server: OmoServer, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; return the status, headers and body of the answer."""
    with socket.create_connection((server.host, server.port), timeout=WAIT) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


def assert_error(status: int, body: bytes, expected_status: int) -> str:
    """Assert an ``{"error": true, "message": ...}`` answer; return the message."""
    assert status == expected_status
    answer = json.loads(body)
    assert answer["error"] is True
    assert isinstance(answer["message"], str) and answer["message"]
    return str(answer["message"])


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it is truthy, at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def result_of(server: OmoServer, job_id: int) -> dict[str, Any]:
    response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": job_id})
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_result(server: OmoServer, job_id: int) -> dict[str, Any]:
    return dict(
        wait_for(
            lambda: (r := result_of(server, job_id))["status"] != "running" and r,
            f"job {job_id} to finish",
        )
    )


# -- the contract ---------------------------------------------------------------------------


def test_create_job_answers_the_documented_success_shape(server: OmoServer) -> None:
    response = post(server, "/api/createJob", create_body())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    answer = response.json()
    assert set(answer) == {"error", "job_id", "message"}
    assert answer["error"] is False
    assert answer["message"] == "Create job success."
    assert isinstance(answer["job_id"], int) and answer["job_id"] > 0


def test_solved_job_answers_success_with_the_distance_as_a_string(server: OmoServer) -> None:
    job_id = post(server, "/api/createJob", create_body(png(red=123))).json()["job_id"]
    assert wait_result(server, job_id) == {"error": False, "status": "success", "result": "123"}


def test_running_job_answers_running_with_a_null_result(
    make_server: Callable[..., OmoServer],
) -> None:
    solver = BlockingSolver()
    server = make_server(solver)
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]
    assert result_of(server, job_id) == {"error": False, "status": "running", "result": None}
    solver.release.set()
    assert wait_result(server, job_id)["result"] == "7.5"


def test_solver_giving_up_makes_the_job_fail(make_server: Callable[..., OmoServer]) -> None:
    server = make_server(RaisingSolver(SolveFailed("no gap")))
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]
    assert wait_result(server, job_id) == {"error": False, "status": "fail", "result": None}


@pytest.mark.parametrize(
    "solver",
    [
        RaisingSolver(ZeroDivisionError("bug in the solver")),
        ConstantSolver(math.nan),
        ConstantSolver(-3.0),
        ConstantSolver(341.0),
        ConstantSolver("12"),
    ],
    ids=["raises", "nan", "negative", "beyond-width", "not-a-number"],
)
def test_broken_solver_fails_the_job_with_a_warning(
    make_server: Callable[..., OmoServer], solver: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="omo_selenium")
    server = make_server(solver)
    job_id = post(server, "/api/createJob", create_body(width_view=340)).json()["job_id"]
    assert wait_result(server, job_id)["status"] == "fail"
    assert any(
        r.levelno == logging.WARNING and str(job_id) in r.getMessage() for r in caplog.records
    )
    # the worker survived: the next job is still served
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]
    assert wait_result(server, job_id)["status"] == "fail"


def test_any_non_empty_token_is_accepted_when_no_tokens_are_configured(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(tokens=None)
    body = create_body()
    body["api_token"] = "whatever"
    assert post(server, "/api/createJob", body).json()["error"] is False
    body["api_token"] = ""
    response = post(server, "/api/createJob", body)
    assert_error(response.status_code, response.content, 401)


def test_data_url_prefix_and_line_breaks_in_base64_are_accepted(server: OmoServer) -> None:
    encoded = b64(png(red=9))
    wrapped = "\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    body = create_body(image_base64="data:image/png;base64," + wrapped)
    job_id = post(server, "/api/createJob", body).json()["job_id"]
    assert wait_result(server, job_id)["result"] == "9"


def test_job_id_given_as_a_digit_string_is_accepted(server: OmoServer) -> None:
    job_id = post(server, "/api/createJob", create_body(png(red=5))).json()["job_id"]
    wait_result(server, job_id)
    response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": str(job_id)})
    assert response.json()["result"] == "5"


def test_distances_are_rendered_with_one_decimal_and_no_trailing_zero() -> None:
    assert [format_distance(d) for d in (50.0, 123.44, 0.0, 7.04, 0.25)] == [
        "50",
        "123.4",
        "0",
        "7",
        "0.2",
    ]


# -- bad input: always error=true JSON with the right status --------------------------------


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    body = dict(body)
    body["data"] = {k: v for k, v in body["data"].items() if k != key}
    return body


BAD_CREATE_BODIES: dict[str, tuple[Any, int]] = {
    "not-an-object-list": ([1, 2], 400),
    "not-an-object-string": ("hello", 400),
    "no-token": ({"data": create_body()["data"]}, 401),
    "wrong-token": ({**create_body(), "api_token": "nope"}, 401),
    "token-not-a-string": ({**create_body(), "api_token": 12}, 401),
    "no-data": ({"api_token": TOKEN}, 400),
    "data-not-an-object": ({"api_token": TOKEN, "data": "x"}, 400),
    "no-type-job-id": (_without(create_body(), "type_job_id"), 400),
    "wrong-type-job-id": (create_body(type_job_id="22"), 400),
    "type-job-id-true": (create_body(type_job_id=True), 400),
    "no-width": (_without(create_body(), "width_view"), 400),
    "width-as-text": (create_body(width_view="340"), 400),
    "width-zero": (create_body(width_view=0), 400),
    "width-negative": (create_body(width_view=-5), 400),
    "width-true": (create_body(width_view=True), 400),
    "width-huge": (create_body(width_view=1e9), 400),
    "no-image": (_without(create_body(), "image_base64"), 400),
    "image-not-a-string": (create_body(image_base64=123), 400),
    "image-not-base64": (create_body(image_base64="***not base64***"), 400),
    "image-not-ascii": (create_body(image_base64="ÿÿÿÿ"), 400),
    "image-empty": (create_body(image_base64=""), 400),
    "image-not-an-image": (create_body(image_base64=b64(b"hello, not a picture")), 400),
    "image-truncated": (create_body(image_base64=b64(png()[:20])), 400),
}


@pytest.mark.parametrize("body,status", BAD_CREATE_BODIES.values(), ids=BAD_CREATE_BODIES.keys())
def test_bad_create_job_is_refused_with_a_json_error(
    server: OmoServer, body: Any, status: int
) -> None:
    response = post(server, "/api/createJob", body)
    assert_error(response.status_code, response.content, status)
    assert server.job_count == 0


BAD_RESULT_BODIES: dict[str, tuple[Any, int]] = {
    "no-token": ({"job_id": 1}, 401),
    "wrong-token": ({"api_token": "nope", "job_id": 1}, 401),
    "no-job-id": ({"api_token": TOKEN}, 400),
    "job-id-text": ({"api_token": TOKEN, "job_id": "abc"}, 400),
    "job-id-true": ({"api_token": TOKEN, "job_id": True}, 400),
    "job-id-float": ({"api_token": TOKEN, "job_id": 1.5}, 400),
    "unknown-job": ({"api_token": TOKEN, "job_id": 123456}, 404),
}


@pytest.mark.parametrize("body,status", BAD_RESULT_BODIES.values(), ids=BAD_RESULT_BODIES.keys())
def test_bad_get_job_result_is_refused_with_a_json_error(
    server: OmoServer, body: Any, status: int
) -> None:
    response = post(server, "/api/getJobResult", body)
    assert_error(response.status_code, response.content, status)


def test_wrong_token_is_checked_before_the_fields(server: OmoServer) -> None:
    response = post(server, "/api/createJob", {"api_token": "nope"})
    message = assert_error(response.status_code, response.content, 401)
    assert "nope" not in message


def test_image_over_the_pixel_limit_is_refused_with_413(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_image_pixels=100)
    response = post(server, "/api/createJob", create_body(png(size=(11, 10))))
    assert "too large" in assert_error(response.status_code, response.content, 413)


def test_body_over_the_byte_limit_is_refused_with_413(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_body_bytes=1000)
    head = b"POST /api/createJob HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
    assert_error(*raw_request(server, head)[::2], 413)


@pytest.mark.parametrize(
    "raw,status",
    [
        (b"POST /api/createJob HTTP/1.1\r\nHost: x\r\n\r\n", 411),
        (
            b"POST /api/createJob HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            411,
        ),
        (b"POST /api/createJob HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400),
        (b"POST /api/createJob HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST /api/createJob HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{nope", 400),
        (b"POST /api/createJob HTTP/1.1\r\nContent-Length: 4\r\n\r\n\xff\xfe\x00\x01", 400),
        (b'POST /api/createJob HTTP/1.1\r\nContent-Length: 18\r\n\r\n{"width_view": NaN}', 400),
        (b"POST /api/createJob HTTP/1.1\r\nContent-Length: 3\r\n\r\n[1]", 400),
        (b"GET /api/createJob HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"PUT /api/getJobResult HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405),
        (b"BREW /api/createJob HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"POST /nope HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 404),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"POST /api/createJob/extra HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 404),
        (b"this is not http\r\n\r\n", 400),
    ],
    ids=[
        "no-content-length",
        "chunked",
        "content-length-text",
        "content-length-negative",
        "invalid-json",
        "not-utf8",
        "nan-constant",
        "json-array",
        "get",
        "put",
        "unknown-method",
        "unknown-path",
        "root",
        "sub-path",
        "garbage-request-line",
    ],
)
def test_malformed_http_gets_a_json_error(server: OmoServer, raw: bytes, status: int) -> None:
    code, headers, body = raw_request(server, raw)
    assert_error(code, body, status)
    assert headers["Content-Type"] == "application/json"
    if status == 405:
        assert headers["Allow"] == "POST"


def test_deeply_nested_json_is_refused_not_crashed(server: OmoServer) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    head = f"POST /api/createJob HTTP/1.1\r\nContent-Length: {len(nested)}\r\n\r\n".encode()
    code, _, body = raw_request(server, head + nested)
    assert_error(code, body, 400)


def test_head_request_gets_405_without_a_body(server: OmoServer) -> None:
    response = requests.head(server.url + "/api/createJob", timeout=WAIT)
    assert response.status_code == 405
    assert response.content == b""


def test_slow_client_is_answered_408_instead_of_holding_a_thread(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(request_timeout=0.3)
    head = b'POST /api/createJob HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"api'
    code, _, body = raw_request(server, head)  # then says nothing more
    assert_error(code, body, 408)
    wait_for(lambda: not server._httpd.connection_threads(), "the connection thread to end")


def test_request_lines_are_logged_at_debug_not_printed(
    server: OmoServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="omo_selenium")
    post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": 1})
    assert "POST /api/getJobResult" in caplog.text
    assert capfd.readouterr().err == ""
    assert TOKEN not in caplog.text


# -- concurrency and bounds -----------------------------------------------------------------


def test_concurrent_clients_each_get_their_own_answers(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(workers=4)
    jobs_per_client = 5

    def client(index: int) -> list[tuple[int, int, str]]:
        seen = []
        for n in range(jobs_per_client):
            red = index * jobs_per_client + n + 1
            job_id = post(server, "/api/createJob", create_body(png(red=red))).json()["job_id"]
            seen.append((job_id, red, wait_result(server, job_id)["result"]))
        return seen

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [row for rows in pool.map(client, range(16)) for row in rows]
    assert len(results) == 16 * jobs_per_client
    assert len({job_id for job_id, _, _ in results}) == len(results)
    assert all(result == str(red) for _, red, result in results)


def test_full_queue_answers_503_and_keeps_no_backlog(make_server: Callable[..., OmoServer]) -> None:
    solver = BlockingSolver()
    server = make_server(solver, workers=1, max_queue=2)
    first = post(server, "/api/createJob", create_body()).json()["job_id"]
    assert solver.entered.acquire(timeout=WAIT)  # the only worker is busy with it
    queued = [post(server, "/api/createJob", create_body()).json()["job_id"] for _ in range(2)]
    response = post(server, "/api/createJob", create_body())
    assert "queue is full" in assert_error(response.status_code, response.content, 503)
    assert server.job_count == 3
    solver.release.set()
    for job_id in [first, *queued]:
        assert wait_result(server, job_id)["status"] == "success"
    assert post(server, "/api/createJob", create_body()).status_code == 200


def test_expired_job_is_answered_as_not_found(make_server: Callable[..., OmoServer]) -> None:
    server = make_server(job_ttl=0.2)
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]

    def gone() -> bool:
        response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": job_id})
        return response.status_code == 404 and response.json()["error"] is True

    wait_for(gone, "the job to expire")


def test_job_store_expires_jobs_ttl_seconds_after_creation() -> None:
    now = [100.0]
    store = JobStore(max_jobs=10, ttl=5.0, clock=lambda: now[0])
    job = store.add(b"img", 340.0)
    now[0] = 104.9
    assert store.get(job.job_id) == ("running", None)
    store.finish(job, "success", "12")
    assert store.get(job.job_id) == ("success", "12")
    now[0] = 105.0
    assert store.get(job.job_id) is None
    assert len(store) == 0


def test_job_store_evicts_the_oldest_beyond_max_jobs() -> None:
    store = JobStore(max_jobs=3, ttl=60.0)
    jobs = [store.add(b"img", 340.0) for _ in range(4)]
    assert store.get(jobs[0].job_id) is None
    assert all(store.get(job.job_id) == ("running", None) for job in jobs[1:])
    assert len(store) == 3


def test_server_evicts_the_oldest_job_beyond_max_jobs(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_jobs=3)
    ids = [post(server, "/api/createJob", create_body()).json()["job_id"] for _ in range(4)]
    response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": ids[0]})
    assert_error(response.status_code, response.content, 404)
    assert all(wait_result(server, job_id)["status"] == "success" for job_id in ids[1:])


def test_finished_job_drops_its_image() -> None:
    store = JobStore(max_jobs=3, ttl=60.0)
    job = store.add(b"x" * 1000, 340.0)
    store.finish(job, "fail")
    assert job.image == b""


def test_connections_beyond_the_limit_are_answered_503(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_connections=1)
    server._httpd.evict_after = 60.0  # the idle connection is too young to be closed for us
    with socket.create_connection((server.host, server.port), timeout=WAIT):  # idle, holds it
        wait_for(lambda: server._httpd.connection_threads(), "the idle connection to be served")
        response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": 1})
        assert "too many connections" in assert_error(response.status_code, response.content, 503)


# -- lifecycle ------------------------------------------------------------------------------


def test_port_zero_reads_back_the_real_port() -> None:
    server = OmoServer(ContentSolver())
    try:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert not server.is_running
    finally:
        server.stop()


def test_server_refuses_a_second_start(server: OmoServer) -> None:
    with pytest.raises(RuntimeError, match="already started"):
        server.start()


def test_stopped_server_cannot_be_restarted() -> None:
    server = OmoServer(ContentSolver())
    server.stop()
    with pytest.raises(RuntimeError):
        server.start()


def test_stop_is_idempotent_and_leaves_no_thread_running() -> None:
    server = OmoServer(ContentSolver(), tokens=[TOKEN], workers=3).start()
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]
    wait_result(server, job_id)
    wait_for(lambda: not server._httpd.connection_threads(), "the earlier connections to end")
    idle = socket.create_connection((server.host, server.port), timeout=WAIT)
    wait_for(lambda: server._httpd.connection_threads(), "the idle connection to be served")
    prefix = f"omo-server-{server.port}"
    assert any(t.name.startswith(prefix) for t in threading.enumerate())
    server.stop()
    server.stop()
    assert server.threads() == []
    assert not [t for t in threading.enumerate() if t.name.startswith(prefix)]
    assert idle.recv(1) == b""  # the server closed the idle connection
    idle.close()
    with pytest.raises(requests.ConnectionError):
        requests.post(server.url + "/api/createJob", json={}, timeout=WAIT)


def test_stop_fails_jobs_still_queued_and_leaves_a_stuck_solver_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    solver = BlockingSolver()
    server = OmoServer(solver, tokens=[TOKEN], workers=1, max_queue=4).start()
    try:
        running = post(server, "/api/createJob", create_body()).json()["job_id"]
        assert solver.entered.acquire(timeout=WAIT)
        queued = post(server, "/api/createJob", create_body()).json()["job_id"]
        server.stop(timeout=0.1)  # the solver is still blocked
        assert server._store.get(queued) == ("fail", None)
        assert server._store.get(running) == ("running", None)
        assert "did not stop" in caplog.text
    finally:
        solver.release.set()
    wait_for(lambda: not server.threads(), "the stuck worker to finish and exit")
    assert server._store.get(running) == ("success", "7.5")


def test_context_manager_starts_and_stops() -> None:
    with OmoServer(ContentSolver(), tokens=[TOKEN]) as server:
        assert server.is_running
        assert post(server, "/api/createJob", create_body()).status_code == 200
    assert not server.is_running
    assert server.threads() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"workers": 0},
        {"max_queue": 0},
        {"max_jobs": -1},
        {"max_body_bytes": 1.5},
        {"job_ttl": 0},
        {"job_ttl": math.inf},
        {"request_timeout": "10"},
        {"port": 70000},
        {"port": True},
        {"tokens": "one-token"},
        {"tokens": []},
        {"tokens": ["has space"]},
        {"tokens": [""]},
    ],
)
def test_bad_settings_fail_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        OmoServer(ContentSolver(), **kwargs)


def test_repr_never_shows_tokens() -> None:
    server = OmoServer(ContentSolver(), tokens=[TOKEN])
    try:
        assert TOKEN not in repr(server)
        assert server.url in repr(server)
    finally:
        server.stop()


def test_default_solver_is_the_local_engine() -> None:
    engine = pytest.importorskip("omo_selenium.engine")
    server = OmoServer()
    try:
        assert isinstance(server.solver, engine.LocalEngine)
    finally:
        server.stop()


# -- run_server -----------------------------------------------------------------------------


def test_run_server_serves_until_its_stop_event_off_the_main_thread() -> None:
    stop = threading.Event()
    urls: list[str] = []
    runner = threading.Thread(
        target=run_server,
        kwargs={
            "host": "127.0.0.1",
            "port": 0,
            "tokens": [TOKEN],
            "workers": 1,
            "max_queue": 4,
            "ready": urls.append,
            "solver": ContentSolver(),
            "stop_event": stop,
        },
    )
    runner.start()
    try:
        wait_for(lambda: urls, "the server to be ready")
        answer = requests.post(urls[0] + "/api/createJob", json=create_body(), timeout=WAIT)
        assert answer.json()["error"] is False
    finally:
        stop.set()
        runner.join(WAIT)
    assert not runner.is_alive()


_RUN_SERVER_SCRIPT = textwrap.dedent(
    """
    import sys
    from omo_selenium.server import run_server

    class Solver:
        def solve(self, image, width_view):
            return 1.0

    run_server(host="127.0.0.1", port=0, tokens=["t"], workers=1, max_queue=4,
               ready=lambda url: print(url, flush=True), solver=Solver())
    print("returned", flush=True)
    """
)


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail("the subprocess printed nothing in time")
    return proc.stdout.readline().strip()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_server_stops_cleanly_on_a_signal(signum: int) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN_SERVER_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        url = _read_line(proc, 30)
        assert url.startswith("http://127.0.0.1:")
        answer = requests.post(
            url + "/api/getJobResult", json={"api_token": "t", "job_id": 1}, timeout=WAIT
        )
        assert answer.status_code == 404
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "returned" in stdout
