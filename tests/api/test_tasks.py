"""OmoCaptchaClient on the task API (v2): every task type and both balance calls against the
real OmoServer over HTTP, then the task API's own failures (bad key, no balance, failure, never
ready, unknown or unusable answers); the transport faults both APIs share (5xx, 401/403, bodies
that are not JSON, redirects, resets, slow answers) are in test_transport.py."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from omo_selenium import Balance, PieceImage
from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.api.server import OmoServer
from omo_selenium.api.tasks import TaskResult
from omo_selenium.defaults import default_solver
from omo_selenium.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    SolveFailed,
    SolveTimeout,
)
from omo_selenium.testing.synthetic import make_slider_image
from tests.api.shared import (
    TOKEN,
    UUID,
    answer,
    assert_no_secret,
    client_for,
    requests_to,
    task_client,
)
from tests.fakes import (
    BlockingSolver,
    ContentSolver,
    PieceRecordingSolver,
    RaisingSolver,
    RecordingSolver,
    png,
    rgba_png,
)

# -- every task type against the real OmoServer ---------------------------------------------


def test_tiktok_task_answers_the_distance_in_css_px(start_server: Callable[..., OmoServer]) -> None:
    server = start_server()
    with task_client(server.url) as client:
        answer_ = client.solve_slider(png(red=42), 340)
        assert answer_.distance == 42.0
        assert isinstance(answer_.job_id, str) and len(answer_.job_id) == 36
        assert answer_.elapsed >= 0
        assert client.solve(png(red=17), 340) == 17.0


def test_geetest_answer_in_picture_px_is_scaled_to_the_displayed_width(
    start_server: Callable[..., OmoServer],
) -> None:
    solver = RecordingSolver(answer=120.0)  # px of the 400 px wide picture
    server = start_server(solver)
    client = task_client(server.url, task_type="GeetestSliderWebTask")
    assert client.solve(png(size=(400, 200)), 300) == pytest.approx(90.0)
    ((_, width_seen),) = solver.calls
    assert width_seen == 400  # no widthView is sent: the server measures in picture px


def test_both_screenshot_types_agree_with_the_truth_through_the_real_engine() -> None:
    captcha = make_slider_image(3)  # a picture wider than it is displayed
    buf = io.BytesIO()
    captcha.image.save(buf, format="PNG")
    assert captcha.image.width != captcha.width_view
    with OmoServer(tokens=[TOKEN]) as server:  # the default LocalEngine
        for task_type in ("TiktokSliderWebTask", "GeetestSliderWebTask"):
            client = task_client(server.url, task_type=task_type, poll_interval=0.2)
            distance = client.solve(buf.getvalue(), captcha.width_view)
            assert distance == pytest.approx(captcha.true_distance_css, abs=2), task_type


def test_generic_task_sends_both_pictures_and_subtracts_the_pieces_start(
    start_server: Callable[..., OmoServer],
) -> None:
    solver = PieceRecordingSolver(answer=60.0)  # the gap's x from the left edge, CSS px
    server = start_server(solver)
    piece = rgba_png((20, 100), (200, 0, 0, 255))
    # background 400x100 px shown 200 CSS px wide; the piece starts at 10 px = 5 CSS px
    distance = task_client(server.url).solve_piece(
        png(size=(400, 100)), PieceImage(piece, x=10, y=0), 200
    )
    assert distance == pytest.approx(55.0)
    ((background, given, width_view),) = solver.piece_calls
    assert Image.open(io.BytesIO(background)).size == (400, 100)
    assert given.image == piece and given.x == 0.0 and given.y is None
    assert width_view == 200


REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "realworld"


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not beside the repo")
def test_generic_task_finds_real_gaps_with_the_given_piece_through_the_real_engine() -> None:
    labels = [json.loads(line) for line in (REALWORLD / "labels.jsonl").read_text().splitlines()]
    cases = [row for row in labels if row["piece"]][::40]  # a few of each source with sprites
    assert len(cases) >= 4
    with OmoServer(tokens=[TOKEN]) as server:  # the default LocalEngine, which has solve_piece
        client = task_client(server.url, poll_interval=0.2)
        for row in cases:
            x, y = row["piece_xy"]
            distance = client.solve_piece(
                (REALWORLD / row["file"]).read_bytes(),
                PieceImage((REALWORLD / row["piece"]).read_bytes(), x=x, y=y),
                row["width_view"],
            )
            assert distance == pytest.approx(row["answer_css"], abs=2), row["file"]


def test_generic_task_with_a_plain_solver_is_solved_on_a_composite(
    start_server: Callable[..., OmoServer],
) -> None:
    server = start_server(ContentSolver())  # answers the red value of the top-left pixel
    piece = rgba_png((8, 16), (30, 0, 0, 255))
    background = png(red=99, size=(120, 40))
    distance = task_client(server.url).solve_piece(background, PieceImage(piece), 120)
    assert distance == 30.0  # the piece was drawn at the top-left, over the red-99 pixel


def test_job_api_draws_the_piece_at_its_start_and_sends_one_screenshot(
    start_server: Callable[..., OmoServer],
) -> None:
    server = start_server(ContentSolver())
    client = client_for(server.url)  # the job API
    solid = rgba_png((4, 4), (33, 0, 0, 255))
    hollow = rgba_png((4, 4), (77, 0, 0, 0))  # fully transparent: nothing is drawn
    background = png(red=5, size=(120, 40))
    assert client.solve_piece(background, PieceImage(solid, x=0, y=0), 120) == 33.0
    assert client.solve_piece(background, PieceImage(hollow, x=0, y=0), 120) == 5.0
    assert client.solve_piece(background, PieceImage(solid, x=2, y=2), 120) == 5.0


def test_balance_of_both_apis_reads_the_servers_numbers(
    start_server: Callable[..., OmoServer],
) -> None:
    server = start_server(balance=Balance(amount=12.5, solves_left=300, promotional=1.25))
    assert task_client(server.url).balance() == Balance(12.5, 300, 1.25)
    assert client_for(server.url).balance() == Balance(12.5, None, None)


def test_running_task_is_polled_until_ready(
    start_server: Callable[..., OmoServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    solver = BlockingSolver()
    server = start_server(solver)
    client = task_client(server.url)
    statuses: list[str] = []
    ask = client.tasks.get_task_result

    def spy(task_id: str) -> TaskResult:
        result = ask(task_id)
        statuses.append(result.status)
        return result

    monkeypatch.setattr(client.tasks, "get_task_result", spy)
    client._sleep = lambda seconds: solver.release.set()  # the solver finishes "meanwhile"
    assert client.solve(png(), 340) == 7.5
    assert statuses[0] == "processing"
    assert statuses[-1] == "ready"


def test_failed_task_raises_solve_failed_with_its_task_id(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server(RaisingSolver(SolveFailed("no gap")))
    with pytest.raises(SolveFailed) as info:
        task_client(server.url).solve(png(), 340)
    assert isinstance(info.value.job_id, str)
    assert f"(task {info.value.job_id})" in str(info.value)
    assert f"task {info.value.job_id}: fail" in logs.text
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize("call", ["solve", "balance", "job-balance"])
def test_wrong_key_raises_authentication_error(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture, call: str
) -> None:
    server = start_server()
    wrong = TOKEN + "-wrong"
    client = OmoCaptchaClient(wrong, server.url, api="job" if call == "job-balance" else "task")
    with pytest.raises(AuthenticationError) as info:
        client.solve(png(), 340) if call == "solve" else client.balance()
    assert wrong not in str(info.value) and wrong not in logs.text
    assert_no_secret(info.value, logs)


def test_unknown_task_raises_api_error(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server()
    with pytest.raises(ApiError) as info:
        task_client(server.url).tasks.get_task_result(UUID)
    assert not isinstance(info.value, (AuthenticationError, ProtocolError))
    assert "ERROR_NO_SUCH_CAPCHA_ID" in str(info.value)
    assert_no_secret(info.value, logs)


def test_task_unfinished_by_max_wait_raises_solve_timeout(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server(BlockingSolver())
    with pytest.raises(SolveTimeout) as info:
        task_client(server.url, max_wait=0.3).solve(png(), 340)
    assert info.value.last_status == "processing"
    assert isinstance(info.value.job_id, str)
    assert "timeout" in logs.text
    assert_no_secret(info.value, logs)


def test_one_info_line_per_task(
    start_server: Callable[..., OmoServer], logs: pytest.LogCaptureFixture
) -> None:
    server = start_server()
    answer_ = task_client(server.url).solve_slider(png(red=1), 340)
    lines = [
        r.getMessage()
        for r in logs.records
        if r.name == "omo_selenium.client" and r.levelno == logging.INFO
    ]
    assert lines == [f"task {answer_.job_id}: ready in {answer_.elapsed:.2f}s"]


# -- choosing the API and the task type -----------------------------------------------------


def test_the_environment_alone_switches_the_default_solver_to_the_task_api(
    start_server: Callable[..., OmoServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(RecordingSolver(answer=120.0))
    monkeypatch.setenv("OMOCAPTCHA_API_KEY", TOKEN)
    monkeypatch.setenv("OMOCAPTCHA_BASE_URL", server.url)
    monkeypatch.setenv("OMOCAPTCHA_API", "task")
    monkeypatch.setenv("OMOCAPTCHA_TASK_TYPE", "geetest")
    solver = default_solver()
    assert isinstance(solver, OmoCaptchaClient)
    answer_ = solver.solve_slider(png(size=(400, 100)), 200)
    assert isinstance(answer_.job_id, str)
    assert answer_.distance == pytest.approx(60.0)


def test_generic_type_for_a_single_screenshot_is_refused_before_any_request() -> None:
    client = client_for("http://127.0.0.1:1", api="task", task_type="SliderAllWebTask")
    with pytest.raises(ConfigurationError) as info:
        client.solve(png(), 340)
    assert "solve_piece" in str(info.value)


@pytest.mark.parametrize("api", ["job", "task"])
def test_unusable_piece_is_refused_before_any_request(api: str) -> None:
    client = client_for("http://127.0.0.1:1", api=api)  # nothing listens there
    with pytest.raises(ConfigurationError):
        client.solve_piece(png(), png(), 340)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        client.solve_piece(png(), PieceImage(b"not a picture"), 340)


def test_repr_names_the_api_and_masks_the_key() -> None:
    client = client_for("http://127.0.0.1:1", api="task")
    assert TOKEN not in repr(client) and TOKEN not in repr(client.tasks)
    assert "api='task'" in repr(client)


# -- what goes over the wire ----------------------------------------------------------------


def recorded(httpserver: HTTPServer, answers: dict[str, Any]) -> list[Request]:
    """Answer each /v2/<endpoint> with ``answers[endpoint]``; return the requests seen."""
    seen: list[Request] = []
    for endpoint, body in answers.items():

        def handler(request: Request, body: Any = body) -> Response:
            seen.append(request)
            return Response(json.dumps(body), content_type="application/json")

        httpserver.expect_request(f"/v2/{endpoint}", method="POST").respond_with_handler(handler)
    return seen


CREATED = {"errorId": 0, "taskId": UUID}
READY = {"errorId": 0, "status": "ready", "solution": {"end": {"x": 150}}}


@pytest.mark.parametrize(
    "task_type,fields",
    [
        ("TiktokSliderWebTask", {"type", "imageBase64", "widthView"}),
        ("GeetestSliderWebTask", {"type", "imageBase64"}),
    ],
)
def test_screenshot_task_carries_its_types_fields_and_the_key_only_in_the_body(
    httpserver: HTTPServer, task_type: str, fields: set[str]
) -> None:
    seen = recorded(
        httpserver, {"createTask": {"errorId": 0, "taskId": UUID}, "getTaskResult": READY}
    )
    client = task_client(httpserver.url_for(""), task_type=task_type)
    client.solve(png(red=8, size=(340, 100)), 340)
    create, result = seen
    body = create.get_json()
    assert body["clientKey"] == TOKEN and set(body["task"]) == fields
    assert base64.b64decode(body["task"]["imageBase64"]) == png(red=8, size=(340, 100))
    if "widthView" in fields:
        assert body["task"]["widthView"] == 340 and isinstance(body["task"]["widthView"], int)
    assert result.get_json() == {"clientKey": TOKEN, "taskId": UUID}
    for request in seen:
        assert TOKEN not in request.url and TOKEN not in str(request.headers)


def test_generic_task_carries_both_pictures_the_domain_and_the_displayed_size(
    httpserver: HTTPServer,
) -> None:
    ready = {"errorId": 0, "status": "ready", "solution": {"rects": [{"x": 90, "y": 5}]}}
    seen = recorded(
        httpserver, {"createTask": {"errorId": 0, "taskId": UUID}, "getTaskResult": ready}
    )
    client = task_client(httpserver.url_for(""), domain="shop.example")
    piece = rgba_png((10, 10), (1, 2, 3, 128))
    distance = client.solve_piece(png(size=(300, 150)), PieceImage(piece, x=30), 200)
    assert distance == pytest.approx(90 - 20)
    task = seen[0].get_json()["task"]
    assert task["type"] == "SliderAllWebTask"
    assert base64.b64decode(task["puzzle"]) == piece  # alpha kept: PNG bytes pass through
    assert (task["domain"], task["widthView"], task["heightView"]) == ("shop.example", 200, 100)


def test_balance_request_carries_the_key_only_in_the_body(httpserver: HTTPServer) -> None:
    seen = recorded(
        httpserver,
        {"getBalance": {"errorId": 0, "balance": 345.678, "quantity": 10000, "voucher_balance": 1}},
    )
    assert task_client(httpserver.url_for("")).balance() == Balance(345.678, 10000, 1.0)
    assert seen[0].get_json() == {"clientKey": TOKEN}


# -- failure shapes (pytest-httpserver) -----------------------------------------------------


def v2(httpserver: HTTPServer, endpoint: str, body: Any, status: int = 200) -> None:
    answer(httpserver, endpoint, body, status=status, api="v2")


def solve_against(httpserver: HTTPServer, result: Any, **kwargs: Any) -> float:
    v2(httpserver, "createTask", {"errorId": 0, "taskId": UUID})
    v2(httpserver, "getTaskResult", result)
    return float(task_client(httpserver.url_for(""), **kwargs).solve(png(size=(340, 100)), 340))


@pytest.mark.parametrize(
    "body,error,words",
    [
        ({"errorId": 1, "errorCode": "ERROR_KEY_DOES_NOT_EXIST"}, AuthenticationError, "key"),
        ({"errorId": 1, "errorCode": "ERROR_WRONG_USER_KEY"}, AuthenticationError, "key"),
        ({"errorId": 1, "errorDescription": "Invalid api key"}, AuthenticationError, "key"),
        ({"errorId": 1, "errorCode": "ERROR_ZERO_BALANCE"}, ApiError, "no balance"),
        ({"errorId": 1, "errorCode": "ERROR_NO_SUCH_CAPCHA_ID"}, ApiError, "NO_SUCH"),
        ({"errorId": 1, "errorCode": "ERROR_TASK_NOT_SUPPORTED"}, ApiError, "NOT_SUPPORTED"),
        ({"errorId": 2, "errorDescription": "rate limited"}, ApiError, "rate limited"),
        ({"error": True, "message": "body too large"}, ApiError, "body too large"),
    ],
)
def test_error_answers_raise_api_errors(
    httpserver: HTTPServer,
    logs: pytest.LogCaptureFixture,
    body: Any,
    error: type[Exception],
    words: str,
) -> None:
    v2(httpserver, "createTask", body)
    with pytest.raises(error) as info:
        task_client(httpserver.url_for("")).solve(png(), 340)
    if error is ApiError:
        assert not isinstance(info.value, (AuthenticationError, ProtocolError))
    assert words in str(info.value)
    assert_no_secret(info.value, logs)


def test_documented_failure_raises_solve_failed_with_the_task_id(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture
) -> None:
    failed = {
        "errorId": 1,
        "errorCode": "ERROR_JOB_STATUS",
        "errorDescription": "Job failed",
        "status": "fail",
        "solution": {},
    }
    with pytest.raises(SolveFailed) as info:
        solve_against(httpserver, failed)
    assert info.value.job_id == UUID
    assert_no_secret(info.value, logs)


def test_a_task_never_ready_raises_solve_timeout(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture
) -> None:
    processing = {"errorId": 0, "status": "processing", "errorCode": "", "errorDescription": ""}
    with pytest.raises(SolveTimeout) as info:
        solve_against(httpserver, processing, max_wait=0.3)
    assert info.value.job_id == UUID and info.value.last_status == "processing"
    assert requests_to(httpserver, "getTaskResult", api="v2") >= 1
    assert_no_secret(info.value, logs)


def test_a_key_echoed_by_the_server_is_scrubbed(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture
) -> None:
    v2(httpserver, "createTask", {"errorId": 1, "errorDescription": f"key {TOKEN} unknown"})
    v2(httpserver, "getBalance", {"errorId": 0, TOKEN: 1})
    client = task_client(httpserver.url_for(""))
    with pytest.raises(AuthenticationError) as create_info:
        client.solve(png(), 340)
    with pytest.raises(ProtocolError) as balance_info:
        client.balance()
    assert "key *** unknown" in str(create_info.value)
    assert_no_secret(create_info.value, logs)
    assert_no_secret(balance_info.value, logs)


UNKNOWN_CREATE_ANSWERS = {
    "empty-object": {},
    "array": [1, 2],
    "no-error-id": {"taskId": UUID},
    "error-id-text": {"errorId": "0", "taskId": UUID},
    "error-id-false": {"errorId": False, "taskId": UUID},
    "no-task-id": {"errorId": 0},
    "task-id-int": {"errorId": 0, "taskId": 123456},
    "task-id-empty": {"errorId": 0, "taskId": ""},
    "task-id-spaces": {"errorId": 0, "taskId": "a b"},
    "job-api-shape": {"error": False, "job_id": 5},
}


@pytest.mark.parametrize("body", UNKNOWN_CREATE_ANSWERS.values(), ids=UNKNOWN_CREATE_ANSWERS.keys())
def test_unknown_create_shape_is_never_taken_as_success(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any
) -> None:
    v2(httpserver, "createTask", body)
    with pytest.raises(ProtocolError) as info:
        task_client(httpserver.url_for("")).solve(png(), 340)
    assert requests_to(httpserver, "getTaskResult", api="v2") == 0
    assert_no_secret(info.value, logs)


UNKNOWN_RESULT_ANSWERS = {
    "unknown-status": {"errorId": 0, "status": "done", "solution": {"end": {"x": 5}}},
    "no-status": {"errorId": 0, "solution": {"end": {"x": 5}}},
    "ready-without-solution": {"errorId": 0, "status": "ready"},
    "ready-solution-list": {"errorId": 0, "status": "ready", "solution": [5]},
    "ready-without-end": {"errorId": 0, "status": "ready", "solution": {"x": 5}},
    "end-x-missing": {"errorId": 0, "status": "ready", "solution": {"end": {}}},
    "end-x-text": {"errorId": 0, "status": "ready", "solution": {"end": {"x": "abc"}}},
    "end-x-bool": {"errorId": 0, "status": "ready", "solution": {"end": {"x": True}}},
    "end-x-negative": {"errorId": 0, "status": "ready", "solution": {"end": {"x": -5}}},
    "end-x-too-far": {"errorId": 0, "status": "ready", "solution": {"end": {"x": 341}}},
    "end-x-nan": '{"errorId": 0, "status": "ready", "solution": {"end": {"x": NaN}}}',
    "job-api-success": {"error": False, "status": "success", "result": "5"},
}


@pytest.mark.parametrize("body", UNKNOWN_RESULT_ANSWERS.values(), ids=UNKNOWN_RESULT_ANSWERS.keys())
def test_unknown_or_unusable_result_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any
) -> None:
    with pytest.raises(ProtocolError) as info:
        solve_against(httpserver, body)
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize("x,distance", [(0, 0.0), (340, 340.0), (12.5, 12.5), ("150", 150.0)])
def test_usable_end_x_is_read_as_the_distance(
    httpserver: HTTPServer, x: Any, distance: float
) -> None:
    ready = {"errorId": 0, "status": "ready", "solution": {"end": {"x": x}}}
    assert solve_against(httpserver, ready) == distance


UNUSABLE_RECTS = {
    "no-rects": {},
    "empty-rects": {"rects": []},
    "rect-not-object": {"rects": [90]},
    "rect-without-x": {"rects": [{"y": 1, "w": 2, "h": 3}]},
    "gap-left-of-the-piece": {"rects": [{"x": 2, "y": 1, "w": 2, "h": 3}]},
    "gap-outside-the-picture": {"rects": [{"x": 201, "y": 1, "w": 2, "h": 3}]},
}


@pytest.mark.parametrize("solution", UNUSABLE_RECTS.values(), ids=UNUSABLE_RECTS.keys())
def test_unusable_gap_rectangle_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, solution: Any
) -> None:
    v2(httpserver, "createTask", {"errorId": 0, "taskId": UUID})
    v2(httpserver, "getTaskResult", {"errorId": 0, "status": "ready", "solution": solution})
    piece = PieceImage(rgba_png((10, 10), (1, 2, 3, 255)), x=20)  # starts at 10 CSS px
    with pytest.raises(ProtocolError) as info:
        task_client(httpserver.url_for("")).solve_piece(png(size=(400, 100)), piece, 200)
    assert info.value.job_id == UUID
    assert_no_secret(info.value, logs)


UNUSABLE_BALANCES = {
    "no-balance": {"errorId": 0, "quantity": 1},
    "balance-text": {"errorId": 0, "balance": "lots"},
    "balance-bool": {"errorId": 0, "balance": True},
    "quantity-negative": {"errorId": 0, "balance": 1, "quantity": -1},
    "quantity-fraction": {"errorId": 0, "balance": 1, "quantity": 1.5},
    "voucher-list": {"errorId": 0, "balance": 1, "voucher_balance": [1]},
    "no-error-id": {"balance": 1},
}


@pytest.mark.parametrize("body", UNUSABLE_BALANCES.values(), ids=UNUSABLE_BALANCES.keys())
def test_unusable_balance_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any
) -> None:
    v2(httpserver, "getBalance", body)
    with pytest.raises(ProtocolError) as info:
        task_client(httpserver.url_for("")).balance()
    assert_no_secret(info.value, logs)


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"errorId": 0, "balance": 345.678, "quantity": 10000, "voucher_balance": 123.211},
         Balance(345.678, 10000, 123.211)),
        ({"errorId": 0, "balance": "0.50000"}, Balance(0.5, None, None)),
    ],
)  # fmt: skip
def test_documented_balances_are_read(httpserver: HTTPServer, body: Any, expected: Balance) -> None:
    v2(httpserver, "getBalance", body)
    assert task_client(httpserver.url_for("")).balance() == expected


@pytest.mark.parametrize(
    "body,error",
    [
        ({"error": False, "balance": "0.00000"}, None),
        ({"error": False, "balance": 7}, None),
        ({"error": True, "message": "Invalid api token"}, AuthenticationError),
        ({"error": False}, ProtocolError),
        ({"error": False, "balance": "seven"}, ProtocolError),
        ({"errorId": 0, "balance": 1}, ProtocolError),
    ],
)
def test_job_api_balance_shapes(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, body: Any, error: Any
) -> None:
    answer(httpserver, "getBalance", body)
    client = client_for(httpserver.url_for(""))
    if error is None:
        assert client.balance() == Balance(float(body["balance"]))
        return
    with pytest.raises(error) as info:
        client.balance()
    assert_no_secret(info.value, logs)
