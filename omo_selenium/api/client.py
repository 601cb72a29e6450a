"""Client for the omocaptcha HTTP APIs: the job API and the task API (v2).

:class:`OmoCaptchaClient` speaks the contract in ``omocaptcha-api.md`` over a
:class:`requests.Session` and implements the :class:`~omo_selenium.Solver` protocol, so it
can be swapped with the offline :class:`~omo_selenium.engine.LocalEngine`;
:func:`omo_selenium.default_solver` picks one of the two. The job API (``createJob`` /
``getJobResult``) is spoken here; the task API (``/v2/...``) by :mod:`.tasks`, over the
same session, behind the same methods.

The API token travels only in JSON request bodies. It never appears in a URL, a log line,
a ``repr`` or an exception message (server messages are scrubbed before we repeat them).
"""

from __future__ import annotations

import base64
import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
import urllib3

from .._types import Balance, ImageInput, JobResult, PieceImage, SliderAnswer
from ..config import (
    API_TASK,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_WAIT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TASK_BASE_URL,
    SLIDER_JOB_TYPE,
    resolve_api,
    resolve_api_key,
    resolve_base_url,
    resolve_task_type,
)
from ..errors import (
    ApiError,
    ConfigurationError,
    OmoCaptchaError,
    SolveFailed,
    SolveTimeout,
    TransportError,
)
from ..images import to_png_bytes
from .answers import AnswerReader
from .deadline import (
    Budget,
    DeadlineAdapter,
    DeadlineRetry,
    read_limited,
    retry_after,
    watch,
)
from .pieces import composite_piece
from .tasks import TaskApi

__all__ = ["DEFAULT_RETRIES", "OmoCaptchaClient", "poll_job"]

logger = logging.getLogger("omo_selenium.client")

#: Transport retries (connect errors, HTTP 502/503/504) before a :class:`TransportError`.
DEFAULT_RETRIES = 3
#: Seconds before the first ``getJobResult`` poll; the delay then doubles up to ``poll_interval``.
FIRST_POLL_DELAY = 0.25
_BACKOFF_FACTOR = 0.25
_BACKOFF_MAX = 4.0
#: HTTP 429 answers waited out (within the deadline) before giving up.
MAX_RATE_LIMIT_WAITS = 5


class _Polled(Protocol):
    """A job's or a task's state, as the poll loop reads it."""

    @property
    def job_id(self) -> int | str: ...
    @property
    def status(self) -> str: ...
    @property
    def ready(self) -> bool: ...


_P = TypeVar("_P", bound=_Polled)


def poll_job(
    fetch: Callable[[], _P],
    *,
    deadline: float,
    poll_interval: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> _P:
    """Call ``fetch`` until the job is finished, or raise once ``deadline`` has passed.

    The first poll happens at once; the delay between polls starts at
    :data:`FIRST_POLL_DELAY` and doubles up to ``poll_interval``, so a fast (local) solver
    answers quickly while a remote service is asked about every ``poll_interval`` seconds.
    The deadline is checked before every sleep, and no sleep runs past it; a last poll is
    made when the deadline is reached.

    Args:
        fetch: returns the job's current :class:`JobResult` (one ``getJobResult`` call),
            or a task's :class:`~omo_selenium.api.tasks.TaskResult`.
        deadline: a ``clock()`` value after which we stop waiting.
        poll_interval: the longest pause, in seconds, between two polls.
        sleep: waits that many seconds (injectable for tests).
        clock: a monotonic clock in seconds (injectable for tests).

    Returns:
        The first finished result (status ``"success"`` or ``"fail"``).

    Raises:
        SolveTimeout: the job was still unfinished at the deadline; ``last_status`` holds
            the last status seen.
    """
    delay = min(FIRST_POLL_DELAY, poll_interval)
    last: _P | None = None
    while True:
        try:
            result = fetch()
        except SolveTimeout as exc:  # the request itself ran out of time
            if last is not None and exc.last_status is None:
                exc.last_status, exc.job_id = last.status, last.job_id
            raise
        last = result
        logger.debug("job %s: status %s", result.job_id, result.status)
        if result.ready:
            return result
        remaining = deadline - clock()
        if remaining <= 0:
            raise SolveTimeout(
                f"no answer before the deadline (last status {result.status!r})",
                job_id=result.job_id,
                last_status=result.status,
            )
        sleep(min(delay, remaining))
        delay = min(delay * 2, poll_interval)


class OmoCaptchaClient:
    """Solve slider captchas with the omocaptcha service (or a compatible server).

    Implements the :class:`~omo_selenium.Solver` protocol through :meth:`solve`, and the
    :class:`~omo_selenium.PieceSolver` protocol through :meth:`solve_piece`.

    It speaks either API behind the same methods, with answers in one meaning (the drag
    distance in CSS px of the displayed picture):

    - the job API (``api="job"``, the default): ``/api/createJob`` with ``api_token``;
    - the task API (``api="task"``): ``/v2/createTask`` with ``clientKey``, a single
      screenshot solved as ``task_type`` (default ``TiktokSliderWebTask``), the piece as its
      own picture as ``SliderAllWebTask``. Its raw calls are on :attr:`tasks`.

    Transport retries are a urllib3 :class:`~urllib3.util.retry.Retry` policy mounted on the
    session: connect errors and HTTP 502/503/504 are retried ``retries`` times with a short
    exponential backoff; ``createJob`` is retried only where the job cannot have been created
    (see :meth:`_mount_retries`). When you pass your own ``session`` it is used as it is (no
    adapters are mounted, it is not closed by :meth:`close`): its adapters are your seam, for
    example a mock transport. Mount :class:`~omo_selenium.api.deadline.DeadlineAdapter` on
    it to keep the hard per-request deadline (without it, timeouts bound each read only).

    A client holds one :class:`requests.Session`; use one client per thread. Answers are
    read up to 1 MiB (compressed or not); HTTP 429 is waited out when its ``Retry-After``
    fits in the time left. Credentials in the base URL (``http://user:pass@host``) are
    sent as HTTP basic auth and kept out of :attr:`base_url`, reprs, logs and errors.

    Args:
        api_key: the account token; default ``OMOCAPTCHA_API_KEY``.
        base_url: the service's URL; default ``OMOCAPTCHA_BASE_URL``, else the public service.
        timeout: seconds one HTTP request may take, in total (connect, send, headers and
            body, transport retries included).
        poll_interval: the longest pause, in seconds, between two ``getJobResult`` polls.
        max_wait: seconds a whole :meth:`solve_slider` (create + polls) may take: a hard
            deadline, every request's timeout is cut to what is left of it. A single
            :meth:`create_job` or :meth:`get_job_result` gets the same bound.
        session: a ready :class:`requests.Session` to use instead of a new one.
        retries: transport retries per request (0 disables them).
        api: ``"job"`` or ``"task"``; default ``OMOCAPTCHA_API``, else ``"job"``. The default
            URL follows it: ``https://omocaptcha.com`` (job), ``https://api.omocaptcha.com``
            (task).
        task_type: the task API's type for one screenshot: ``TiktokSliderWebTask``,
            ``GeetestSliderWebTask`` or ``SliderAllWebTask`` (short: ``tiktok``,
            ``geetest``, ``all``); default ``OMOCAPTCHA_TASK_TYPE``, else ``TiktokSliderWebTask``.
        domain: the page's host, sent with ``SliderAllWebTask`` (default empty).

    Raises:
        ConfigurationError: no API key (argument or environment), a malformed key or URL,
            an unknown API or task type, or a timeout, interval or retry count that is not
            a positive finite number.

    Example:
        >>> with OmoCaptchaClient("my-key", "http://127.0.0.1:8000") as client:  # doctest: +SKIP
        ...     distance = client.solve(png_bytes, width_view=340)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_wait: float = DEFAULT_MAX_WAIT,
        session: requests.Session | None = None,
        retries: int = DEFAULT_RETRIES,
        api: str | None = None,
        task_type: str | None = None,
        domain: str = "",
    ) -> None:
        key = resolve_api_key(api_key)
        if key is None:
            raise ConfigurationError(
                "no omocaptcha API key: pass api_key= or set OMOCAPTCHA_API_KEY"
            )
        self._api_key = key
        self.api = resolve_api(api)
        default_url = DEFAULT_TASK_BASE_URL if self.api == API_TASK else DEFAULT_BASE_URL
        self.base_url, self._auth = _split_credentials(resolve_base_url(base_url, default_url))
        if not isinstance(domain, str) or len(domain) > 253:
            raise ConfigurationError("domain must be a host name of at most 253 characters")
        #: The task API's calls (``create_task``, ``get_task_result``, ``get_balance``).
        self.tasks = TaskApi(
            self, key, self.base_url, task_type=resolve_task_type(task_type), domain=domain
        )
        self._answers = AnswerReader(key, self.base_url, extra_secrets=self._auth or ())
        self.timeout = _positive_seconds("timeout", timeout)
        self.poll_interval = _positive_seconds("poll_interval", poll_interval)
        self.max_wait = _positive_seconds("max_wait", max_wait)
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
            raise ConfigurationError(f"retries must be an integer from 0 to 10, got {retries!r}")
        self.retries = retries
        self._sleep: Callable[[float], None] = time.sleep
        self._clock: Callable[[], float] = time.monotonic
        self._budget: Budget | None = None
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        if self._owns_session:
            self._mount_retries()

    def _mount_retries(self) -> None:
        """Mount the transport retry policies on our own session.

        ``getJobResult`` only reads, so it is retried on connect errors, read errors
        (timeouts, resets) and HTTP 502/503/504. ``createJob`` is not idempotent: once the
        request has reached the server, a read error or a 502/504 from a gateway may hide a
        job that was created, and a retry would create (and bill) a second one. So it is
        retried only on connect errors (nothing was sent; this includes a connection reset
        while it is being set up) and on HTTP 503 (the server, or a proxy with no upstream,
        refused the request before creating anything).
        """
        common: dict[str, Any] = {
            "total": self.retries,
            "connect": self.retries,
            "status": self.retries,
            "other": 0,
            "redirect": 0,
            "allowed_methods": frozenset({"POST"}),
            "backoff_factor": _BACKOFF_FACTOR,
            "backoff_max": _BACKOFF_MAX,
            # Never let a server's Retry-After make us sleep past our own bounds.
            "respect_retry_after_header": False,
            # Hand back the last 5xx response; AnswerReader.body turns it into TransportError.
            "raise_on_status": False,
        }
        poll_retry = DeadlineRetry(read=self.retries, status_forcelist=(502, 503, 504), **common)
        create_retry = DeadlineRetry(read=False, status_forcelist=(503,), **common)
        # requests picks the adapter with the longest matching prefix.
        self._session.mount(self.base_url + "/", DeadlineAdapter(max_retries=poll_retry))
        for create in ("/api/createJob", "/v2/createTask"):
            self._session.mount(self.base_url + create, DeadlineAdapter(max_retries=create_retry))

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP session (only when the client created it)."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> OmoCaptchaClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api={self.api!r}, api_key=***)"

    # -- the API ----------------------------------------------------------------------------

    def create_job(
        self, image: ImageInput, width_view: float, type_job_id: str = SLIDER_JOB_TYPE
    ) -> int:
        """Send a captcha to ``createJob`` and return the new job's id.

        Only the documented success shape, ``{"error": false, "job_id": N}``, is a success.
        The older ``{"errorId": 0, "taskId": N}`` shape is refused with a
        :class:`ProtocolError`: the contract shows it as the *failure* example, so its
        ``taskId`` may not name a job at all, and polling a guessed id would turn a clear
        failure into a confusing one later. ``errorId`` other than 0 is an :class:`ApiError`.

        Args:
            image: the captcha screenshot, PNG bytes (or any image bytes) or a Pillow image.
            width_view: the CSS width at which the captcha image is displayed.
            type_job_id: the omocaptcha service id; ``"21"`` is the web slider.

        Returns:
            The job id to pass to :meth:`get_job_result`.

        Raises:
            ConfigurationError: the image is unreadable, or ``width_view`` is not positive.
            AuthenticationError: the service rejected the token.
            ApiError: the service refused the job (``error: true`` or ``errorId`` != 0).
            ProtocolError: an answer we cannot read, never taken as a success.
            TransportError: connection failure, timeout or HTTP 5xx after retries.
        """
        width = _positive_width(width_view)
        if not isinstance(type_job_id, str) or not type_job_id.strip():
            raise ConfigurationError("type_job_id must be a non-empty string")
        png = to_png_bytes(image)
        payload = {
            "api_token": self._api_key,
            "data": {
                "type_job_id": type_job_id,
                "image_base64": base64.b64encode(png).decode("ascii"),
                "width_view": int(width) if width.is_integer() else width,
            },
        }
        return self._answers.job_id(self._post("createJob", payload))

    def get_job_result(self, job_id: int) -> JobResult:
        """Ask ``getJobResult`` once about a job.

        Args:
            job_id: an id returned by :meth:`create_job`.

        Returns:
            The job's status; ``result`` holds the raw distance string on success.

        Raises:
            AuthenticationError: the service rejected the token.
            ApiError: ``error: true`` (for example an unknown or expired job).
            ProtocolError: an unknown status, or a success without a result.
            TransportError: connection failure, timeout or HTTP 5xx after retries.
        """
        if isinstance(job_id, bool) or not isinstance(job_id, int):
            raise ConfigurationError(f"job_id must be an int, not {type(job_id).__name__}")
        data = self._post("getJobResult", {"api_token": self._api_key, "job_id": job_id})
        return self._answers.job_result(data, job_id)

    def solve_slider(
        self, image: ImageInput, width_view: float, *, piece: PieceImage | None = None
    ) -> SliderAnswer:
        """Create a slider job (or task) and poll it until it is solved, failed or out of time.

        With the task API, a single screenshot is sent as the client's ``task_type``, and a
        given ``piece`` as ``SliderAllWebTask``. With the job API, a given ``piece`` is drawn
        onto ``image`` at its start and the one screenshot is sent as usual.

        Args:
            image: the captcha screenshot, PNG bytes (or any image bytes) or a Pillow image;
                with ``piece``, the background with the gap.
            width_view: the CSS width at which the captcha image is displayed.
            piece: the puzzle piece as its own picture, with its start.

        Returns:
            The distance to drag (CSS pixels of the displayed image), the job id (the task
            id, a string, with the task API) and the seconds the whole solve took.

        Raises:
            SolveFailed: the job ended with status ``fail``.
            SolveTimeout: no answer within ``max_wait`` seconds.
            ProtocolError: the result is not a distance within ``[0, width_view]``.
            ApiError, TransportError, ConfigurationError: as :meth:`create_job` and
                :meth:`get_job_result`.
        """
        width = _positive_width(width_view)
        if self.api == API_TASK:
            with self.deadline(self.max_wait):
                if piece is not None:
                    return self.tasks.solve_piece(image, piece, width)
                return self.tasks.solve_screenshot(image, width)
        if piece is not None:
            image = composite_piece(image, piece)
        started = self._clock()
        with self.deadline(self.max_wait):
            job_id = self.create_job(image, width)
            try:
                final = poll_job(
                    lambda: self.get_job_result(job_id),
                    deadline=started + self.max_wait,
                    poll_interval=self.poll_interval,
                    sleep=self._sleep,
                    clock=self._clock,
                )
            except SolveTimeout as exc:
                logger.info("job %d: timeout after %.2fs", job_id, self._clock() - started)
                if exc.job_id is None:
                    exc.job_id = job_id
                raise
        elapsed = self._clock() - started
        logger.info("job %d: %s in %.2fs", job_id, final.status, elapsed)
        if final.status == "fail":
            raise SolveFailed("the service could not solve the captcha", job_id=job_id)
        distance = self._answers.distance(final.result, width, job_id)
        return SliderAnswer(distance=distance, job_id=job_id, elapsed=elapsed)

    def solve(self, image: ImageInput, width_view: float) -> float:
        """Return the drag distance for a captcha (the :class:`~omo_selenium.Solver` protocol).

        Args:
            image: the captcha screenshot, PNG bytes (or any image bytes) or a Pillow image.
            width_view: the CSS width at which the captcha image is displayed.

        Returns:
            CSS pixels (of the ``width_view``-wide image) to drag the piece.

        Raises:
            As :meth:`solve_slider`.
        """
        return self.solve_slider(image, width_view).distance

    def solve_piece(self, background: ImageInput, piece: PieceImage, width_view: float) -> float:
        """Return the drag distance, given the piece as its own picture (``PieceSolver``).

        The task API sends both pictures as ``SliderAllWebTask``; the job API sends one
        screenshot with the piece drawn at its start (see :meth:`solve_slider`).

        Args:
            background: the picture with the gap.
            piece: the piece's picture (same scale as ``background``) and its start.
            width_view: the CSS width at which ``background`` is displayed.

        Returns:
            CSS pixels (of the displayed background) from the piece's start to the gap.

        Raises:
            As :meth:`solve_slider`.
        """
        return self.solve_slider(background, width_view, piece=piece).distance

    def balance(self) -> Balance:
        """Return what is left on the account (``getBalance`` of the API in use).

        Returns:
            The amount; with the task API also the solves left in a package and the
            promotional amount.

        Raises:
            AuthenticationError: the service rejected the key.
            ProtocolError: an answer we cannot read.
            ApiError, TransportError: as the other calls.
        """
        if self.api == API_TASK:
            return self.tasks.get_balance()
        return self._answers.balance(self._post("getBalance", {"api_token": self._api_key}))

    # -- HTTP -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[Budget]:
        """Run the block's requests under one hard deadline, ``seconds`` from now.

        Every request's timeout is cut to what is left, and a request still running when
        the time is up is cut off (:class:`SolveTimeout`). Nested calls keep the outer,
        earlier deadline.

        Args:
            seconds: the block's whole time.
        """
        previous = self._budget
        budget = Budget.starting_now(seconds, self._clock)
        if previous is not None and previous.deadline < budget.deadline:
            budget = previous
        self._budget = budget
        try:
            yield budget
        finally:
            self._budget = previous

    def _post(
        self,
        endpoint: str,
        payload: Mapping[str, Any],
        *,
        api: str = "api",
        read: Callable[[str, int, bytes, str], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """POST ``payload`` to ``/<api>/<endpoint>``; return the JSON object ``read`` accepts.

        Bounded by the active :meth:`deadline` (else ``max_wait`` from now): HTTP 429 is
        waited out while its ``Retry-After`` fits in the time left.
        """
        with self.deadline(self.max_wait) as budget:
            for _ in range(MAX_RATE_LIMIT_WAITS):
                status, content, headers = self._exchange(f"{api}/{endpoint}", payload, budget)
                if status != 429:
                    break
                wait = retry_after(headers.get("Retry-After"))
                wait = self.poll_interval if wait is None else wait
                if wait >= budget.remaining():
                    raise SolveTimeout(
                        f"{endpoint}: rate limited (HTTP 429), and the {wait:g}s to wait "
                        "are more than the time left"
                    )
                logger.info("%s: rate limited (HTTP 429); waiting %.2fs", endpoint, wait)
                self._sleep(wait)
            reader = read or self._answers.body
            return reader(endpoint, status, content, headers.get("Content-Type", ""))

    def _exchange(
        self, path: str, payload: Mapping[str, Any], budget: Budget
    ) -> tuple[int, bytes, Mapping[str, str]]:
        """One request to ``/<path>`` under ``budget``: the status, the body (bounded) and
        the headers."""
        url = f"{self.base_url}/{path}"
        endpoint = path.rpartition("/")[2]
        seconds = budget.cut(self.timeout)
        if seconds <= 0:
            raise SolveTimeout(f"{endpoint}: no time left before the deadline")
        cut_by_budget = seconds < self.timeout
        failure: OmoCaptchaError | None = None
        cause: BaseException | None = None
        with watch(seconds) as watched:
            try:
                response = self._session.post(
                    url,
                    json=payload,
                    timeout=seconds,
                    allow_redirects=False,
                    stream=True,
                    auth=self._auth,
                    headers={"Accept-Encoding": "gzip, deflate"},
                )
                try:
                    content = read_limited(response)
                finally:
                    response.close()
            except ApiError:
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                timed_out = watched.fired or isinstance(
                    exc, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
                )
                failure = self._transport_failure(endpoint, exc, seconds, timed_out, cut_by_budget)
                cause = _without_request(exc, self._answers.scrub, timed_out)
        if failure is not None:
            # Raised outside the except block: the original exception, which holds the
            # request body and so the key, is neither the cause nor the context.
            raise failure from cause
        return response.status_code, content, response.headers

    def _transport_failure(
        self,
        endpoint: str,
        exc: BaseException,
        seconds: float,
        timed_out: bool,
        cut_by_budget: bool,
    ) -> OmoCaptchaError:
        if timed_out and cut_by_budget:
            return SolveTimeout(
                f"{endpoint}: no complete answer before the deadline ({seconds:.2f}s were left)"
            )
        if timed_out:
            return TransportError(f"{endpoint}: no answer from {self.base_url} within {seconds:g}s")
        return TransportError(
            f"{endpoint}: could not reach {self.base_url}: {self._answers.scrub(str(exc))}"
        )

    def _poll(self, fetch: Callable[[], _P], started: float) -> _P:
        """Poll ``fetch`` until finished, at most ``max_wait`` seconds after ``started``."""
        return poll_job(
            fetch,
            deadline=started + self.max_wait,
            poll_interval=self.poll_interval,
            sleep=self._sleep,
            clock=self._clock,
        )


# -- value checks ---------------------------------------------------------------------------


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without ``user:password@``, and those credentials (for HTTP basic auth)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, "", "")).rstrip("/")
    return clean, (unquote(user), unquote(password))


def _without_request(
    exc: BaseException, scrub: Callable[[str], str], timed_out: bool
) -> BaseException:
    """A copy of a transport exception with a scrubbed message and no request attached.

    A request cut off at its deadline becomes a :class:`requests.Timeout`, whatever the
    cut socket made of it.
    """
    message = scrub(str(exc))
    kind = type(exc)
    if timed_out and not issubclass(kind, requests.Timeout):
        kind = requests.ReadTimeout
    try:
        copy = kind(message)
    except Exception:
        copy = requests.RequestException(message)
    if isinstance(copy, requests.RequestException):
        copy.request = None
        copy.response = None
    return copy


def _positive_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be positive and finite, got {value!r}")
    return float(value)


def _positive_width(width_view: float) -> float:
    if isinstance(width_view, bool) or not isinstance(width_view, (int, float)):
        raise ConfigurationError(f"width_view must be a number, got {width_view!r}")
    if not math.isfinite(width_view) or width_view <= 0:
        raise ConfigurationError(f"width_view must be positive and finite, got {width_view!r}")
    return float(width_view)
