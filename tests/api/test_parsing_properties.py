"""Properties of parsing, over any input: a typed answer or error, never a 500 or a traceback.

The server's side runs against one real OmoServer on 127.0.0.1 port 0; the client's side
feeds AnswerReader (what the client makes of every answer) directly. Example counts and
deadlines are kept small so the whole module runs in a few seconds.
"""

from __future__ import annotations

import json
import math
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omo_selenium.api.answers import AnswerReader
from omo_selenium.api.server import OmoServer
from omo_selenium.errors import OmoCaptchaError
from tests.fakes import ContentSolver

TOKEN = "prop-TOKEN-0c41d2"
SERVER_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANSWERED = {200, 400, 401, 404, 405, 408, 411, 413, 414, 431, 503, 505}


@pytest.fixture(scope="module")
def live() -> Iterator[OmoServer]:
    with OmoServer(
        ContentSolver(), tokens=[TOKEN], header_timeout=1.0, request_timeout=1.0
    ) as server:
        yield server


def exchange(server: OmoServer, data: bytes) -> tuple[int | None, bytes]:
    """Send ``data``, close our side, read everything; return (status or None, body)."""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before reading it all
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    reply = b"".join(chunks)
    if not reply:
        return None, b""
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def check_answer(status: int | None, body: bytes) -> None:
    if status is None:  # closed without an answer: allowed only for unfinished requests
        return
    assert status in ANSWERED, (status, body[:200])
    if not body:  # HEAD: the status line and headers only
        return
    answer = json.loads(body)
    assert isinstance(answer, dict)
    if "errorId" in answer:  # the task API's shape
        assert answer["errorId"] in (0, 1)
        assert "Traceback" not in str(answer.get("errorDescription", ""))
        return
    assert isinstance(answer.get("error"), bool)
    if answer["error"]:
        assert isinstance(answer["message"], str) and "Traceback" not in answer["message"]


HEADER_VALUES = st.one_of(
    st.sampled_from(["0", "2", "12", "+2", "1_0", " 3", "-1", "99999999999999999999", "", "0x10"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
)


@st.composite
def requests_(draw: st.DrawFn) -> bytes:
    method = draw(st.sampled_from([b"POST", b"GET", b"PUT", b"HEAD", b"BREW", b"P\x00ST"]))
    path = draw(
        st.one_of(
            st.sampled_from([b"/api/createJob", b"/api/getJobResult", b"/", b"/api/x"]),
            st.binary(max_size=40).map(lambda b: b"/" + b.replace(b" ", b"").replace(b"\r", b"")),
        )
    )
    version = draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b""]))
    headers = draw(
        st.lists(
            st.tuples(
                st.sampled_from(
                    [b"Content-Length", b"Transfer-Encoding", b"Content-Type", b"X-Any"]
                ),
                HEADER_VALUES.map(lambda v: v.encode()),
            ),
            max_size=4,
        )
    )
    body = draw(st.one_of(st.binary(max_size=300), json_bodies().map(str.encode)))
    lines = [method + b" " + path + (b" " + version if version else b"")]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


HUGE_DIGITS = "1" + "0" * 5000
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from([10**400, -(10**400), HUGE_DIGITS, "12", "21", 2**53 + 1]),
)
#: Values that broke the parsers once: weighted up, so every run tries them.
EDGE_VALUES = st.sampled_from([10**400, HUGE_DIGITS, 2**63, -1, "007", 1e300, True])
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def json_bodies(draw: st.DrawFn) -> str:
    body: dict[str, Any] = {}
    if draw(st.integers(0, 3)):  # mostly with a token, so the fields get read
        body["api_token"] = draw(st.one_of(st.just(TOKEN), JSON_VALUES))
    if draw(st.integers(0, 3)):
        body["clientKey"] = draw(st.one_of(st.just(TOKEN), JSON_VALUES))
    if draw(st.booleans()):
        body["taskId"] = draw(st.one_of(EDGE_VALUES, JSON_VALUES))
    if draw(st.booleans()):
        body["task"] = draw(
            st.one_of(
                JSON_VALUES,
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["TiktokSliderWebTask", "SliderAllWebTask", "x"])},
                    optional={
                        "imageBase64": st.one_of(st.just("iVBORw0KGgo="), JSON_VALUES),
                        "puzzle": st.one_of(st.just("iVBORw0KGgo="), JSON_VALUES),
                        "widthView": st.one_of(EDGE_VALUES, JSON_VALUES),
                        "heightView": st.one_of(EDGE_VALUES, JSON_VALUES),
                        "domain": JSON_VALUES,
                    },
                ),
            )
        )
    if draw(st.booleans()):
        body["job_id"] = draw(st.one_of(EDGE_VALUES, JSON_VALUES))
    if draw(st.booleans()):
        body["data"] = draw(
            st.one_of(
                JSON_VALUES,
                st.fixed_dictionaries(
                    {
                        "type_job_id": st.one_of(st.just("21"), JSON_VALUES),
                        "width_view": st.one_of(st.just(340), EDGE_VALUES, JSON_VALUES),
                        "image_base64": st.one_of(
                            st.just("iVBORw0KGgo="), st.text(max_size=40), JSON_VALUES
                        ),
                    }
                ),
            )
        )
    return json.dumps(body)


@SERVER_SETTINGS
@given(data=requests_())
def test_any_request_gets_a_json_answer_never_a_500(live: OmoServer, data: bytes) -> None:
    started = time.monotonic()
    check_answer(*exchange(live, data))
    assert time.monotonic() - started < 5


@SERVER_SETTINGS
@given(
    body=json_bodies(),
    path=st.sampled_from(
        [
            "/api/createJob",
            "/api/getJobResult",
            "/api/getBalance",
            "/v2/createTask",
            "/v2/getTaskResult",
            "/v2/getBalance",
        ]
    ),
)
def test_any_json_body_gets_a_typed_answer(live: OmoServer, body: str, path: str) -> None:
    raw = body.encode()
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(raw)}\r\n\r\n"
    status, answer = exchange(live, head.encode() + raw)
    assert status is not None
    check_answer(status, answer)


@SERVER_SETTINGS
@given(raw=st.binary(max_size=400))
def test_any_bytes_at_all_never_get_a_500(live: OmoServer, raw: bytes) -> None:
    check_answer(*exchange(live, raw))


# -- the client's reading of answers --------------------------------------------------------

READER = AnswerReader(TOKEN, "http://127.0.0.1:1")
ANSWER_VALUES = st.one_of(
    JSON_VALUES,
    st.just(TOKEN),
    st.sampled_from(["running", "success", "fail", "1" + "0" * 5000, "12.5", "-1", "1e400"]),
)
ANSWER_OBJECTS = st.one_of(
    st.dictionaries(
        st.sampled_from(
            ["error", "errorId", "job_id", "message", "status", "result", "taskId", TOKEN, "x"]
        ),
        ANSWER_VALUES,
        max_size=6,
    ),
    st.fixed_dictionaries(  # shaped like a success, with any values
        {"error": st.sampled_from([False, 0])},
        optional={
            "job_id": st.one_of(EDGE_VALUES, ANSWER_VALUES),
            "status": ANSWER_VALUES,
            "result": st.one_of(EDGE_VALUES, ANSWER_VALUES),
        },
    ),
)
CONTENTS = st.one_of(
    st.binary(max_size=200),
    ANSWER_OBJECTS.map(lambda d: json.dumps(d).encode()),
    st.just(b'{"error": false, "job_id": ' + b"1" * 5000 + b"}"),
    st.just(b"[" * 3000),
)


def assert_clean(exc: OmoCaptchaError) -> None:
    assert TOKEN not in str(exc)
    assert len(str(exc)) < 1000


@settings(max_examples=300, deadline=1000)
@given(
    status=st.integers(min_value=100, max_value=599),
    content=CONTENTS,
    content_type=st.text(max_size=30),
)
def test_any_answer_is_a_value_or_a_typed_error(
    status: int, content: bytes, content_type: str
) -> None:
    try:
        data = READER.body("createJob", status, content, content_type)
    except OmoCaptchaError as exc:
        assert_clean(exc)
        return
    assert isinstance(data, dict)
    for read in (READER.job_id, lambda d: READER.job_result(d, 1)):
        try:
            read(data)
        except OmoCaptchaError as exc:
            assert_clean(exc)


@settings(max_examples=200, deadline=1000)
@given(
    raw=st.one_of(st.none(), st.text(max_size=50), st.sampled_from(["1" * 5000, "1e400", TOKEN])),
    width=st.floats(min_value=1, max_value=5000),
)
def test_any_result_text_is_a_distance_in_range_or_a_typed_error(
    raw: str | None, width: float
) -> None:
    try:
        distance = READER.distance(raw, width, 1)
    except OmoCaptchaError as exc:
        assert_clean(exc)
        return
    assert math.isfinite(distance) and 0 <= distance <= width
