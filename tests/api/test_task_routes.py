"""OmoServer's task API (v2) and balance calls, spoken to as any HTTP client would."""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from omo_selenium import Balance
from omo_selenium.api.server import OmoServer
from omo_selenium.errors import SolveFailed
from tests.api.shared import TOKEN
from tests.api.test_server import wait_for
from tests.fakes import (
    WAIT,
    BlockingSolver,
    PieceRecordingSolver,
    RaisingSolver,
    RecordingSolver,
    png,
    rgba_png,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def call(server: OmoServer, path: str, body: Any) -> dict[str, Any]:
    """POST ``body``; assert HTTP 200 and return the JSON answer."""
    response = requests.post(server.url + path, json=body, timeout=WAIT)
    assert response.status_code == 200, response.text
    return dict(response.json())


def create(server: OmoServer, task: dict[str, Any], key: str = TOKEN) -> dict[str, Any]:
    return call(server, "/v2/createTask", {"clientKey": key, "task": task})


def tiktok(image: bytes | None = None, width_view: Any = 340) -> dict[str, Any]:
    return {
        "type": "TiktokSliderWebTask",
        "imageBase64": b64(image or png()),
        "widthView": width_view,
    }


def generic(**fields: Any) -> dict[str, Any]:
    task = {
        "type": "SliderAllWebTask",
        "imageBase64": b64(png(size=(400, 200))),
        "puzzle": b64(rgba_png((40, 200), (9, 9, 9, 255))),
        "domain": "shop.example",
        "widthView": 200,
        "heightView": 100,
    }
    task.update(fields)
    return task


def result_when_done(server: OmoServer, task_id: str, key: str = TOKEN) -> dict[str, Any]:
    """Ask getTaskResult until the task is no longer processing (at most WAIT seconds)."""

    def finished() -> tuple[dict[str, Any]] | None:  # a tuple: truthy even for {}
        answer = call(server, "/v2/getTaskResult", {"clientKey": key, "taskId": task_id})
        return None if answer.get("status") == "processing" else (answer,)

    answer: dict[str, Any] = wait_for(finished, f"task {task_id} to finish")[0]
    return answer


def refused(answer: dict[str, Any], code: str) -> str:
    """Assert the documented ``errorId: 1`` shape with ``code``; return the description."""
    assert answer["errorId"] == 1
    assert answer["errorCode"] == code, answer
    assert isinstance(answer["errorDescription"], str) and answer["errorDescription"]
    return str(answer["errorDescription"])


# -- the documented shapes ------------------------------------------------------------------


def test_create_task_answers_a_uuid_task_id(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(RecordingSolver(answer=150))
    answer = create(server, tiktok())
    assert set(answer) == {"errorId", "taskId"} and answer["errorId"] == 0
    assert str(uuid.UUID(answer["taskId"])) == answer["taskId"]
    assert result_when_done(server, answer["taskId"]) == {
        "errorId": 0,
        "status": "ready",
        "solution": {"end": {"x": 150}},
    }


def test_processing_task_answers_the_documented_shape(
    start_server: Callable[..., OmoServer],
) -> None:
    server = start_server(BlockingSolver())
    task_id = create(server, tiktok())["taskId"]
    answer = call(server, "/v2/getTaskResult", {"clientKey": TOKEN, "taskId": task_id})
    assert answer == {"errorId": 0, "status": "processing", "errorCode": "", "errorDescription": ""}


def test_failed_task_answers_the_documented_shape(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(RaisingSolver(SolveFailed("no gap")))
    task_id = create(server, tiktok())["taskId"]
    assert result_when_done(server, task_id) == {
        "errorId": 1,
        "errorCode": "ERROR_JOB_STATUS",
        "errorDescription": "Job failed",
        "status": "fail",
        "solution": {},
    }


def test_geetest_task_is_solved_in_px_of_the_picture_sent(
    start_server: Callable[..., OmoServer],
) -> None:
    solver = RecordingSolver(answer=123.4)
    server = start_server(solver)
    task = {"type": "GeetestSliderWebTask", "imageBase64": b64(png(size=(260, 160)))}
    answer = result_when_done(server, create(server, task)["taskId"])
    assert answer["solution"] == {"end": {"x": 123.4}}
    assert [width for _, width in solver.calls] == [260]


def test_generic_task_answers_the_gaps_rectangle_in_the_displayed_frame(
    start_server: Callable[..., OmoServer],
) -> None:
    solver = PieceRecordingSolver(answer=130)
    server = start_server(solver)
    answer = result_when_done(server, create(server, generic())["taskId"])
    # x from the solver; the 40 px piece of a 400 px picture shown 200 wide is 20 CSS px
    # wide; the row is not known, so the rectangle spans the displayed height
    assert answer["solution"] == {"rects": [{"x": 130, "y": 0, "w": 20, "h": 100}]}
    ((_, piece, width_view),) = solver.piece_calls
    assert (piece.x, piece.y, width_view) == (0.0, None, 200)


def test_tasks_share_the_job_store_and_its_workers(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(BlockingSolver(), workers=1, max_queue=1, max_jobs=5)
    create(server, tiktok())  # taken by the one worker
    assert server.solver.entered.acquire(timeout=WAIT)
    create(server, tiktok())  # waits in the queue
    response = requests.post(
        server.url + "/v2/createTask", json={"clientKey": TOKEN, "task": tiktok()}, timeout=WAIT
    )
    assert response.status_code == 503
    assert server.job_count == 2


def test_oldest_tasks_are_forgotten_beyond_max_jobs(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(RecordingSolver(answer=1), max_jobs=2)
    first, *rest = [create(server, tiktok())["taskId"] for _ in range(3)]
    answer = call(server, "/v2/getTaskResult", {"clientKey": TOKEN, "taskId": first})
    refused(answer, "ERROR_NO_SUCH_CAPCHA_ID")
    for task_id in rest:
        assert result_when_done(server, task_id)["status"] == "ready"


# -- keys -----------------------------------------------------------------------------------


def test_the_server_never_logs_a_key(
    start_server: Callable[..., OmoServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="omo_selenium")
    server = start_server(RecordingSolver(answer=5))
    task_id = create(server, tiktok())["taskId"]
    result_when_done(server, task_id)
    call(server, "/v2/getBalance", {"clientKey": TOKEN})
    call(server, "/v2/getBalance", {"clientKey": TOKEN + "-wrong"})
    assert f"task {task_id}" in caplog.text  # the server did log at DEBUG
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("body", [{}, {"clientKey": ""}, {"clientKey": 5}, {"clientKey": "nope"}])
@pytest.mark.parametrize("path", ["/v2/createTask", "/v2/getTaskResult", "/v2/getBalance"])
def test_missing_or_wrong_key_is_refused_first(
    start_server: Callable[..., OmoServer], path: str, body: dict[str, Any]
) -> None:
    server = start_server()
    refused(call(server, path, body), "ERROR_KEY_DOES_NOT_EXIST")


def test_a_task_is_readable_only_with_the_key_that_created_it() -> None:
    with OmoServer(RecordingSolver(answer=3), tokens=["key-a", "key-b"]) as server:
        task_id = create(server, tiktok(), key="key-a")["taskId"]
        other = call(server, "/v2/getTaskResult", {"clientKey": "key-b", "taskId": task_id})
        refused(other, "ERROR_NO_SUCH_CAPCHA_ID")
        assert result_when_done(server, task_id, key="key-a")["status"] == "ready"


# -- bad input ------------------------------------------------------------------------------

BAD_TASKS = {
    "no-task": (None, "ERROR_TASK_ABSENT"),
    "task-not-object": ("TiktokSliderWebTask", "ERROR_TASK_ABSENT"),
    "unknown-type": ({**tiktok(), "type": "RecaptchaV2Task"}, "ERROR_TASK_NOT_SUPPORTED"),
    "no-image": ({"type": "TiktokSliderWebTask", "widthView": 340}, "ERROR_ZERO_CAPTCHA_FILESIZE"),
    "not-base64": ({**tiktok(), "imageBase64": "%%%"}, "ERROR_BAD_PARAMETERS"),
    "not-an-image": ({**tiktok(), "imageBase64": b64(b"hello")}, "ERROR_BAD_PARAMETERS"),
    "no-width": ({**tiktok(), "widthView": None}, "ERROR_BAD_PARAMETERS"),
    "width-zero": (tiktok(width_view=0), "ERROR_BAD_PARAMETERS"),
    "width-text": (tiktok(width_view="340"), "ERROR_BAD_PARAMETERS"),
    "width-huge": (tiktok(width_view=1e9), "ERROR_BAD_PARAMETERS"),
    "generic-no-puzzle": (generic(puzzle=None), "ERROR_ZERO_CAPTCHA_FILESIZE"),
    "generic-no-height": (generic(heightView=None), "ERROR_BAD_PARAMETERS"),
    # wider than the 400 x 200 background (a 500 x 10 strip is refused for its 50:1 sides)
    "generic-puzzle-too-big": (generic(puzzle=b64(png(size=(500, 100)))), "ERROR_BAD_PARAMETERS"),
    "generic-domain-number": (generic(domain=7), "ERROR_BAD_PARAMETERS"),
}


@pytest.mark.parametrize("task,code", BAD_TASKS.values(), ids=BAD_TASKS.keys())
def test_bad_task_is_refused_with_an_error_code(
    start_server: Callable[..., OmoServer], task: Any, code: str
) -> None:
    server = start_server()
    body = {"clientKey": TOKEN} if task is None else {"clientKey": TOKEN, "task": task}
    description = refused(call(server, "/v2/createTask", body), code)
    assert "data.image_base64" not in description  # fields are named as the task API names them
    assert server.job_count == 0


def test_image_over_the_pixel_limit_is_refused(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(max_image_pixels=100)
    refused(create(server, tiktok(png(size=(20, 20)))), "ERROR_TOO_BIG_CAPTCHA_FILESIZE")


@pytest.mark.parametrize(
    "body,code",
    [
        ({"clientKey": TOKEN}, "ERROR_BAD_PARAMETERS"),
        ({"clientKey": TOKEN, "taskId": 5}, "ERROR_NO_SUCH_CAPCHA_ID"),
        ({"clientKey": TOKEN, "taskId": str(uuid.uuid4())}, "ERROR_NO_SUCH_CAPCHA_ID"),
    ],
)  # fmt: skip
def test_bad_or_unknown_task_id_is_refused(
    start_server: Callable[..., OmoServer], body: dict[str, Any], code: str
) -> None:
    refused(call(start_server(), "/v2/getTaskResult", body), code)


def test_get_is_not_allowed_on_task_paths(start_server: Callable[..., OmoServer]) -> None:
    response = requests.get(start_server().url + "/v2/createTask", timeout=WAIT)
    assert response.status_code == 405


# -- balance --------------------------------------------------------------------------------


def test_balance_answers_both_apis_shapes(start_server: Callable[..., OmoServer]) -> None:
    server = start_server(balance=Balance(amount=345.678, solves_left=10000, promotional=123.211))
    assert call(server, "/v2/getBalance", {"clientKey": TOKEN}) == {
        "errorId": 0,
        "balance": 345.678,
        "quantity": 10000,
        "voucher_balance": 123.211,
    }
    assert call(server, "/api/getBalance", {"api_token": TOKEN}) == {
        "error": False,
        "balance": "345.67800",
    }


def test_local_server_balance_is_zero_by_default(start_server: Callable[..., OmoServer]) -> None:
    answer = call(start_server(), "/v2/getBalance", {"clientKey": TOKEN})
    assert answer == {"errorId": 0, "balance": 0.0, "quantity": 0, "voucher_balance": 0}


def test_job_api_balance_with_a_wrong_token_is_401(start_server: Callable[..., OmoServer]) -> None:
    response = requests.post(
        start_server().url + "/api/getBalance", json={"api_token": "nope"}, timeout=WAIT
    )
    assert response.status_code == 401 and response.json()["error"] is True
