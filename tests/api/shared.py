"""Helpers shared by the client tests of both APIs (fixtures are in conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from omo_selenium.api.client import OmoCaptchaClient

TOKEN = "tok-SECRET-5f1e9a"
#: A task id of the task API, as createTask answers it.
UUID = "49f9f60a-c809-4af0-93c0-0409b72e67e0"


def assert_no_secret(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    """The token is in no message, repr, chained cause or log line."""
    texts = [str(exc), repr(exc), caplog.text]
    cause = exc.__cause__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__
    for text in texts:
        assert TOKEN not in text


def client_for(url: str, **kwargs: Any) -> OmoCaptchaClient:
    """A client of ``url`` (the job API unless ``api=`` says otherwise) that polls quickly."""
    kwargs.setdefault("poll_interval", 0.05)
    kwargs.setdefault("timeout", 5.0)
    return OmoCaptchaClient(TOKEN, url.rstrip("/"), **kwargs)


def task_client(url: str, **kwargs: Any) -> OmoCaptchaClient:
    """A client of ``url`` speaking the task API (v2)."""
    return client_for(url, api="task", **kwargs)


def answer(
    httpserver: HTTPServer, endpoint: str, body: Any, status: int = 200, api: str = "api"
) -> None:
    """Make ``/<api>/<endpoint>`` answer ``body`` (JSON unless it is a string)."""
    data = body if isinstance(body, str) else json.dumps(body)
    httpserver.expect_request(f"/{api}/{endpoint}", method="POST").respond_with_data(
        data, status=status, content_type="application/json"
    )


def requests_to(httpserver: HTTPServer, endpoint: str, api: str = "api") -> int:
    """How many requests ``/<api>/<endpoint>`` received."""
    return sum(1 for request, _ in httpserver.log if request.path == f"/{api}/{endpoint}")
