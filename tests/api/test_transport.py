"""The transport under both client APIs, as one fault matrix.

OmoCaptchaClient sends the job API (/api/createJob, /api/getJobResult, /api/getBalance,
``api_token``) and the task API (/v2/createTask, /v2/getTaskResult, /v2/getBalance,
``clientKey``) over the same session, retry policies and deadline, so every story here runs
for both. A user whose service, or the path to it, misbehaves gets a typed error with the key
in no message, cause or log line, and never a hang or a second (billed) job:

- HTTP 5xx is retried a bounded number of times; a create only on 503, when nothing can have
  been created yet;
- HTTP 401 and 403 are an AuthenticationError;
- a body that is not a JSON object, a wrong base URL and a redirect are a ProtocolError;
- a reset, refused or slow connection is a TransportError, and a reset create is not sent
  again.

What each API answers when it works, and its own error shapes, are in test_client.py (job)
and test_tasks.py (task).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.errors import AuthenticationError, ProtocolError, TransportError
from tests.api.shared import UUID, answer, assert_no_secret, client_for, requests_to, task_client
from tests.fakes import WAIT, png


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of an API and how a user's call reaches it."""

    name: str
    call: Callable[[OmoCaptchaClient], object]


@dataclass(frozen=True)
class Api:
    """What the transport stories need to know of one API."""

    name: str
    prefix: str  # the endpoints are /<prefix>/<name>
    client: Callable[..., OmoCaptchaClient]
    create: Endpoint  # reached by solve(), whose first request it is
    result: Endpoint
    balance: Endpoint
    created: dict[str, Any]  # a create's success
    error: dict[str, Any]  # the API's error body, as a 5xx may carry it

    def endpoint(self, role: str) -> Endpoint:
        """The ``"create"``, ``"result"`` or ``"balance"`` endpoint."""
        endpoint = getattr(self, role)
        assert isinstance(endpoint, Endpoint)
        return endpoint

    def path(self, role: str) -> str:
        return f"/{self.prefix}/{self.endpoint(role).name}"

    def call(self, role: str, url: str, **kwargs: Any) -> object:
        """Call the ``role`` endpoint as a user does, with a new client of ``url``."""
        return self.endpoint(role).call(self.client(url, **kwargs))

    def requests_to(self, httpserver: HTTPServer, role: str) -> int:
        return requests_to(httpserver, self.endpoint(role).name, api=self.prefix)


def solve(client: OmoCaptchaClient) -> object:
    return client.solve(png(), 340)


def balance(client: OmoCaptchaClient) -> object:
    return client.balance()


JOB = Api(
    name="job",
    prefix="api",
    client=client_for,
    create=Endpoint("createJob", solve),
    result=Endpoint("getJobResult", lambda client: client.get_job_result(1)),
    balance=Endpoint("getBalance", balance),
    created={"error": False, "job_id": 5},
    error={"error": True, "message": "down"},
)
TASK = Api(
    name="task",
    prefix="v2",
    client=task_client,
    create=Endpoint("createTask", solve),
    result=Endpoint("getTaskResult", lambda client: client.tasks.get_task_result(UUID)),
    balance=Endpoint("getBalance", balance),
    created={"errorId": 0, "taskId": UUID},
    error={"errorId": 1, "errorCode": "ERROR_DOWN"},
)
ROLES = ("create", "result", "balance")
READS = ("result", "balance")

# Every story runs against each API.
pytestmark = pytest.mark.parametrize("api", [JOB, TASK], ids=lambda api: api.name)

E = TypeVar("E", bound=Exception)


def failure(
    error: type[E], logs: pytest.LogCaptureFixture, api: Api, role: str, url: str, **kwargs: Any
) -> E:
    """The ``error`` a user calling ``role`` of ``url`` gets; the key is nowhere in it."""
    with pytest.raises(error) as info:
        api.call(role, url, **kwargs)
    assert_no_secret(info.value, logs)
    return info.value


# -- answers that fail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,expected",
    [
        ("result", 502, 3),
        ("result", 503, 3),
        ("result", 504, 3),
        ("result", 500, 1),
        ("balance", 502, 3),
        ("balance", 503, 3),
        ("balance", 504, 3),
        ("balance", 500, 1),
        ("create", 503, 3),  # refused before anything was created
        ("create", 502, 1),  # a gateway's 502/504 may hide a created job: never sent twice
        ("create", 504, 1),
        ("create", 500, 1),
    ],
)
def test_server_errors_are_retried_a_bounded_number_of_times(
    httpserver: HTTPServer,
    logs: pytest.LogCaptureFixture,
    api: Api,
    role: str,
    status: int,
    expected: int,
) -> None:
    answer(httpserver, api.endpoint(role).name, api.error, status=status, api=api.prefix)
    error = failure(TransportError, logs, api, role, httpserver.url_for(""), retries=2)
    assert f"HTTP {status}" in str(error)
    assert api.requests_to(httpserver, role) == expected


@pytest.mark.parametrize("role", ["create", "result"])  # the create policy and the reads'
def test_default_retries_are_bounded(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    answer(httpserver, api.endpoint(role).name, "oops", status=503, api=api.prefix)
    failure(TransportError, logs, api, role, httpserver.url_for(""))
    assert api.requests_to(httpserver, role) == 1 + 3


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("role", ROLES)
def test_http_401_and_403_raise_authentication_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str, status: int
) -> None:
    answer(httpserver, api.endpoint(role).name, "<html>denied</html>", status, api.prefix)
    error = failure(AuthenticationError, logs, api, role, httpserver.url_for(""))
    assert f"HTTP {status}" in str(error)
    assert api.requests_to(httpserver, role) == 1


NOT_JSON_OBJECTS = {
    "garbage": ("this is not json", "text/plain"),
    "html": ("<html><body>Bad gateway... just kidding</body></html>", "text/html"),
    "empty": ("", "application/json"),
    "truncated-json": (None, "application/json"),  # the API's own success, cut short
}


@pytest.mark.parametrize("kind", NOT_JSON_OBJECTS)
@pytest.mark.parametrize("role", ROLES)
def test_body_that_is_not_a_json_object_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str, kind: str
) -> None:
    body, content_type = NOT_JSON_OBJECTS[kind]
    if body is None:
        body = json.dumps(api.created)[:-1]
    httpserver.expect_request(api.path(role)).respond_with_data(body, content_type=content_type)
    failure(ProtocolError, logs, api, role, httpserver.url_for(""))


@pytest.mark.parametrize("role", ROLES)
def test_wrong_base_url_answering_html_404_raises_protocol_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    httpserver.expect_request("/nothing-here" + api.path(role)).respond_with_data(
        "<html><h1>Not Found</h1></html>", status=404, content_type="text/html"
    )
    error = failure(ProtocolError, logs, api, role, httpserver.url_for("/nothing-here"))
    assert "HTTP 404" in str(error)


@pytest.mark.parametrize("role", ROLES)
def test_redirect_is_not_followed(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    httpserver.expect_request(api.path(role)).respond_with_data(
        "", status=302, headers={"Location": "http://example.invalid/"}
    )
    error = failure(ProtocolError, logs, api, role, httpserver.url_for(""))
    assert "redirect" in str(error)
    assert api.requests_to(httpserver, role) == 1


# -- connections that fail ------------------------------------------------------------------


def test_reset_connection_on_create_is_not_retried(
    resetting_server: tuple[str, list[int]], logs: pytest.LogCaptureFixture, api: Api
) -> None:
    url, accepted = resetting_server
    failure(TransportError, logs, api, "create", url, retries=2)
    assert accepted[0] == 1  # the job or task may exist: a retry could create (and bill) another


@pytest.mark.parametrize("role", READS)
def test_reset_connection_on_reads_is_retried(
    resetting_server: tuple[str, list[int]], logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    url, accepted = resetting_server
    failure(TransportError, logs, api, role, url, retries=2)
    assert accepted[0] == 3


@pytest.mark.parametrize("role", ROLES)
def test_refused_connection_is_retried_then_raises_transport_error(
    logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again when we connect: refused
    error = failure(TransportError, logs, api, role, f"http://127.0.0.1:{port}", retries=2)
    retries = [
        r
        for r in logs.records
        if r.name == "urllib3.connectionpool" and "Retrying" in r.getMessage()
    ]
    assert len(retries) == 2
    assert isinstance(error.__cause__, requests.ConnectionError)


@pytest.mark.parametrize("role", ROLES)
def test_slow_answer_beyond_the_timeout_raises_transport_error(
    httpserver: HTTPServer, logs: pytest.LogCaptureFixture, api: Api, role: str
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(WAIT)
        return Response(json.dumps(api.created))

    httpserver.expect_request(api.path(role)).respond_with_handler(slow)
    try:
        error = failure(TransportError, logs, api, role, httpserver.url_for(""), timeout=0.2)
    finally:
        release.set()
    assert "within 0.2s" in str(error)
    assert isinstance(error.__cause__, requests.Timeout)
