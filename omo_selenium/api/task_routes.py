"""The local server's task API (v2) and balance calls, over the job API's store and workers.

Used by :mod:`omo_selenium.api.server` only. :class:`TaskRoutes` answers

- ``POST /v2/createTask``: ``TiktokSliderWebTask``, ``GeetestSliderWebTask`` and
  ``SliderAllWebTask`` become jobs in the server's one bounded :class:`~.jobs.JobStore`,
  solved by its one :class:`~.jobs.WorkerPool`; the task id is a random UUID bound to the
  ``clientKey`` that created it (another key is told the task does not exist);
- ``POST /v2/getTaskResult``: ``processing``, ``ready`` with the solution of the task's
  type, or the documented failure (``ERROR_JOB_STATUS``);
- ``POST /v2/getBalance`` and the job API's ``POST /api/getBalance``: the balance the
  server was given (the local server charges nothing).

Errors of the task API are answered as the service does, HTTP 200 with ``errorId: 1``, an
``errorCode`` and an ``errorDescription``; a full queue is HTTP 503, as for ``createJob``.

The generic type (``SliderAllWebTask``) gives the background and the piece as two
pictures. The job carries the piece (at ``x = 0``, row unknown) and the worker asks the
solver with :func:`~.pieces.solve_with_piece`: ``solve_piece`` when the solver is a
:class:`~omo_selenium.PieceSolver`, else ``solve`` on the background with the piece drawn
at its top-left corner. The answer's rectangle has the gap's ``x`` and the piece's width;
the solver reports no row, so ``y`` and ``h`` span the whole displayed height.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import math
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .._types import Balance, PieceImage
from ..config import TASK_GEETEST, TASK_SLIDER_ALL, TASK_TIKTOK, TASK_TYPES
from .httpd import HttpError
from .jobs import Job, JobStore, QueueFull, WorkerPool

__all__ = ["TaskRoutes"]

logger = logging.getLogger("omo_selenium.server")

CREATE_TASK = "/v2/createTask"
GET_TASK_RESULT = "/v2/getTaskResult"
GET_BALANCE = "/v2/getBalance"
GET_JOB_BALANCE = "/api/getBalance"
_PATHS = frozenset({CREATE_TASK, GET_TASK_RESULT, GET_BALANCE, GET_JOB_BALANCE})
_MAX_DOMAIN_CHARS = 253


class _Refused(Exception):
    """Unwinds a task-API request to an ``errorId: 1`` answer."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class _Task:
    job_id: int
    type: str
    owner: bytes
    piece_width_view: float = 0.0
    height_view: float = 0.0


class TaskRoutes:
    """Answers the task API's three calls and the job API's balance call.

    Args:
        store: the server's job table (tasks are jobs in it).
        pool: the server's workers.
        tokens: the accepted keys as UTF-8 bytes; ``None`` accepts any non-empty key.
        check_token: the job API's token check (``/api/getBalance``).
        decode_image: the job API's base64 image check; raises :class:`HttpError`.
        balance: what the balance calls answer.
        max_view: the largest ``widthView`` / ``heightView`` accepted.
    """

    def __init__(
        self,
        *,
        store: JobStore,
        pool: WorkerPool,
        tokens: frozenset[bytes] | None,
        check_token: Callable[[dict[str, Any]], object],
        decode_image: Callable[[object], bytes],
        balance: Balance,
        max_view: float,
    ) -> None:
        self._store = store
        self._pool = pool
        self._tokens = tokens
        self._check_token = check_token
        self._decode_image = decode_image
        self.balance = balance
        self._max_view = max_view
        self._tasks: OrderedDict[str, _Task] = OrderedDict()
        self._lock = threading.Lock()

    def knows(self, path: str) -> bool:
        """True for the paths answered here.

        Args:
            path: the request path.
        """
        return path in _PATHS

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Answer one call.

        Args:
            path: one of the paths :meth:`knows`.
            body: the request's JSON object.

        Returns:
            The JSON object to send with HTTP 200 (``errorId: 1`` for a refused task call).

        Raises:
            HttpError: a refused job-API call, or a full queue (HTTP 503).
        """
        if path == GET_JOB_BALANCE:
            self._check_token(body)
            return {"error": False, "balance": f"{self.balance.amount:.5f}"}
        try:
            owner = self._owner(body)
            if path == CREATE_TASK:
                return self._create_task(body, owner)
            if path == GET_TASK_RESULT:
                return self._get_task_result(body, owner)
            return {
                "errorId": 0,
                "balance": self.balance.amount,
                "quantity": self.balance.solves_left or 0,
                "voucher_balance": self.balance.promotional or 0,
            }
        except _Refused as exc:
            return {"errorId": 1, "errorCode": exc.code, "errorDescription": exc.description}

    # -- the calls --------------------------------------------------------------------------

    def _owner(self, body: dict[str, Any]) -> bytes:
        """Check ``clientKey``; return a digest of it, which tasks are bound to."""
        key = body.get("clientKey")
        if not isinstance(key, str) or not key:
            raise _Refused("ERROR_KEY_DOES_NOT_EXIST", "clientKey is missing")
        given = key.encode("utf-8", "replace")
        if self._tokens is not None and not any(
            hmac.compare_digest(given, accepted) for accepted in self._tokens
        ):
            raise _Refused("ERROR_KEY_DOES_NOT_EXIST", "clientKey is not valid")
        return hashlib.sha256(given).digest()

    def _create_task(self, body: dict[str, Any], owner: bytes) -> dict[str, Any]:
        task = body.get("task")
        if not isinstance(task, dict):
            raise _Refused("ERROR_TASK_ABSENT", "task must be an object with a type")
        kind = task.get("type")
        if kind not in TASK_TYPES:
            raise _Refused(
                "ERROR_TASK_NOT_SUPPORTED",
                f"unsupported task type {str(kind)[:40]!r}: one of {', '.join(TASK_TYPES)}",
            )
        image = self._image(task, "imageBase64")
        width, height = _size(image)
        piece: PieceImage | None = None
        piece_width_view = height_view = 0.0
        if kind == TASK_TIKTOK:
            width_view = self._view(task, "widthView")
        elif kind == TASK_GEETEST:
            width_view = float(width)  # answered in px of the picture sent
        else:
            sprite = self._image(task, "puzzle")
            sprite_width, sprite_height = _size(sprite)
            if sprite_width > width or sprite_height > height:
                raise _Refused(
                    "ERROR_BAD_PARAMETERS",
                    f"task.puzzle ({sprite_width}x{sprite_height}) is larger than the "
                    f"background ({width}x{height})",
                )
            domain = task.get("domain", "")
            if not isinstance(domain, str) or len(domain) > _MAX_DOMAIN_CHARS:
                raise _Refused("ERROR_BAD_PARAMETERS", "task.domain must be a host name")
            width_view = self._view(task, "widthView")
            height_view = self._view(task, "heightView")
            piece = PieceImage(sprite, x=0.0)
            piece_width_view = sprite_width * width_view / width
        job: Job | None = None
        try:  # a store bounded by bytes may refuse too
            job = self._store.add(image, width_view)
            job.piece = piece  # before the job is queued: no worker has seen it yet
            self._pool.submit(job)
        except QueueFull:
            if job is not None:
                self._store.discard(job)
            raise HttpError(503, "server busy: the job queue is full, retry later") from None
        task_id = str(uuid.uuid4())
        with self._lock:
            while len(self._tasks) >= self._store.max_jobs:
                self._tasks.popitem(last=False)
            self._tasks[task_id] = _Task(
                job_id=job.job_id,
                type=str(kind),
                owner=owner,
                piece_width_view=piece_width_view,
                height_view=height_view,
            )
        logger.debug("task %s (%s) created as job %d", task_id, kind, job.job_id)
        return {"errorId": 0, "taskId": task_id}

    def _get_task_result(self, body: dict[str, Any], owner: bytes) -> dict[str, Any]:
        task_id = body.get("taskId")
        if task_id is None:
            raise _Refused("ERROR_BAD_PARAMETERS", "taskId is missing")
        with self._lock:
            record = self._tasks.get(task_id) if isinstance(task_id, str) else None
        if record is None or not hmac.compare_digest(record.owner, owner):
            raise _Refused("ERROR_NO_SUCH_CAPCHA_ID", "task not found (unknown or expired)")
        state = self._store.get(record.job_id)
        if state is None:
            with self._lock:
                self._tasks.pop(str(task_id), None)
            raise _Refused("ERROR_NO_SUCH_CAPCHA_ID", "task not found (unknown or expired)")
        status, result = state
        if status == "running":
            return {"errorId": 0, "status": "processing", "errorCode": "", "errorDescription": ""}
        if status != "success" or result is None:
            return {
                "errorId": 1,
                "errorCode": "ERROR_JOB_STATUS",
                "errorDescription": "Job failed",
                "status": "fail",
                "solution": {},
            }
        x = _number(float(result))
        if record.type == TASK_SLIDER_ALL:
            rect = {
                "x": x,
                "y": 0,
                "w": _number(round(record.piece_width_view, 1)),
                "h": _number(round(record.height_view, 1)),
            }
            return {"errorId": 0, "status": "ready", "solution": {"rects": [rect]}}
        return {"errorId": 0, "status": "ready", "solution": {"end": {"x": x}}}

    # -- fields -----------------------------------------------------------------------------

    def _image(self, task: dict[str, Any], field: str) -> bytes:
        try:
            return self._decode_image(task.get(field))
        except HttpError as exc:
            code = "ERROR_TOO_BIG_CAPTCHA_FILESIZE" if exc.status == 413 else "ERROR_BAD_PARAMETERS"
            if "empty" in exc.message or "missing" in exc.message:
                code = "ERROR_ZERO_CAPTCHA_FILESIZE"
            raise _Refused(
                code, exc.message.replace("data.image_base64", f"task.{field}")
            ) from None

    def _view(self, task: dict[str, Any], field: str) -> float:
        value = task.get(field)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not 0 < value <= self._max_view
        ):
            raise _Refused(
                "ERROR_BAD_PARAMETERS",
                f"task.{field} must be a number in (0, {self._max_view:g}] CSS pixels",
            )
        return float(value)


def _size(image: bytes) -> tuple[int, int]:
    """Width and height of an image the server already accepted."""
    with Image.open(io.BytesIO(image)) as img:
        width, height = img.size
    return int(width), int(height)


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value
