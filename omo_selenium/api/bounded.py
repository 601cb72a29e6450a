"""Bounded HTTP serving on the standard library: connection slots, deadlines, tidy logs.

Shared by the local API server (:mod:`.httpd`) and the demo site. Nothing here knows the
omocaptcha API; it bounds what any client may cost:

- :class:`BoundedHTTPServer` serves each connection on a tracked thread, at most
  ``max_connections`` at once. When all slots are taken, the connection still sending its
  request that has been silent the longest (an idle or trickling client) is closed to make
  room; only when every slot is busy answering is the newcomer refused with HTTP 503. So
  idle and slow connections cannot lock normal clients out, while a client sending a large
  body at a normal pace (never silent for long) keeps its slot.
- :class:`DeadlineRequestHandler` reads the request line and headers under one total
  deadline (``header_timeout``) and the body under another (``body_timeout``): a client
  sending a byte every few seconds is cut off when its deadline passes, not renewed by
  every byte.
- Refusals are logged once per :data:`LOG_EVERY` seconds with a count, request lines are
  logged at DEBUG with control characters escaped.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "BoundedHTTPServer",
    "DeadlineRequestHandler",
    "Throttle",
    "printable",
]

logger = logging.getLogger("omo_selenium.server")

#: Seconds a client may take to send its request line and headers (all of them).
DEFAULT_HEADER_TIMEOUT = 5.0
#: A connection still sending its request may be closed for a newcomer after this long.
EVICT_AFTER = 0.25
#: Seconds between two log lines about refused or evicted connections.
LOG_EVERY = 10.0
_CONTROL = {code: f"\\x{code:02x}" for code in [*range(32), 127]}


def printable(text: str, limit: int = 300) -> str:
    """``text`` with control characters escaped (``\\x1b``), cut to ``limit`` characters."""
    return text[:limit].translate(_CONTROL)


class Throttle:
    """Lets one log line through per ``every`` seconds and counts the ones held back.

    Args:
        every: seconds between two lines.
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(self, every: float = LOG_EVERY, clock: Any = time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._next = -math.inf
        self._held = 0
        self._lock = threading.Lock()

    def ready(self) -> int | None:
        """``None`` when this event should not be logged, else how many were held back."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._held += 1
                return None
            self._next = now + self.every
            held, self._held = self._held, 0
            return held


class _DeadlineReader(io.RawIOBase):
    """Socket reads under a total deadline that the handler moves (headers, then body).

    Each ``recv`` gets the time left as its timeout, so no sequence of small reads can
    stretch past the deadline; past it, reading raises :class:`TimeoutError`.
    """

    def __init__(self, sock: socket.socket, deadline: float, idle_timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = deadline
        self.idle_timeout = idle_timeout
        self.last_read = -math.inf  # nothing read yet: silent since the connection opened

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the client took too long to send its request")
        self._sock.settimeout(min(remaining, self.idle_timeout))
        count = self._sock.recv_into(buffer)
        if count:
            self.last_read = time.monotonic()
        return count


@dataclass
class _Connection:
    sock: socket.socket
    started: float
    reading: bool = True
    reader: _DeadlineReader | None = field(default=None)

    def silent_since(self) -> float:
        """When this connection last sent us a byte (or opened)."""
        return self.started if self.reader is None else max(self.started, self.reader.last_read)


class BoundedHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server with bounded connections and request deadlines.

    Args:
        address: ``(host, port)`` to bind; a host with ``:`` binds IPv6.
        handler: the request handler class (a :class:`DeadlineRequestHandler`).
        max_connections: connections served at once (see the module docstring).
        header_timeout: seconds for the request line and headers, in total.
        body_timeout: seconds for the body, in total; also every socket's timeout.
        name: prefix of thread names; :attr:`name` adds the bound port to it.
    """

    daemon_threads = True
    request_queue_size = 64
    #: Seconds a connection whose request was read may take to finish its answer when
    #: the server stops (see :meth:`close_connections`).
    answer_grace = 1.0
    #: Seconds a connection must have been sending its request before it may be evicted.
    evict_after = EVICT_AFTER

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        max_connections: int,
        header_timeout: float,
        body_timeout: float,
        name: str,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._connections: dict[threading.Thread, _Connection] = {}
        self._connections_lock = threading.Lock()
        self._refusals = Throttle()
        self._evictions = Throttle()
        super().__init__(address, handler)
        self.name = f"{name}-{self.server_address[1]}"

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """Serve a new connection on its own tracked thread, making room or refusing."""
        assert isinstance(request, socket.socket)  # TCP: always a socket
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"{self.name}-conn",
            daemon=True,
        )
        now = time.monotonic()
        with self._connections_lock:
            if len(self._connections) >= self.max_connections:
                self._evict_oldest_reader(now)
            accepted = len(self._connections) < self.max_connections
            if accepted:
                self._connections[thread] = _Connection(request, now)
        if not accepted:
            self._refuse(request)
            return
        try:
            thread.start()
        except RuntimeError:  # cannot start a thread: refuse, but keep serving
            with self._connections_lock:
                self._connections.pop(thread, None)
            self._refuse(request)

    def _evict_oldest_reader(self, now: float) -> None:
        """Close the reading connection silent the longest; the caller holds the lock."""
        readers = [
            (conn.silent_since(), thread)
            for thread, conn in self._connections.items()
            if conn.reading and now - conn.silent_since() >= self.evict_after
        ]
        if not readers:
            return
        _, thread = min(readers, key=lambda item: item[0])
        conn = self._connections.pop(thread)
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_RDWR)
        held = self._evictions.ready()
        if held is not None:
            logger.warning(
                "all %d connections taken: closed one silent for %.1fs while sending its "
                "request (%d more since the last such line)",
                self.max_connections,
                now - conn.silent_since(),
                held,
            )

    def attach_reader(self, reader: _DeadlineReader) -> None:
        """Called by the handler: how its connection's reads progress (for eviction)."""
        with self._connections_lock:
            conn = self._connections.get(threading.current_thread())
            if conn is not None:
                conn.reader = reader

    def reading_done(self) -> None:
        """Called by the handler once its request is read: no longer evictable."""
        with self._connections_lock:
            conn = self._connections.get(threading.current_thread())
            if conn is not None:
                conn.reading = False

    def _serve_connection(self, sock: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(sock, client_address)
        except Exception:
            self.handle_error(sock, client_address)
        finally:
            self.shutdown_request(sock)
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def refusal_body(self) -> tuple[bytes, str]:
        """The body and content type of the HTTP 503 sent to a refused connection."""
        return b'{"error": true, "message": "server busy: too many connections"}', (
            "application/json"
        )

    def _refuse(self, sock: socket.socket) -> None:
        body, content_type = self.refusal_body()
        head = (
            f"HTTP/1.0 503 Service Unavailable\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            sock.settimeout(1.0)
            sock.sendall(head.encode("ascii") + body)
        self.shutdown_request(sock)
        held = self._refusals.ready()
        if held is not None:
            logger.warning(
                "refused a connection: all %d busy answering (%d more refused since the "
                "last such line)",
                self.max_connections,
                held,
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
        """Shut every open connection down and join its thread (bounded by ``timeout``).

        Connections still sending their request are shut at once; those whose request
        was read get up to :attr:`answer_grace` seconds (within ``timeout``) to finish
        their answer first, so a stop does not cut an answer off after its headers.
        """
        with self._connections_lock:
            open_connections = list(self._connections.items())
        for _, conn in open_connections:
            if conn.reading:
                with contextlib.suppress(OSError):  # already closed by its own thread
                    conn.sock.shutdown(socket.SHUT_RDWR)
        grace = time.monotonic() + min(timeout, self.answer_grace)
        for thread, conn in open_connections:
            if not conn.reading:
                thread.join(max(0.0, grace - time.monotonic()))
        for thread, conn in open_connections:
            if thread.is_alive():
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _ in open_connections:
            thread.join(max(0.0, deadline - time.monotonic()))


class DeadlineRequestHandler(BaseHTTPRequestHandler):
    """Reads requests under total deadlines set by its :class:`BoundedHTTPServer`.

    Subclasses call :meth:`start_body` before reading a body and :meth:`request_read` once
    the request is fully read (the connection may no longer be evicted).
    """

    server: BoundedHTTPServer
    _reader: _DeadlineReader

    def setup(self) -> None:
        """Wrap the socket in a deadline reader; headers get ``header_timeout`` in total."""
        super().setup()
        assert isinstance(self.request, socket.socket)
        self.request.settimeout(self.server.body_timeout)
        deadline = time.monotonic() + self.server.header_timeout
        self._reader = _DeadlineReader(self.request, deadline, self.server.body_timeout)
        self.server.attach_reader(self._reader)
        self.rfile = io.BufferedReader(self._reader, 65536)

    def start_body(self) -> float:
        """Give the body its own deadline (``body_timeout`` from now); return it."""
        deadline = time.monotonic() + self.server.body_timeout
        self._reader.deadline = deadline
        return deadline

    def request_read(self) -> None:
        """The request is read: restore a plain timeout for writing, stop being evictable."""
        self._reader.deadline = math.inf
        with contextlib.suppress(OSError):
            self.request.settimeout(self.server.body_timeout)
        self.server.reading_done()

    def log_message(self, format: str, *args: Any) -> None:
        """Log request lines at DEBUG (escaped) instead of printing them to stderr."""
        logger.debug("%s %s", self.address_string(), printable(format % args))

    def log_error(self, format: str, *args: Any) -> None:
        """Timeouts and malformed requests are the client's business: DEBUG, escaped."""
        logger.debug("%s %s", self.address_string(), printable(format % args))
