"""HTTP plumbing for the local server: JSON-over-POST on the standard library's server.

Used by :mod:`omo_selenium.server` only. This layer knows requests, bodies and sockets, not
the omocaptcha API: it reads a bounded JSON object, hands it to a :class:`JsonApp`, and
writes the JSON answer. It also tracks (and bounds) connection threads, so that a stopping
server can close them and join them.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import selectors
import socket
import socketserver
import time
from http import HTTPStatus
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit

from .bounded import DEFAULT_HEADER_TIMEOUT, BoundedHTTPServer, DeadlineRequestHandler

__all__ = [
    "MAX_INT_DIGITS",
    "HttpError",
    "JsonApp",
    "JsonHTTPServer",
    "content_length",
    "load_json_object",
    "parse_bounded_json",
]

logger = logging.getLogger("omo_selenium.server")

#: Longest integer accepted in a request body, in digits (a job id or a pixel count fits).
MAX_INT_DIGITS = 30


class HttpError(Exception):
    """Unwinds a request to an ``{"error": true, "message": ...}`` answer.

    Attributes:
        status: the HTTP status to answer.
        message: the text for the client (never a secret).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class JsonApp(Protocol):
    """What :class:`JsonHTTPServer` serves."""

    max_body_bytes: int
    request_timeout: float

    def knows(self, path: str) -> bool:
        """True when ``path`` is an endpoint (else 404)."""
        ...

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Answer a POSTed JSON object, or raise :class:`HttpError`."""
        ...


class JsonHTTPServer(BoundedHTTPServer):
    """A threading HTTP server for a :class:`JsonApp`, with tracked, bounded connections.

    Args:
        address: ``(host, port)`` to bind; a host with ``:`` binds IPv6.
        app: answers the requests.
        max_connections: connections served at once; see :class:`.BoundedHTTPServer`.
        name: prefix of thread names; :attr:`name` adds the bound port to it.
        header_timeout: seconds for a request line and its headers, in total.
        body_timeout: seconds for a body, in total; default the app's ``request_timeout``.
    """

    def __init__(
        self,
        address: tuple[str, int],
        *,
        app: JsonApp,
        max_connections: int,
        name: str,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
        body_timeout: float | None = None,
    ) -> None:
        self.app = app
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(
            address,
            _Handler,
            max_connections=max_connections,
            header_timeout=header_timeout,
            body_timeout=app.request_timeout if body_timeout is None else body_timeout,
            name=name,
        )
        self.socket.setblocking(False)

    def server_bind(self) -> None:
        """Bind without HTTPServer's ``socket.getfqdn`` (a DNS lookup) of our own address."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def serve_until_stopped(self) -> None:
        """Accept connections until :meth:`stop_serving` (which takes effect at once).

        Unlike ``serve_forever``, no polling interval: a socketpair wakes the loop.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                events = selector.select()
                if any(key.fileobj is self._wake_reader for key, _ in events):
                    return
                try:
                    request, client_address = self.get_request()
                except OSError:  # the client gave up between select and accept
                    continue
                self.process_request(request, client_address)

    def stop_serving(self) -> None:
        """Make :meth:`serve_until_stopped` return."""
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")

    def server_close(self) -> None:
        """Close the listening socket and the wake-up pair."""
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()


class _Handler(DeadlineRequestHandler):
    """Maps one HTTP request to the app; every answer is JSON, every connection closes."""

    server: JsonHTTPServer
    server_version = "omo-selenium"
    sys_version = ""

    def do_POST(self) -> None:
        """Read the JSON body, let the app answer it."""
        app = self.server.app
        try:
            path = self._known_path()
            body = self._read_json_object(app.max_body_bytes)
            self.request_read()
            answer = app.answer(path, body)
        except HttpError as exc:
            self._send_json(exc.status, {"error": True, "message": exc.message})
            return
        except Exception:
            logger.warning("unexpected error answering %s", self.path[:100], exc_info=True)
            self._send_json(500, {"error": True, "message": "internal server error"})
            return
        self._send_json(200, answer)

    def _refuse_method(self) -> None:
        self.request_read()
        try:
            self._known_path()
        except HttpError as exc:
            self._send_json(exc.status, {"error": True, "message": exc.message})
            return
        message = f"method {self.command} not allowed; use POST"
        self._send_json(405, {"error": True, "message": message})

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _refuse_method

    def _known_path(self) -> str:
        path = urlsplit(self.path).path
        if not self.server.app.knows(path):
            raise HttpError(404, f"no such endpoint {path[:100]!r}")
        return path

    def _read_json_object(self, max_bytes: int) -> dict[str, Any]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise HttpError(411, "chunked bodies are not supported; send Content-Length")
        length = content_length(self.headers.get_all("Content-Length") or [])
        if length > max_bytes:
            raise HttpError(413, f"body too large: {length} bytes, limit {max_bytes}")
        return load_json_object(self._read_exactly(length))

    def _read_exactly(self, length: int) -> bytes:
        """Read the body, bounding the total time (a socket timeout only bounds each read)."""
        deadline = self.start_body()
        reader: io.BufferedIOBase = self.rfile
        chunks: list[bytes] = []
        remaining = length
        while remaining > 0:
            if time.monotonic() > deadline:
                raise HttpError(408, "the request body took too long to arrive")
            try:
                chunk = reader.read1(min(remaining, 65536))
            except TimeoutError:
                raise HttpError(408, "the request body took too long to arrive") from None
            if not chunk:
                raise HttpError(400, "the body is shorter than Content-Length")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.close_connection = True
        # An unparsable request line leaves the HTTP/0.9 default, which would drop the status
        # line and headers; every answer of ours carries them.
        self.request_version = "HTTP/1.0"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            if status == 405:
                self.send_header("Allow", "POST")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError as exc:  # the client went away; nothing left to tell it
            logger.debug("could not answer %s: %s", self.client_address, exc)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer the base class's own errors (bad request line, headers...) in JSON too."""
        if code == HTTPStatus.NOT_IMPLEMENTED:  # a method we have no do_* for
            code, message = 405, f"method {self.command} not allowed; use POST"
        self._send_json(code, {"error": True, "message": message or HTTPStatus(code).phrase})


def content_length(values: list[str]) -> int:
    """The one ``Content-Length`` of a request, read strictly (digits only).

    Raises:
        HttpError: 411 when missing; 400 when repeated, signed, with ``_`` or not a number.
    """
    if not values:
        raise HttpError(411, "Content-Length is required")
    if len(values) > 1:
        raise HttpError(400, "more than one Content-Length header")
    text = values[0].strip()
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        raise HttpError(400, "Content-Length is negative")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise HttpError(400, "Content-Length is not a number")
    return int(text)


def parse_bounded_json(raw: bytes) -> Any:
    """Parse a request body as JSON, refusing what would cost us dearly.

    Integers beyond :data:`MAX_INT_DIGITS` digits, ``NaN``/``Infinity``, bytes that are
    not UTF-8 and nesting too deep for the parser are refused.

    Raises:
        ValueError: the body is none of the JSON within those bounds (the message says
            why, and holds none of the body).
    """
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_int=_bounded_int)
    except _NumberTooLong:
        raise ValueError(f"body holds an integer over {MAX_INT_DIGITS} digits") from None
    except RecursionError:
        raise ValueError("body is nested too deeply") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, a constant
        raise ValueError("body is not valid JSON") from None


def load_json_object(raw: bytes) -> dict[str, Any]:
    """Parse a request body as a JSON object within the bounds of
    :func:`parse_bounded_json`.

    Raises:
        HttpError: 400 for anything but a JSON object within those bounds.
    """
    try:
        body = parse_bounded_json(raw)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    if not isinstance(body, dict):
        raise HttpError(400, "body must be a JSON object")
    return body


class _NumberTooLong(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberTooLong(text[:20])
    return int(text)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")
