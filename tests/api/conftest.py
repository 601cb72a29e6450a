"""Fixtures shared by the API tests: real servers on 127.0.0.1 port 0 (stopped after each
test), a resetting one, logs."""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omo_selenium.api.server import OmoServer
from tests.api.shared import TOKEN
from tests.api.test_server import make_server, server
from tests.fakes import WAIT, ContentSolver

__all__ = ["logs", "make_server", "resetting_server", "server", "start_server"]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything we and urllib3 log, to grep it for the token."""
    caplog.set_level(logging.DEBUG, logger="omo_selenium")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    return caplog


@pytest.fixture
def start_server() -> Iterator[Callable[..., OmoServer]]:
    """Start OmoServers on 127.0.0.1 port 0 accepting ``TOKEN``; release blocked solvers
    and stop them after the test."""
    servers: list[OmoServer] = []

    def make(solver: Any = None, **kwargs: Any) -> OmoServer:
        server = OmoServer(solver or ContentSolver(), tokens=[TOKEN], **kwargs).start()
        servers.append(server)
        return server

    yield make
    for running in servers:
        release = getattr(running.solver, "release", None)
        if release is not None:
            release.set()
        running.stop()


@pytest.fixture
def resetting_server() -> Iterator[tuple[str, list[int]]]:
    """A TCP server that reads each request, then resets the connection without answering."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted = [0]
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted[0] += 1
            conn.settimeout(WAIT)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request has arrived: the server could have acted on it
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    stop.set()
    thread.join(WAIT)
    listener.close()
