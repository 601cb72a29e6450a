"""Hard time and size bounds for the client's HTTP calls.

A socket timeout bounds each read, not a request: a server trickling one byte a second
never trips it. This module bounds the whole:

- :class:`Budget`: a deadline (``max_wait`` of a whole solve) as a value; every request's
  timeout is cut to what is left of it.
- :func:`watch` with :class:`DeadlineAdapter`: the sockets a request uses are shut down
  when its time is up, wherever it is (connecting, sending, headers, body, retries).
- :func:`read_limited`: the body is read up to a byte limit (compressed and decompressed),
  so neither a huge nor a gzip-bomb answer can fill memory.

Used by :mod:`.client`; the task API's calls can use the same three pieces.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from ..errors import ProtocolError

__all__ = [
    "MAX_ANSWER_BYTES",
    "Budget",
    "DeadlineAdapter",
    "DeadlineRetry",
    "Watch",
    "read_limited",
    "retry_after",
    "watch",
]

#: Largest answer body read, in bytes, before and after decompression.
MAX_ANSWER_BYTES = 1024 * 1024
_CHUNK = 65536


@dataclass(frozen=True)
class Budget:
    """A deadline on a ``clock``: what is left of a whole operation's time.

    Attributes:
        deadline: the ``clock()`` value at which time is up.
        clock: a monotonic clock in seconds.
    """

    deadline: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def starting_now(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Budget:
        """A budget of ``seconds`` from now."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left (negative once the deadline has passed)."""
        return self.deadline - self.clock()

    def cut(self, seconds: float) -> float:
        """``seconds``, or what is left of the budget when that is less."""
        return min(seconds, self.remaining())


class Watch:
    """The sockets of one request, shut down when its time is up.

    Attributes:
        fired: True once the time was up while the request ran.
    """

    def __init__(self, deadline: float = math.inf) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        """Watch ``sock`` too (shut at once when the time is already up)."""
        if sock is None:
            return
        with self._lock:
            if not any(s is sock for s in self._sockets):
                self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def fire(self) -> None:
        """The time is up: shut every watched socket down (their reads end at once)."""
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


_active = threading.local()


@contextlib.contextmanager
def watch(seconds: float) -> Iterator[Watch]:
    """Bound the requests made by this thread inside the block to ``seconds`` in total.

    Only requests sent through a :class:`DeadlineAdapter` are watched.
    """
    current = Watch(time.monotonic() + seconds)
    timer = threading.Timer(max(0.0, seconds), current.fire)
    timer.daemon = True
    previous = getattr(_active, "watch", None)
    _active.watch = current
    timer.start()
    try:
        yield current
    finally:
        timer.cancel()
        _active.watch = previous


def _watched(sock: socket.socket | None) -> None:
    current: Watch | None = getattr(_active, "watch", None)
    if current is not None:
        current.add(sock)


class DeadlineRetry(Retry):
    """A urllib3 :class:`~urllib3.util.retry.Retry` that stops at the :func:`watch` deadline.

    No retry starts once the time is up, and no backoff sleeps past it.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> DeadlineRetry:
        """Give up at once when the watched time is up; else as :class:`Retry`."""
        current: Watch | None = getattr(_active, "watch", None)
        if current is not None and (current.fired or time.monotonic() >= current.deadline):
            if error is not None:  # as urllib3 does when no retry is allowed
                raise error
            raise MaxRetryError(_pool, url, error)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Back off as :class:`Retry` does, never past the watched deadline."""
        current: Watch | None = getattr(_active, "watch", None)
        if current is None:
            super().sleep(response)
            return
        backoff = min(self.get_backoff_time(), current.deadline - time.monotonic())
        if backoff > 0:
            time.sleep(backoff)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchesItsSocket:
    """Mixed into urllib3's connections: every socket a request uses joins the watch."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watched(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self) -> Any:
        _watched(self.sock)
        return super().getresponse()  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchesItsSocket, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchesItsSocket, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` whose sockets :func:`watch` can shut down."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Make the pool manager build watched connections."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def read_limited(response: requests.Response, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """Read a streamed response's body, refusing more than ``limit`` bytes.

    The limit holds for the bytes on the wire and for the decompressed body (``gzip`` and
    ``deflate``); any other ``Content-Encoding`` is refused.

    Raises:
        ProtocolError: the body is, or would decompress to, more than ``limit`` bytes, or
            its encoding is unknown or broken.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"answer of {declared} bytes is over the {limit}-byte limit")
    raw = response.raw
    if not isinstance(raw, BaseHTTPResponse):  # a mock transport: already in memory
        content = response.content or b""
        if len(content) > limit:
            raise ProtocolError(f"answer is over the {limit}-byte limit")
        return content
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise ProtocolError(f"answer is over the {limit}-byte limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _inflate(body, limit)
    raise ProtocolError(f"answer in an unsupported Content-Encoding {encoding[:20]!r}")


def _inflate(data: bytes, limit: int) -> bytes:
    """Decompress gzip, zlib or raw deflate ``data`` into at most ``limit`` bytes."""
    for wbits in (47, -15):  # 47: gzip or zlib header; -15: raw deflate
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit or inflater.unconsumed_tail:
            raise ProtocolError(f"answer decompresses to over the {limit}-byte limit")
        return out
    raise ProtocolError("answer's compressed body is broken")


def retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay or HTTP date), else ``None``."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) < 10:
        return float(text)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    wait = when - now()
    return max(0.0, wait) if math.isfinite(wait) else None
