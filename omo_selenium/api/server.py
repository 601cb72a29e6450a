"""A local HTTP server speaking the omocaptcha API over any :class:`~omo_selenium.Solver`.

:class:`OmoServer` implements ``POST /api/createJob`` and ``POST /api/getJobResult`` as the
contract in ``omocaptcha-api.md`` describes them, and the task API (``/v2/createTask``,
``/v2/getTaskResult``, ``/v2/getBalance``) and ``/api/getBalance`` through
:mod:`.task_routes`, on the standard library's HTTP server. It
lets :class:`~omo_selenium.client.OmoCaptchaClient` (or any omocaptcha client) work offline,
with the :class:`~omo_selenium.engine.LocalEngine` as its solver by default.

Every answer is JSON. Bad input gets ``{"error": true, "message": ...}`` with a fitting HTTP
status; nothing a client sends can crash or hang the server: bodies, images, the job queue,
the job table and the number of connections are all bounded, and every socket has a timeout.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import logging
import math
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from .._signals import stop_on_signals
from .._types import Balance, Solver
from ..config import SLIDER_JOB_TYPE
from ..errors import ConfigurationError
from ..images import ImageLimits, ImageRefused, check_screenshot
from .bounded import DEFAULT_HEADER_TIMEOUT
from .httpd import HttpError, JsonHTTPServer
from .jobs import JobStore, QueueFull, WorkerPool
from .task_routes import TaskRoutes

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_IMAGE_PIXELS",
    "DEFAULT_REQUEST_TIMEOUT",
    "OmoServer",
    "is_loopback",
    "run_server",
]

logger = logging.getLogger("omo_selenium.server")

#: Largest request body accepted (HTTP 413 beyond).
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
#: Largest captcha image accepted, in pixels (HTTP 413 beyond): a 2000 x 2000 screenshot.
DEFAULT_MAX_IMAGE_PIXELS = 4_000_000
#: Largest ratio of an image's longer side to its shorter one (HTTP 413 beyond).
MAX_IMAGE_ASPECT = 20.0
#: Image bytes waiting for a worker, all jobs together (HTTP 503 beyond).
DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024
#: Connections served at once.
DEFAULT_MAX_CONNECTIONS = 64
#: Seconds a client may take to send a request body, in total.
DEFAULT_REQUEST_TIMEOUT = 10.0
#: Largest ``width_view`` accepted, in CSS pixels.
MAX_WIDTH_VIEW = 100_000
_CREATE_JOB = "/api/createJob"
_GET_JOB_RESULT = "/api/getJobResult"
_DATA_URL_PREFIX = re.compile(r"^data:[\w/+.-]*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(rb"\s+")


class OmoServer:
    """An omocaptcha-compatible HTTP server on a daemon thread.

    The socket is bound at construction, so :attr:`port` and :attr:`url` are known at once
    (``port=0`` picks a free port). :meth:`start` serves; :meth:`stop` shuts the listener,
    closes open connections, fails the jobs still queued and joins every thread. A server
    runs once: :meth:`start` refuses a second start. It is also a context manager.

    Jobs are solved by ``workers`` threads fed by a queue of at most ``max_queue`` waiting
    jobs; when it is full, ``createJob`` answers HTTP 503. The job table keeps at most
    ``max_jobs`` jobs (the oldest are evicted) for ``job_ttl`` seconds after creation;
    asking about an unknown, evicted or expired job answers HTTP 404.

    Args:
        solver: turns a captcha image into a distance; default a new ``LocalEngine``.
        host: the interface to bind; keep the default loopback unless you mean to share it.
        port: the TCP port; 0 picks a free one.
        tokens: the accepted ``api_token`` values. ``None`` on a loopback host accepts
            any non-empty token (handy locally; a WARNING says so); ``None`` on any other
            host generates one random token (read it from :attr:`generated_token`). A
            wrong or missing token answers HTTP 401. A job is bound to the token that
            created it: asked for with another token, it is "not found".
        workers: solving threads.
        max_queue: jobs that may wait for a worker.
        balance: what ``getBalance`` answers (both APIs); default zero everywhere, as the
            local server charges nothing.
        job_ttl: seconds a job and its answer stay readable after creation.
        max_jobs: jobs kept at once.
        max_body_bytes: largest request body.
        max_image_pixels: largest captcha image, width times height (and no side more
            than 20 times the other). Only PNG, JPEG and WebP are accepted, and an image
            must decode before its job is created.
        request_timeout: seconds a client may take to send a request body, in total
            (also the timeout of every socket operation).
        max_connections: concurrent connections; when all are taken, the one that has
            been sending its request the longest is closed for the newcomer, and only
            when all are busy answering is the newcomer answered HTTP 503.
        header_timeout: seconds a client may take to send its request line and headers,
            in total (a client trickling bytes is cut off then, not renewed by each byte).
        max_pending_bytes: image bytes of all jobs waiting for a worker (HTTP 503 beyond).

    Raises:
        ConfigurationError: an argument is out of range.
        OSError: the address cannot be bound.

    Example:
        >>> with OmoServer(my_solver, tokens=["secret"]) as server:  # doctest: +SKIP
        ...     client = OmoCaptchaClient("secret", server.url)
    """

    def __init__(
        self,
        solver: Solver | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tokens: Iterable[str] | None = None,
        workers: int = 2,
        max_queue: int = 64,
        balance: Balance | None = None,
        job_ttl: float = 300.0,
        max_jobs: int = 10_000,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
        max_pending_bytes: int = DEFAULT_MAX_PENDING_BYTES,
    ) -> None:
        for name, value in (
            ("workers", workers),
            ("max_queue", max_queue),
            ("max_jobs", max_jobs),
            ("max_body_bytes", max_body_bytes),
            ("max_image_pixels", max_image_pixels),
            ("max_connections", max_connections),
            ("max_pending_bytes", max_pending_bytes),
        ):
            _require_positive_int(name, value)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigurationError(f"port must be an integer from 0 to 65535, got {port!r}")
        for name, seconds in (
            ("job_ttl", job_ttl),
            ("request_timeout", request_timeout),
            ("header_timeout", header_timeout),
        ):
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
                raise ConfigurationError(f"{name} must be a number of seconds, got {seconds!r}")
            if not math.isfinite(seconds) or seconds <= 0:
                raise ConfigurationError(f"{name} must be positive and finite, got {seconds!r}")
        self._tokens = _accepted_tokens(tokens)
        #: The token generated for a non-loopback host started without ``tokens``, else None.
        self.generated_token: str | None = None
        if self._tokens is None and not is_loopback(host):
            self.generated_token = secrets.token_urlsafe(24)
            self._tokens = _accepted_tokens([self.generated_token])
        if solver is None:
            from ..engine.local import LocalEngine

            solver = LocalEngine()
        self.solver: Solver = solver
        self.max_body_bytes = max_body_bytes
        self.max_image_pixels = max_image_pixels
        self.image_limits = ImageLimits(max_pixels=max_image_pixels, max_aspect=MAX_IMAGE_ASPECT)
        self.request_timeout = float(request_timeout)
        self._store = JobStore(
            max_jobs=max_jobs, ttl=float(job_ttl), max_pending_bytes=max_pending_bytes
        )
        self._httpd = JsonHTTPServer(
            (host, port),
            app=self,
            max_connections=max_connections,
            name="omo-server",
            header_timeout=float(header_timeout),
        )
        name = self._httpd.name  # "omo-server-<port>": names every thread of this server
        self._pool = WorkerPool(
            solver, self._store, workers=workers, max_queue=max_queue, name=name
        )
        self._tasks = TaskRoutes(
            store=self._store,
            pool=self._pool,
            tokens=self._tokens,
            check_token=self._check_token,
            decode_image=self._decode_image,
            balance=balance or Balance(amount=0.0, solves_left=0, promotional=0.0),
            max_view=MAX_WIDTH_VIEW,
        )
        self._thread = threading.Thread(
            target=self._httpd.serve_until_stopped, name=name, daemon=True
        )
        self._state = "new"
        self._state_lock = threading.Lock()

    @property
    def host(self) -> str:
        """The bound address."""
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        """The bound TCP port (the real one when constructed with ``port=0``)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client, e.g. ``http://127.0.0.1:43117``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def is_running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._state == "running"

    @property
    def job_count(self) -> int:
        """Jobs currently kept (running or finished, not yet expired or evicted)."""
        return len(self._store)

    def threads(self) -> list[threading.Thread]:
        """The server's own threads still alive: listener, workers, connections."""
        candidates = [self._thread, *self._pool.threads, *self._httpd.connection_threads()]
        return [thread for thread in candidates if thread.is_alive()]

    def start(self) -> OmoServer:
        """Start serving on a daemon thread.

        Returns:
            The server itself.

        Raises:
            RuntimeError: the server was already started (a server runs once).
        """
        with self._state_lock:
            if self._state != "new":
                raise RuntimeError(f"{self!r} was already started; a server runs once")
            self._state = "running"
            self._pool.start()
            self._thread.start()
        logger.info("omocaptcha-compatible server listening on %s", self.url)
        if self._tokens is None:
            logger.warning(
                "no tokens configured: any non-empty api_token is accepted on %s "
                "(loopback only; pass tokens to check them)",
                self.url,
            )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and join every thread; calling it again does nothing.

        Args:
            timeout: seconds to wait for connections and workers; a solver stuck past it
                is left behind on its daemon thread, with a WARNING.
        """
        with self._state_lock:
            if self._state == "stopped":
                return
            was_running = self._state == "running"
            self._state = "stopped"
            if was_running:
                self._httpd.stop_serving()
                self._thread.join()
            self._httpd.server_close()
            self._httpd.close_connections(timeout)
            self._pool.stop(timeout)
        if was_running:
            logger.info("omocaptcha-compatible server on %s stopped", self.url)

    def __enter__(self) -> OmoServer:
        if self._state == "new":
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, state={self._state!r})"

    # -- the API (JsonApp), called on connection threads ------------------------------------

    def knows(self, path: str) -> bool:
        """True for the endpoints of both APIs.

        Args:
            path: the request path.
        """
        return path in (_CREATE_JOB, _GET_JOB_RESULT) or self._tasks.knows(path)

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Answer one API call (the token is checked first).

        Args:
            path: ``/api/createJob``, ``/api/getJobResult``, or a path of :mod:`.task_routes`.
            body: the request's JSON object.

        Returns:
            The JSON object to send with HTTP 200.

        Raises:
            HttpError: the request is refused; the handler answers ``error: true``.
        """
        if self._tasks.knows(path):
            return self._tasks.answer(path, body)
        owner = self._check_token(body)
        if path == _CREATE_JOB:
            return self._create_job(body, owner)
        return self._get_job_result(body, owner)

    def _check_token(self, body: dict[str, Any]) -> bytes:
        """Check the body's token; return its digest, which the jobs it creates carry."""
        token = body.get("api_token")
        if not isinstance(token, str) or not token:
            raise HttpError(401, "api_token is missing")
        given = token.encode("utf-8", "replace")
        if self._tokens is not None and not any(
            hmac.compare_digest(given, accepted) for accepted in self._tokens
        ):
            raise HttpError(401, "api_token is not valid")
        return hashlib.sha256(given).digest()

    def _create_job(self, body: dict[str, Any], owner: bytes = b"") -> dict[str, Any]:
        data = body.get("data")
        if not isinstance(data, dict):
            raise HttpError(
                400, "data must be an object with type_job_id, image_base64 and width_view"
            )
        type_job_id = data.get("type_job_id")
        if type_job_id is None:
            raise HttpError(400, "data.type_job_id is missing")
        if isinstance(type_job_id, bool) or str(type_job_id) != SLIDER_JOB_TYPE:
            raise HttpError(
                400,
                f"unsupported type_job_id {str(type_job_id)[:20]!r}: "
                f'only "{SLIDER_JOB_TYPE}" (web slider) is supported',
            )
        width_view = data.get("width_view")
        if width_view is None:
            raise HttpError(400, "data.width_view is missing")
        if (
            isinstance(width_view, bool)
            or not isinstance(width_view, (int, float))
            or not math.isfinite(width_view)
            or not 0 < width_view <= MAX_WIDTH_VIEW
        ):
            raise HttpError(
                400, f"data.width_view must be a number in (0, {MAX_WIDTH_VIEW}] CSS pixels"
            )
        image = self._decode_image(data.get("image_base64"))
        try:
            job = self._store.add(image, float(width_view), owner=owner)
        except QueueFull:
            raise HttpError(503, "server busy: too many images waiting, retry later") from None
        try:
            self._pool.submit(job)
        except QueueFull:
            self._store.discard(job)
            raise HttpError(503, "server busy: the job queue is full, retry later") from None
        logger.debug("job %d created (%d image bytes)", job.job_id, len(image))
        return {"error": False, "job_id": job.job_id, "message": "Create job success."}

    def _decode_image(self, encoded: object) -> bytes:
        if encoded is None:
            raise HttpError(400, "data.image_base64 is missing")
        if not isinstance(encoded, str):
            raise HttpError(400, "data.image_base64 must be a base64 string")
        text = _DATA_URL_PREFIX.sub("", encoded, count=1)
        try:
            raw = base64.b64decode(_WHITESPACE.sub(b"", text.encode("ascii")), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise HttpError(400, "data.image_base64 is not valid base64") from None
        if not raw:
            raise HttpError(400, "data.image_base64 is empty")
        try:
            check_screenshot(raw, self.image_limits)
        except ImageRefused as exc:
            raise HttpError(413 if exc.too_large else 400, f"data.image_base64: {exc}") from None
        return raw

    def _get_job_result(self, body: dict[str, Any], owner: bytes = b"") -> dict[str, Any]:
        job_id = body.get("job_id")
        if isinstance(job_id, str) and job_id.isascii() and job_id.isdigit():
            if len(job_id) > 20:
                raise HttpError(400, "job_id is not a job id (too many digits)")
            job_id = int(job_id)
        if job_id is None:
            raise HttpError(400, "job_id is missing")
        if isinstance(job_id, bool) or not isinstance(job_id, int):
            raise HttpError(400, "job_id must be an integer")
        state = self._store.get(job_id, owner=owner)
        if state is None:
            raise HttpError(404, f"job {job_id} not found (unknown or expired)")
        status, result = state
        return {"error": False, "status": status, "result": result}


def run_server(
    *,
    host: str,
    port: int,
    tokens: list[str] | None,
    workers: int,
    max_queue: int,
    ready: Callable[[str], None] | None = None,
    solver: Solver | None = None,
    stop_event: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    **limits: Any,
) -> None:
    """Serve the omocaptcha API until SIGINT or SIGTERM, then stop cleanly and return.

    Signal handlers are installed only when called on the main thread (and restored on
    return); from another thread, set ``stop_event`` to stop.

    Args:
        host: the interface to bind.
        port: the TCP port; 0 picks a free one.
        tokens: the accepted API tokens; ``None``: any non-empty token on a loopback host,
            a generated one (see ``on_token``) on any other.
        workers: solving threads.
        max_queue: jobs that may wait for a worker.
        ready: called with the server's URL once it is serving (the CLI prints it).
        solver: the solver; default a new ``LocalEngine``.
        stop_event: when set, the server stops and this function returns.
        on_token: called with the token generated for a non-loopback host started
            without ``tokens`` (the CLI prints it; it is never logged).
        limits: further :class:`OmoServer` settings (``max_connections``,
            ``header_timeout``, ``request_timeout``, ``max_image_pixels``...).

    Raises:
        ConfigurationError: an argument is out of range.
        OSError: the address cannot be bound.
    """
    with (
        stop_on_signals(stop_event) as stopping,
        OmoServer(
            solver,
            host=host,
            port=port,
            tokens=tokens,
            workers=workers,
            max_queue=max_queue,
            **limits,
        ) as server,
    ):
        if ready is not None:
            ready(server.url)
        if on_token is not None and server.generated_token is not None:
            on_token(server.generated_token)
        signum = stopping.wait()
        if signum is not None:
            logger.info("signal %d received; stopping", signum)


def is_loopback(host: str) -> bool:
    """True when ``host`` names the loopback interface only (not ``0.0.0.0`` or a LAN address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _require_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}")


def _accepted_tokens(tokens: Iterable[str] | None) -> frozenset[bytes] | None:
    if tokens is None:
        return None
    if isinstance(tokens, (str, bytes)):
        raise ConfigurationError("tokens must be a list of strings, not a single string")
    accepted = list(tokens)
    if not accepted:
        raise ConfigurationError("tokens is empty: no request could ever be accepted")
    for token in accepted:
        if not isinstance(token, str) or not token or any(c.isspace() for c in token):
            raise ConfigurationError("every token must be a non-empty string without whitespace")
    return frozenset(token.encode("utf-8") for token in accepted)
