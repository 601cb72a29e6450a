"""OmoCaptchaClient on the job API: against the real OmoServer, then the job API's own
answer shapes (the transport faults both APIs share are in test_transport.py)."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from omo_selenium._types import JobResult
from omo_selenium.api.client import FIRST_POLL_DELAY, OmoCaptchaClient, poll_job
from omo_selenium.api.server import OmoServer
from omo_selenium.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    SolveFailed,
    SolveTimeout,
)
from tests.api.shared import TOKEN, answer, assert_no_secret, client_for
from tests.fakes import BlockingSolver, RaisingSolver, png

# -- against the real OmoServer -------------------------------------------------------------


def test_solve_returns_the_servers_distance(start_server: Callable[..., OmoServer]) -> None:
    server = start_server()
    with client_for(server.url) as client:
        answer = client.solve_slider(png(red=42), 340)
        assert answer.distance == 42.0
        assert isinstance(answer.job_id, int)
        assert answer.elapsed >= 0
        assert client.solve(png(red=17), 340) == 17.0


def test_pillow_image_is_accepted(start_server: Callable[..., OmoServer]) -> None:
    server = start_server()
    with client_for(server.url) as client:
        assert client.solve(Image.open(io.BytesIO(png(red=3))), 340) == 3.0


def test_running_job_is_polled_until_success(
    start_server: Callable[..., OmoServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    solver = BlockingSolver()
    server = start_server(solver)
    client = client_for(server.url)
    statuses: list[str] = []
    ask = client.get_job_result

    def spy(job_id: int) -> JobResult:
        result = ask(job_id)
        statuses.append(result.status)
        return result

    monkeypatch.setattr(client, "get_job_result", spy)
    client._sleep = lambda seconds: solver.release.set()  # the solver finishes "meanwhile"
    answer = client.solve_slider(png(), 340)
    assert statuses[0] == "running"
    assert statuses[-1] == "success"
    assert answer.distance == 7.5


def test_failed_job_raises_solve_failed_with_its_job_id(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server(RaisingSolver(SolveFailed("no gap")))
    with pytest.raises(SolveFailed) as info:
        client_for(server.url).solve(png(), 340)
    assert info.value.job_id is not None
    assert f"job {info.value.job_id}: fail" in logs.text
    assert_no_secret(info.value, logs)


def test_wrong_token_raises_authentication_error(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server()
    wrong = TOKEN + "-wrong"
    with pytest.raises(AuthenticationError) as info:
        OmoCaptchaClient(wrong, server.url).solve(png(), 340)
    assert wrong not in str(info.value) and wrong not in logs.text
    assert_no_secret(info.value, logs)


def test_unknown_job_raises_api_error(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server()
    with pytest.raises(ApiError) as info:
        client_for(server.url).get_job_result(123456)
    assert not isinstance(info.value, AuthenticationError)
    assert "not found" in str(info.value)
    assert_no_secret(info.value, logs)


def test_job_unfinished_by_max_wait_raises_solve_timeout(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server(BlockingSolver())
    with pytest.raises(SolveTimeout) as info:
        client_for(server.url, max_wait=0.3, poll_interval=0.05).solve(png(), 340)
    assert isinstance(info.value, TimeoutError)
    assert info.value.last_status == "running"
    assert info.value.job_id is not None
    assert "timeout" in logs.text
    assert_no_secret(info.value, logs)


def test_one_info_line_per_job(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server()
    answer = client_for(server.url).solve_slider(png(red=1), 340)
    lines = [
        r.getMessage()
        for r in logs.records
        if r.name == "omo_selenium.client" and r.levelno == logging.INFO
    ]
    assert lines == [f"job {answer.job_id}: success in {answer.elapsed:.2f}s"]


# -- the poll loop --------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def statuses(*names: str) -> Callable[[], JobResult]:
    answers = iter(names)
    return lambda: JobResult(job_id=9, status=next(answers))


def test_poll_returns_a_finished_job_without_sleeping() -> None:
    fake = FakeTime()
    result = poll_job(
        statuses("fail"), deadline=10, poll_interval=2, sleep=fake.sleep, clock=fake.clock
    )
    assert result.status == "fail"
    assert fake.sleeps == []


def test_poll_delay_doubles_up_to_the_poll_interval() -> None:
    fake = FakeTime()
    fetch = statuses(*["running"] * 6, "success")
    poll_job(fetch, deadline=100, poll_interval=2, sleep=fake.sleep, clock=fake.clock)
    first = FIRST_POLL_DELAY
    assert fake.sleeps == [first, first * 2, first * 4, 2, 2, 2]


def test_poll_never_sleeps_past_the_deadline_and_polls_once_at_it() -> None:
    fake = FakeTime()
    fetches: list[float] = []

    def fetch() -> JobResult:
        fetches.append(fake.now)
        return JobResult(job_id=9, status="running")

    with pytest.raises(SolveTimeout) as info:
        poll_job(fetch, deadline=1.0, poll_interval=2, sleep=fake.sleep, clock=fake.clock)
    assert sum(fake.sleeps) == pytest.approx(1.0)
    assert fetches[-1] == pytest.approx(1.0)
    assert info.value.last_status == "running"
    assert info.value.job_id == 9


def test_poll_checks_the_deadline_before_sleeping() -> None:
    fake = FakeTime()
    fake.now = 5.0
    with pytest.raises(SolveTimeout):
        poll_job(
            statuses("running"), deadline=1, poll_interval=2, sleep=fake.sleep, clock=fake.clock
        )
    assert fake.sleeps == []


# -- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": float("nan")},
        {"poll_interval": float("inf")},
        {"poll_interval": "2"},
        {"max_wait": True},
        {"retries": -1},
        {"retries": 11},
        {"retries": 1.5},
    ],
)
def test_bad_timeouts_fail_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        OmoCaptchaClient(TOKEN, "http://127.0.0.1:1", **kwargs)


@pytest.mark.parametrize("width_view", [0, -3, float("nan"), float("inf"), "340", True])
def test_bad_width_view_fails_before_any_request(width_view: Any) -> None:
    client = OmoCaptchaClient(TOKEN, "http://127.0.0.1:1")  # nothing listens there
    with pytest.raises(ConfigurationError):
        client.solve(png(), width_view)


def test_unreadable_image_fails_before_any_request() -> None:
    client = OmoCaptchaClient(TOKEN, "http://127.0.0.1:1")
    with pytest.raises(ConfigurationError):
        client.create_job(b"not an image", 340)


def test_repr_masks_the_key() -> None:
    client = OmoCaptchaClient(TOKEN, "http://127.0.0.1:1")
    assert TOKEN not in repr(client)
    assert "api_key=***" in repr(client)
    assert "http://127.0.0.1:1" in repr(client)


def test_a_given_session_is_used_as_is_and_not_closed() -> None:
    class Session(requests.Session):
        closed = False

        def close(self) -> None:
            self.closed = True
            super().close()

    session = Session()
    with OmoCaptchaClient(TOKEN, "http://127.0.0.1:1", session=session):
        pass
    assert not session.closed


# -- what goes over the wire ----------------------------------------------------------------


def test_request_carries_the_token_only_in_the_json_body(httpserver: HTTPServer) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(json.dumps({"error": False, "job_id": 5}), content_type="application/json")

    httpserver.expect_request("/api/createJob", method="POST").respond_with_handler(handler)
    assert client_for(httpserver.url_for("")).create_job(png(red=8), 340) == 5
    (request,) = seen
    body = request.get_json()
    assert body["api_token"] == TOKEN
    assert body["data"]["type_job_id"] == "21"
    assert body["data"]["width_view"] == 340 and isinstance(body["data"]["width_view"], int)
    assert base64.b64decode(body["data"]["image_base64"]) == png(red=8)
    assert TOKEN not in request.url and TOKEN not in str(request.headers)


# -- failure shapes (pytest-httpserver) -----------------------------------------------------


UNKNOWN_CREATE_ANSWERS = {
    "empty-object": {},
    "array": [1, 2],
    "string": "just text",
    "no-job-id": {"error": False, "message": "Create job success."},
    "job-id-text": {"error": False, "job_id": "abc"},
    "job-id-true": {"error": False, "job_id": True},
    "job-id-negative": {"error": False, "job_id": -4},
    "job-id-float": {"error": False, "job_id": 1.5},
    "no-error-key": {"job_id": 5},
    "error-as-text": {"error": "false", "job_id": 5},
    "error-null": {"error": None, "job_id": 5},
    "legacy-errorid-0": {"errorId": 0, "taskId": 123456},
    "legacy-errorid-0-alone": {"errorId": 0},
}


@pytest.mark.parametrize("body", UNKNOWN_CREATE_ANSWERS.values(), ids=UNKNOWN_CREATE_ANSWERS.keys())
def test_unknown_shape_is_never_taken_as_success(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any
) -> None:
    answer(httpserver, "createJob", body if not isinstance(body, str) else json.dumps(body))
    with pytest.raises(ProtocolError) as info:
        client_for(httpserver.url_for("")).create_job(png(), 340)
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize(
    "body,error",
    [
        ({"error": True, "message": "Not enough balance"}, ApiError),
        ({"error": True, "message": "Invalid api token"}, AuthenticationError),
        ({"error": True}, ApiError),
        ({"errorId": 1, "errorCode": "ERROR_ZERO_BALANCE"}, ApiError),
        ({"errorId": 1, "errorCode": "ERROR_KEY_DOES_NOT_EXIST"}, AuthenticationError),
        ({"errorId": 2, "errorDescription": "Account has no funds"}, ApiError),
    ],
)
def test_error_answers_raise_api_errors(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any, error: type[Exception]
) -> None:
    answer(httpserver, "createJob", body)
    with pytest.raises(error) as info:
        client_for(httpserver.url_for("")).create_job(png(), 340)
    if error is ApiError:
        assert not isinstance(info.value, (AuthenticationError, ProtocolError))
    assert_no_secret(info.value, logs)


def test_a_token_echoed_by_the_server_is_scrubbed(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture
) -> None:
    answer(httpserver, "createJob", {"error": True, "message": f"bad token {TOKEN}"})
    with pytest.raises(AuthenticationError) as info:
        client_for(httpserver.url_for("")).create_job(png(), 340)
    assert "bad token ***" in str(info.value)
    assert_no_secret(info.value, logs)


def test_a_token_echoed_in_legacy_or_unknown_answers_is_scrubbed(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture
) -> None:
    answer(httpserver, "createJob", {"errorId": 3, "errorDescription": f"key {TOKEN} unknown"})
    answer(httpserver, "getJobResult", {"error": False, TOKEN: 1})
    client = client_for(httpserver.url_for(""))
    with pytest.raises(AuthenticationError) as create_info:
        client.create_job(png(), 340)
    with pytest.raises(ProtocolError) as result_info:
        client.get_job_result(1)
    assert_no_secret(create_info.value, logs)
    assert_no_secret(result_info.value, logs)


UNKNOWN_RESULT_ANSWERS = {
    "unknown-status": {"error": False, "status": "done", "result": "5"},
    "no-status": {"error": False, "result": "5"},
    "success-without-result": {"error": False, "status": "success", "result": None},
    "success-result-list": {"error": False, "status": "success", "result": [5]},
    "no-error-key": {"status": "success", "result": "5"},
    "legacy-ready": {"errorId": 0, "status": "ready", "solution": {"x": 5}},
}


@pytest.mark.parametrize("body", UNKNOWN_RESULT_ANSWERS.values(), ids=UNKNOWN_RESULT_ANSWERS.keys())
def test_unknown_result_shape_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any
) -> None:
    answer(httpserver, "getJobResult", body)
    with pytest.raises(ProtocolError) as info:
        client_for(httpserver.url_for("")).get_job_result(1)
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize(
    "result", ["abc", "-5", "1e9", "NaN", "inf", "", " ", "1_0", "0x10", "340.5", "12px", TOKEN]
)
def test_unusable_result_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, result: str
) -> None:
    answer(httpserver, "createJob", {"error": False, "job_id": 77})
    answer(httpserver, "getJobResult", {"error": False, "status": "success", "result": result})
    with pytest.raises(ProtocolError) as info:
        client_for(httpserver.url_for("")).solve(png(), 340)
    assert info.value.job_id == 77
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize(
    "result,distance", [("0", 0.0), ("340", 340.0), ("12.5", 12.5), (50, 50.0)]
)
def test_usable_results_are_read_as_distances(
    httpserver: HTTPServer, result: Any, distance: float
) -> None:
    answer(httpserver, "createJob", {"error": False, "job_id": "77"})
    answer(httpserver, "getJobResult", {"error": False, "status": "success", "result": result})
    answer_ = client_for(httpserver.url_for("")).solve_slider(png(), 340)
    assert answer_.distance == distance
    assert answer_.job_id == 77
