"""The demo site's HTTP server: :class:`DemoSite` (a test fixture) and :func:`serve` (the CLI).

Routes::

    GET  /                 the demo page for the variant in the query string
    GET  /widget           the widget alone (what ``iframe=1`` embeds)
    GET  /static/<file>    CSS and JavaScript
    GET  /img/<token>      a challenge's background (JPEG) or piece (PNG), by opaque token
    POST /api/challenge    a new challenge for the variant in the query string (JSON)
    POST /api/verify       {"id", "x", "trajectory"} -> the verdict (JSON)
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from omo_selenium._signals import stop_on_signals
from omo_selenium.api.bounded import (
    DEFAULT_HEADER_TIMEOUT,
    BoundedHTTPServer,
    DeadlineRequestHandler,
)
from omo_selenium.api.httpd import HttpError, content_length

from .pages import read_static, render_frame, render_page
from .records import ChallengeRecord, VerificationRecord
from .store import ChallengeStore, RequestError
from .variants import Variant

__all__ = ["DemoSite", "serve"]

logger = logging.getLogger("omo_selenium.demo_site")

_MAX_BODY = 512 * 1024
#: Seconds a client may take to send a request body, and any socket operation.
_BODY_TIMEOUT = 15.0


class _HTTPServer(BoundedHTTPServer):
    def __init__(
        self,
        address: tuple[str, int],
        store: ChallengeStore,
        *,
        max_connections: int,
        header_timeout: float,
    ) -> None:
        super().__init__(
            address,
            _Handler,
            max_connections=max_connections,
            header_timeout=header_timeout,
            body_timeout=_BODY_TIMEOUT,
            name="demo-site",
        )
        self.store = store
        self.stopping = threading.Event()

    def refusal_body(self) -> tuple[bytes, str]:
        """The demo site's own error shape for a refused connection."""
        error = RequestError(503, "busy", "too many connections")
        return json.dumps(error.body()).encode(), "application/json"


class _Handler(DeadlineRequestHandler):
    server: _HTTPServer
    server_version = "DemoSite/1"
    sys_version = ""

    # -- responses ----------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the response was sent")

    def _json(self, status: int, data: dict[str, Any], **headers: str) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", **headers)

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/html; charset=utf-8")

    def _error(self, error: RequestError, **headers: str) -> None:
        self._json(error.status, error.body(), **headers)

    def _variant(self, query: str) -> Variant:
        try:
            return Variant.from_query(query)
        except ValueError as exc:
            raise RequestError(400, "bad_variant", str(exc)) from None

    def _body(self) -> bytes:
        try:
            size = content_length(self.headers.get_all("Content-Length") or [])
        except HttpError as exc:
            code = "length_required" if exc.status == 411 else "bad_request"
            raise RequestError(exc.status, code, exc.message) from None
        if size > _MAX_BODY:
            self.close_connection = True
            raise RequestError(413, "too_large", f"body over {_MAX_BODY} bytes")
        self.start_body()
        try:
            body = self.rfile.read(size)
        except TimeoutError:
            self.close_connection = True
            raise RequestError(408, "timeout", "the body took too long to arrive") from None
        if len(body) < size:
            self.close_connection = True
            raise RequestError(400, "bad_request", "the body is shorter than Content-Length")
        self.request_read()
        return body

    # -- routes -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self.request_read()
        url = urlsplit(self.path)
        path = url.path
        if path in ("/", "/index.html", "/widget"):
            try:
                variant = self._variant(url.query)
            except RequestError as exc:
                self._html(400, f"<!doctype html><title>Bad variant</title><p>{exc.message}</p>")
                return
            render = render_frame if path == "/widget" else render_page
            page = render(variant, self.server.store.page_rng)
            self._html(200, page)
        elif path.startswith("/static/"):
            asset = read_static(path[len("/static/") :])
            if asset is None:
                self._send(404, b"not found", "text/plain; charset=utf-8")
            else:
                self._send(200, asset[0], asset[1])
        elif path.startswith("/img/"):
            image = self.server.store.image(path[len("/img/") :])
            if image is None:
                self._send(404, b"not found", "text/plain; charset=utf-8")
            else:
                self._send(200, image[0], image[1])
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif path in ("/api/challenge", "/api/verify"):
            self._error(RequestError(405, "method_not_allowed", "use POST"), Allow="POST")
        elif path.startswith("/api/"):
            self._error(RequestError(404, "not_found", f"no endpoint {path}"))
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._body()
            if url.path == "/api/challenge":
                data = self.server.store.issue(self._variant(url.query))
                self._json(200, data)
            elif url.path == "/api/verify":
                verdict = self.server.store.verify(body)
                if verdict.delay > 0:
                    self.server.stopping.wait(verdict.delay)
                self._json(verdict.status, verdict.body)
            else:
                raise RequestError(404, "not_found", f"no endpoint {url.path}")
        except RequestError as exc:
            self._error(exc)


class DemoSite:
    """A local slider-captcha site on a background thread, for tests and demos.

    Binds ``host:port`` (port 0 picks a free one) on :meth:`start`; :meth:`stop` shuts it
    down and joins the thread. The records (:attr:`challenges`, :attr:`verifications`)
    hold the answers, which the pages never see.

    Args:
        host: address to bind.
        port: port to bind; 0 picks a free one (read it back from :attr:`url`).
        seed: seeds the picture generator for reproducible puzzles.
        ttl: seconds a challenge stays valid.
        max_failures: failed attempts after which a challenge is locked.
        tolerance_px: largest accepted landing error, natural image px.
        clock: monotonic clock used for expiry (injectable for tests).
        max_connections: connections served at once; when all are taken, the one idle or
            still sending its request the longest is closed for a newcomer.
        header_timeout: seconds a client may take to send its request line and headers.

    Example:
        >>> with DemoSite() as site:  # doctest: +SKIP
        ...     driver.get(site.url_for(scale=1.6))
        ...     record = site.wait_for_verification()
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | None = None,
        ttl: float = 120.0,
        max_failures: int = 3,
        tolerance_px: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
        max_connections: int = 64,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    ) -> None:
        self._address = (host, port)
        self._limits = {"max_connections": max_connections, "header_timeout": header_timeout}
        self.store = ChallengeStore(
            seed=seed, ttl=ttl, max_failures=max_failures, tolerance_px=tolerance_px, clock=clock
        )
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = self.url if self._server is not None else "stopped"
        return f"<DemoSite {state}>"

    def start(self) -> DemoSite:
        """Bind and serve on a daemon thread; return ``self``.

        Raises:
            RuntimeError: the site is already running.
            OSError: the address cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("DemoSite is already running")
        server = _HTTPServer(
            self._address,
            self.store,
            max_connections=int(self._limits["max_connections"]),
            header_timeout=float(self._limits["header_timeout"]),
        )
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="demo-site",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        logger.info("demo site listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and join the server thread (does nothing when not running)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections(timeout=5.0)
        thread.join(timeout=10.0)
        self._server = self._thread = None
        logger.info("demo site stopped")

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:40123`` (no trailing slash).

        Raises:
            RuntimeError: the site is not running.
        """
        if self._server is None:
            raise RuntimeError("DemoSite is not running")
        host, port = self._server.server_address[:2]
        host = str(host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def url_for(self, **variant: Any) -> str:
        """Return the page URL for a variant, e.g. ``url_for(scale=1.6, iframe=True)``.

        Keyword names are those of :class:`~demo_site.variants.Variant`; values may be
        typed (``1.6``, ``True``) or query-string text (``"1.6"``, ``"1"``).

        Raises:
            ValueError: unknown variant name or value out of range.
            RuntimeError: the site is not running.
        """
        as_text = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in variant.items()}
        query = Variant.from_query(as_text).to_query()
        return f"{self.url}/" + (f"?{query}" if query else "")

    # -- records (delegated to the store) -------------------------------------------------

    @property
    def challenges(self) -> list[ChallengeRecord]:
        """Issued challenges with their answers, oldest first (a copy)."""
        return self.store.challenges

    @property
    def verifications(self) -> list[VerificationRecord]:
        """Verification attempts on known challenges, oldest first (a copy)."""
        return self.store.verifications

    def verifications_tagged(self, tag: str) -> list[VerificationRecord]:
        """Verification attempts on challenges issued for pages with variant ``tag=...``."""
        wanted = {c.id for c in self.store.challenges if c.variant.tag == tag}
        return [v for v in self.store.verifications if v.challenge_id in wanted]

    def wait_for_verification(self, count: int = 1, timeout: float = 10.0) -> VerificationRecord:
        """Block until ``count`` verifications were recorded; return the ``count``-th.

        Raises:
            TimeoutError: fewer arrived within ``timeout`` seconds.
        """
        return self.store.wait_for_verification(count, timeout)

    def wait_for_challenge(self, count: int = 1, timeout: float = 10.0) -> ChallengeRecord:
        """Block until ``count`` challenges were issued; return the ``count``-th.

        Raises:
            TimeoutError: fewer were issued within ``timeout`` seconds.
        """
        return self.store.wait_for_challenge(count, timeout)

    def answer_for(self, challenge_id: str) -> ChallengeRecord:
        """Return an issued challenge's record: gap x (natural px), scale and ratio.

        Raises:
            KeyError: unknown id.
        """
        return self.store.answer_for(challenge_id)

    def last_challenge(self) -> ChallengeRecord:
        """Return the most recently issued challenge's record.

        Raises:
            LookupError: none was issued yet.
        """
        return self.store.last_challenge()

    def reset(self) -> None:
        """Forget every challenge and record (the server keeps running)."""
        self.store.reset()


def serve(
    host: str,
    port: int,
    *,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    seed: int | None = None,
) -> None:
    """Run a :class:`DemoSite` until SIGINT/SIGTERM (or ``stop`` is set).

    Signal handlers are installed only when called on the main thread, and restored
    afterwards; elsewhere, pass ``stop`` to end it.

    Args:
        host: address to bind.
        port: port to bind (0 picks a free one).
        ready: called with the base URL once the site is listening.
        stop: an event that ends serving when set.
        seed: seeds the picture generator.

    Raises:
        OSError: the address cannot be bound.
    """
    with stop_on_signals(stop) as stopping, DemoSite(host, port, seed=seed) as site:
        if ready is not None:
            ready(site.url)
        signum = stopping.wait(poll=0.5)
        if signum is not None:
            logger.info("signal %s received, stopping", signal.Signals(signum).name)
