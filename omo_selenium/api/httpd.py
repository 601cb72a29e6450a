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
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit

__all__ = ["HttpError", "JsonApp", "JsonHTTPServer"]

logger = logging.getLogger("omo_selenium.server")


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


class JsonHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server for a :class:`JsonApp`, with tracked, bounded connections.

    Args:
        address: ``(host, port)`` to bind; a host with ``:`` binds IPv6.
        app: answers the requests.
        max_connections: open connections at once; more are answered HTTP 503 at once.
        name: prefix of thread names; :attr:`name` adds the bound port to it.
    """

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], *, app: JsonApp, max_connections: int, name: str
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self.max_connections = max_connections
        self.name = name
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._connections_lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(address, _Handler)
        self.socket.setblocking(False)
        self.name = f"{name}-{self.server_port}"

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

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Serve a new connection on its own tracked thread, or refuse it when too many."""
        assert isinstance(request, socket.socket)  # TCP: always a socket
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"{self.name}-conn",
            daemon=True,
        )
        with self._connections_lock:
            accepted = len(self._connections) < self.max_connections
            if accepted:
                self._connections[thread] = request
        if not accepted:
            self._refuse(request)
            return
        try:
            thread.start()
        except RuntimeError:  # cannot start a thread: refuse, but keep serving
            with self._connections_lock:
                self._connections.pop(thread, None)
            self._refuse(request)

    def _serve_connection(self, sock: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(sock, client_address)
        except Exception:
            self.handle_error(sock, client_address)
        finally:
            self.shutdown_request(sock)
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def _refuse(self, sock: socket.socket) -> None:
        body = b'{"error": true, "message": "server busy: too many connections"}'
        head = (
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            sock.settimeout(1.0)
            sock.sendall(head.encode("ascii") + body)
        self.shutdown_request(sock)
        logger.warning(
            "refused a connection (%d open, limit %d)", len(self._connections), self.max_connections
        )

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Log an unexpected error at WARNING (the base class prints to stderr)."""
        logger.warning("error while serving %s", client_address, exc_info=True)

    def connection_threads(self) -> list[threading.Thread]:
        """Threads of the connections open now."""
        with self._connections_lock:
            return list(self._connections)

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection down and join its thread (bounded by ``timeout``)."""
        with self._connections_lock:
            open_connections = list(self._connections.items())
        for _, sock in open_connections:
            with contextlib.suppress(OSError):  # already closed by its own thread
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _ in open_connections:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    """Maps one HTTP request to the app; every answer is JSON, every connection closes."""

    server: JsonHTTPServer
    server_version = "omo-selenium"
    sys_version = ""

    def setup(self) -> None:
        """Give the socket the app's timeout (the base class leaves ``timeout=None`` alone)."""
        assert isinstance(self.request, socket.socket)
        self.request.settimeout(self.server.app.request_timeout)
        super().setup()

    def do_POST(self) -> None:
        """Read the JSON body, let the app answer it."""
        app = self.server.app
        try:
            path = self._known_path()
            answer = app.answer(path, self._read_json_object(app.max_body_bytes))
        except HttpError as exc:
            self._send_json(exc.status, {"error": True, "message": exc.message})
            return
        except Exception:
            logger.warning("unexpected error answering %s", self.path[:100], exc_info=True)
            self._send_json(500, {"error": True, "message": "internal server error"})
            return
        self._send_json(200, answer)

    def _refuse_method(self) -> None:
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
        declared = self.headers.get("Content-Length")
        if declared is None:
            raise HttpError(411, "Content-Length is required")
        try:
            length = int(declared)
        except ValueError:
            raise HttpError(400, "Content-Length is not a number") from None
        if length < 0:
            raise HttpError(400, "Content-Length is negative")
        if length > max_bytes:
            raise HttpError(413, f"body too large: {length} bytes, limit {max_bytes}")
        raw = self._read_exactly(length)
        try:
            body = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise HttpError(400, "body is not valid JSON") from None
        if not isinstance(body, dict):
            raise HttpError(400, "body must be a JSON object")
        return body

    def _read_exactly(self, length: int) -> bytes:
        """Read the body, bounding the total time (a socket timeout only bounds each read)."""
        deadline = time.monotonic() + self.server.app.request_timeout
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

    def log_message(self, format: str, *args: Any) -> None:
        """Log request lines at DEBUG instead of printing them to stderr."""
        logger.debug("%s %s", self.address_string(), format % args)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")
