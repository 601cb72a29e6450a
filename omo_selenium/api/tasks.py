"""The omocaptcha task API (v2), client side: ``createTask``, ``getTaskResult``, ``getBalance``.

:class:`TaskApi` is reached as ``OmoCaptchaClient(...).tasks`` and is what the client's
``solve`` / ``solve_slider`` / ``solve_piece`` / ``balance`` use when it speaks the task API
(``api="task"`` or ``OMOCAPTCHA_API=task``). It shares the client's session, retries,
timeouts and deadline. :class:`TaskAnswerReader` reads the answers into values or typed
errors:

==========================================================  ==============================
answer                                                      raised
==========================================================  ==============================
HTTP 401/403; ``errorCode`` ERROR_KEY_DOES_NOT_EXIST, ...   :class:`AuthenticationError`
``errorCode`` ERROR_ZERO_BALANCE (no balance), unknown      :class:`ApiError`
task, bad parameters, any other ``errorId`` != 0
``status: fail`` / ERROR_JOB_STATUS                         :class:`SolveFailed`
``processing`` until ``max_wait``                           :class:`SolveTimeout`
HTTP 5xx (after retries), connection errors, timeouts       :class:`TransportError`
not JSON, a redirect, ``errorId`` missing or not an int,    :class:`ProtocolError`
no string ``taskId``, an unknown ``status``, a solution
without a usable ``end.x`` or ``rects[0].x``
==========================================================  ==============================

Answers mean one thing whatever the task type: the drag distance in CSS px of the
displayed picture. ``TiktokSliderWebTask`` answers in those units already;
``GeetestSliderWebTask`` answers in px of the picture sent (scaled by displayed width /
picture width); ``SliderAllWebTask`` answers the gap's rectangle in the displayed frame,
from whose ``x`` the piece's start is subtracted.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from .._types import Balance, ImageInput, PieceImage, SliderAnswer
from ..config import TASK_SLIDER_ALL, TASK_TIKTOK, TASK_TYPES
from ..errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ProtocolError,
    SolveFailed,
    SolveTimeout,
)
from ..images import open_image, to_png_bytes
from .answers import AnswerReader, _raise_api_error
from .pieces import piece_png

__all__ = ["TaskAnswerReader", "TaskApi", "TaskResult"]

logger = logging.getLogger("omo_selenium.client")

_TASK_STATUSES = ("processing", "ready", "fail")
#: ``errorCode`` values that mean the key is wrong (checked before the word heuristic).
AUTH_CODES = frozenset({"ERROR_KEY_DOES_NOT_EXIST", "ERROR_WRONG_USER_KEY", "ERROR_KEY_INVALID"})
#: ``errorCode`` values that mean the account cannot pay for the task.
BALANCE_CODES = frozenset({"ERROR_ZERO_BALANCE", "ERROR_NO_BALANCE", "ERROR_INSUFFICIENT_BALANCE"})
#: The ``errorCode`` of a task that the service gave up on.
FAILED_CODE = "ERROR_JOB_STATUS"
_TASK_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass(frozen=True)
class TaskResult:
    """One ``getTaskResult`` answer.

    Attributes:
        task_id: the task asked about.
        status: ``"processing"``, ``"ready"`` or ``"fail"``.
        solution: the ``solution`` object once ready, else ``None``.
    """

    task_id: str
    status: str
    solution: Mapping[str, Any] | None = None

    @property
    def ready(self) -> bool:
        """True once the task is finished (ready or failed)."""
        return self.status in ("ready", "fail")

    @property
    def job_id(self) -> str:
        """The task id, under the name the poll loop and the errors use."""
        return self.task_id


class TaskAnswerReader(AnswerReader):
    """Turns task-API answers into values or errors, never repeating ``secret``.

    Args:
        secret: the client key, replaced by ``***`` in any text taken from an answer.
        base_url: named in transport error messages.
    """

    def body(self, endpoint: str, status: int, content: bytes, content_type: str) -> dict[str, Any]:
        """Return the JSON object of a non-error answer (and of a failed task's answer).

        Args:
            endpoint: ``createTask``, ``getTaskResult`` or ``getBalance``, for messages.
            status: the HTTP status.
            content: the raw body.
            content_type: the ``Content-Type`` header, for messages.

        Raises:
            AuthenticationError: HTTP 401/403, or an error about the key.
            TransportError: HTTP 5xx (retries, if any, are over by now).
            ApiError: ``errorId`` other than 0 (no balance, unknown task, ...), or another
                HTTP 4xx.
            ProtocolError: a redirect, a body that is not a JSON object, or a shape we do
                not know (no integer ``errorId``).
        """
        data, message = self.json_answer(endpoint, status, content, content_type)
        error_id = data.get("errorId")
        if "errorId" not in data and data.get("error") is True:  # an HTTP layer's own error
            _raise_api_error(endpoint, message or f"HTTP {status}")
        if type(error_id) is not int:
            raise ProtocolError(f"{endpoint}: answer of unknown shape: {self.describe(data)}")
        if error_id != 0:
            if endpoint == "getTaskResult" and data.get("errorCode") == FAILED_CODE:
                return data
            self._raise_task_error(endpoint, data)
        if status >= 400:
            raise ApiError(f"{endpoint}: HTTP {status}")
        return data

    def task_id(self, data: Mapping[str, Any]) -> str:
        """The ``taskId`` of a ``createTask`` success: a non-empty string.

        Raises:
            ProtocolError: no usable task id.
        """
        task_id = data.get("taskId")
        if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id):
            raise ProtocolError(
                f"createTask answered without a usable taskId: {self.describe(data)}"
            )
        return task_id

    def task_result(self, data: Mapping[str, Any], task_id: str) -> TaskResult:
        """The status (and solution once ready) of a ``getTaskResult`` answer.

        Raises:
            ProtocolError: an unknown status, or ``ready`` without a solution object.
        """
        status = data.get("status")
        if data.get("errorId") != 0 or status == "fail":  # body() let only a failed task by
            return TaskResult(task_id=task_id, status="fail")
        if status not in _TASK_STATUSES:
            raise ProtocolError(
                f"getTaskResult answered an unknown status: {self.describe(data)}",
                job_id=task_id,
            )
        if status == "processing":
            return TaskResult(task_id=task_id, status="processing")
        solution = data.get("solution")
        if not isinstance(solution, dict):
            raise ProtocolError("getTaskResult answered ready without a solution", job_id=task_id)
        return TaskResult(task_id=task_id, status="ready", solution=solution)

    def end_x(self, solution: Mapping[str, Any], limit: float, task_id: str) -> float:
        """``solution.end.x`` as a number within ``[0, limit]``.

        Raises:
            ProtocolError: missing, not a number, or out of range.
        """
        end = solution.get("end")
        x = end.get("x") if isinstance(end, dict) else None
        return self._coordinate(x, "end.x", limit, task_id)

    def gap_x(self, solution: Mapping[str, Any], limit: float, task_id: str) -> float:
        """``solution.rects[0].x`` (the first, best rectangle) within ``[0, limit]``.

        Raises:
            ProtocolError: no rectangle, or its ``x`` is not a number within range.
        """
        rects = solution.get("rects")
        first = rects[0] if isinstance(rects, list) and rects else None
        x = first.get("x") if isinstance(first, dict) else None
        return self._coordinate(x, "rects[0].x", limit, task_id)

    def task_balance(self, data: Mapping[str, Any]) -> Balance:
        """The three numbers of a ``/v2/getBalance`` success.

        Raises:
            ProtocolError: no readable ``balance``, or a ``quantity`` that is not a count.
        """
        amount = self.amount(data, "balance", required=True)
        assert amount is not None
        quantity = self.amount(data, "quantity", required=False)
        if quantity is not None and (quantity < 0 or not quantity.is_integer()):
            raise ProtocolError("getBalance answered a quantity that is not a count")
        return Balance(
            amount=amount,
            solves_left=None if quantity is None else int(quantity),
            promotional=self.amount(data, "voucher_balance", required=False),
        )

    def _coordinate(self, value: object, name: str, limit: float, task_id: str) -> float:
        if value is None:
            raise ProtocolError(f"getTaskResult answered a solution without {name}", job_id=task_id)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value)
        if not isinstance(value, str):
            raise ProtocolError(f"{name} is not a number", job_id=task_id)
        return self.distance(value, limit, task_id)

    def _raise_task_error(self, endpoint: str, data: Mapping[str, Any]) -> NoReturn:
        code = self.scrub(str(data.get("errorCode") or ""), 60)
        description = self.scrub(str(data.get("errorDescription") or "no description"))
        text = f"{code}: {description}" if code else description
        if code in AUTH_CODES:
            raise AuthenticationError(f"{endpoint}: the service rejected the client key ({text})")
        if code in BALANCE_CODES:
            raise ApiError(f"{endpoint}: no balance left on the account ({text})")
        if code.startswith("ERROR_NO_SUCH") or code in ("ERROR_TASK_ABSENT", FAILED_CODE):
            raise ApiError(f"{endpoint}: {text}")
        _raise_api_error(endpoint, text)


class _Transport(Protocol):
    """What :class:`TaskApi` needs of :class:`~omo_selenium.OmoCaptchaClient`."""

    _clock: Callable[[], float]

    def _post(
        self,
        endpoint: str,
        payload: Mapping[str, Any],
        *,
        api: str = ...,
        read: Callable[[str, int, bytes, str], dict[str, Any]] | None = ...,
    ) -> dict[str, Any]: ...

    def _poll(self, fetch: Callable[[], TaskResult], started: float) -> TaskResult: ...


class TaskApi:
    """The task API's calls and solve flows over one client's session.

    Built by :class:`~omo_selenium.OmoCaptchaClient`, reached as ``client.tasks``.

    Args:
        transport: the client (its session, retries, timeouts and deadline).
        key: the client key, sent as ``clientKey`` in JSON bodies only.
        base_url: named in error messages.
        task_type: the type for a single screenshot (``TiktokSliderWebTask`` or
            ``GeetestSliderWebTask``; ``SliderAllWebTask`` needs the piece, see
            :meth:`solve_screenshot`).
        domain: sent as ``domain`` with ``SliderAllWebTask`` (the page's host).
    """

    def __init__(
        self, transport: _Transport, key: str, base_url: str, *, task_type: str, domain: str
    ) -> None:
        self._transport = transport
        self._key = key
        self._answers = TaskAnswerReader(key, base_url)
        self.task_type = task_type
        self.domain = domain

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_type={self.task_type!r}, client_key=***)"

    # -- the three calls -------------------------------------------------------------------

    def create_task(self, task: Mapping[str, Any]) -> str:
        """Send ``task`` (``{"type": ..., ...fields}``) to ``createTask``; return its id.

        Raises:
            ConfigurationError: ``task`` has no known slider ``type``.
            AuthenticationError, ApiError, ProtocolError, TransportError: see the module.
        """
        if not isinstance(task, Mapping) or task.get("type") not in TASK_TYPES:
            raise ConfigurationError(f"task must be a mapping whose type is one of {TASK_TYPES}")
        data = self._post("createTask", {"clientKey": self._key, "task": dict(task)})
        return self._answers.task_id(data)

    def get_task_result(self, task_id: str) -> TaskResult:
        """Ask ``getTaskResult`` once about a task.

        Raises:
            ConfigurationError: ``task_id`` is not a string.
            AuthenticationError, ApiError, ProtocolError, TransportError: see the module.
        """
        if not isinstance(task_id, str) or not task_id:
            raise ConfigurationError("task_id must be a non-empty string")
        data = self._post("getTaskResult", {"clientKey": self._key, "taskId": task_id})
        return self._answers.task_result(data, task_id)

    def get_balance(self) -> Balance:
        """Ask ``/v2/getBalance`` what is left on the account.

        Raises:
            AuthenticationError, ApiError, ProtocolError, TransportError: see the module.
        """
        return self._answers.task_balance(self._post("getBalance", {"clientKey": self._key}))

    # -- solving ---------------------------------------------------------------------------

    def solve_screenshot(self, image: ImageInput, width_view: float) -> SliderAnswer:
        """Solve one screenshot (piece included) with the configured task type.

        Args:
            image: the captcha screenshot.
            width_view: the CSS width at which it is displayed (already checked positive).

        Raises:
            ConfigurationError: the task type is ``SliderAllWebTask``, which needs the piece
                as its own picture (use :meth:`solve_piece`).
            SolveFailed, SolveTimeout, ApiError, TransportError: see the module.
        """
        if self.task_type == TASK_SLIDER_ALL:
            raise ConfigurationError(
                f"{TASK_SLIDER_ALL} takes the piece as its own picture: call solve_piece "
                "(SliderSolver's piece=), or choose TiktokSliderWebTask or GeetestSliderWebTask "
                "for single screenshots"
            )
        png = to_png_bytes(image)
        task: dict[str, Any] = {"type": self.task_type, "imageBase64": _b64(png)}
        if self.task_type == TASK_TIKTOK:
            task["widthView"] = _number(width_view)
            return self._solve(task, lambda s, t: self._answers.end_x(s, width_view, t))
        picture_width = open_image(png).width  # GeeTest answers in px of the picture sent
        scale = width_view / picture_width
        return self._solve(task, lambda s, t: self._answers.end_x(s, picture_width, t) * scale)

    def solve_piece(
        self, background: ImageInput, piece: PieceImage, width_view: float
    ) -> SliderAnswer:
        """Solve with ``SliderAllWebTask``: the background and the piece as two pictures.

        The answer is the gap's rectangle in the displayed frame; the distance is its ``x``
        minus the piece's start (``piece.x`` in CSS px; ``None`` is the left edge).

        Args:
            background: the picture with the gap.
            piece: the piece's picture (same scale as ``background``) and its start.
            width_view: the CSS width at which ``background`` is displayed.

        Raises:
            ConfigurationError: a picture is unreadable, or ``piece`` is not a PieceImage.
            ProtocolError: the gap lies left of the piece's start, or outside the picture.
            SolveFailed, SolveTimeout, ApiError, TransportError: see the module.
        """
        if not isinstance(piece, PieceImage):
            raise ConfigurationError(f"piece must be a PieceImage, not {type(piece).__name__}")
        png = to_png_bytes(background)
        picture = open_image(png)
        scale = width_view / picture.width
        start_css = (piece.x or 0.0) * scale
        task = {
            "type": TASK_SLIDER_ALL,
            "imageBase64": _b64(png),
            "puzzle": _b64(piece_png(piece.image)),
            "domain": self.domain,
            "widthView": _number(width_view),
            "heightView": _number(round(picture.height * scale, 2)),
        }

        def distance(solution: Mapping[str, Any], task_id: str) -> float:
            gap_x = self._answers.gap_x(solution, width_view, task_id)
            if gap_x < start_css - 0.5:
                raise ProtocolError(
                    f"the gap (x={gap_x:g}) lies left of the piece's start ({start_css:g})",
                    job_id=task_id,
                )
            return max(0.0, gap_x - start_css)

        return self._solve(task, distance)

    def _solve(
        self, task: Mapping[str, Any], convert: Callable[[Mapping[str, Any], str], float]
    ) -> SliderAnswer:
        clock = self._transport._clock
        started = clock()
        task_id = self.create_task(task)
        try:
            final = self._transport._poll(lambda: self.get_task_result(task_id), started)
        except SolveTimeout:
            logger.info("task %s: timeout after %.2fs", task_id, clock() - started)
            raise
        elapsed = clock() - started
        logger.info("task %s: %s in %.2fs", task_id, final.status, elapsed)
        if final.status == "fail" or final.solution is None:
            raise SolveFailed("the service could not solve the captcha", job_id=task_id)
        return SliderAnswer(
            distance=convert(final.solution, task_id), job_id=task_id, elapsed=elapsed
        )

    def _post(self, endpoint: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        return self._transport._post(endpoint, payload, api="v2", read=self._answers.body)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _number(value: float) -> int | float:
    """JSON-friendly: integral values as ints (``340``, not ``340.0``)."""
    return int(value) if float(value).is_integer() else float(value)
