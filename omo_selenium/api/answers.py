"""Reading omocaptcha answers: HTTP status and JSON body -> a value, or the matching error.

Used by :mod:`omo_selenium.client` only. Pure functions of the answer (no HTTP), so every
shape, documented or not, is easy to pin in a test. Only the documented success shapes are
successes; anything else raises. Text we repeat from the server (messages, keys, values)
is first scrubbed of the API token, since a server may echo it back.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from .._types import Balance, JobResult
from ..errors import ApiError, AuthenticationError, ProtocolError, TransportError

__all__ = ["AnswerReader"]

_JOB_STATUSES = ("running", "success", "fail")
_AUTH_WORDS = re.compile(
    r"token|(?<![a-z])key(?![a-z])|unauthori[sz]ed|authenticat|forbidden|permission", re.IGNORECASE
)
_DISTANCE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_MAX_MESSAGE_CHARS = 200
#: Job ids are JSON numbers; a larger one is not an id (nor worth a 5000-digit int()).
_MAX_JOB_ID = 2**63


class AnswerReader:
    """Turns answers into values or errors, never repeating ``secret``.

    Args:
        secret: the API token, replaced by ``***`` in any text taken from an answer.
        base_url: named in transport error messages.
        extra_secrets: more text to replace by ``***`` (e.g. basic-auth credentials).
    """

    def __init__(self, secret: str, base_url: str, *, extra_secrets: tuple[str, ...] = ()) -> None:
        self._secret = secret
        self._base_url = base_url
        self._extra = tuple(s for s in extra_secrets if len(s) >= 3)

    def scrub(self, text: str, limit: int = _MAX_MESSAGE_CHARS) -> str:
        """Return ``text`` without the secret, cut to ``limit`` characters."""
        text = text.replace(self._secret, "***")
        for secret in self._extra:
            text = text.replace(secret, "***")
        return text[:limit]

    def body(self, endpoint: str, status: int, content: bytes, content_type: str) -> dict[str, Any]:
        """Return the JSON object of a non-error answer.

        Args:
            endpoint: ``createJob`` or ``getJobResult``, for messages.
            status: the HTTP status.
            content: the raw body.
            content_type: the ``Content-Type`` header, for messages.

        Raises:
            AuthenticationError: HTTP 401/403, or an error message about the token or key.
            TransportError: HTTP 5xx (retries, if any, are over by now).
            ApiError: ``error: true``, ``errorId`` other than 0, or another HTTP 4xx.
            ProtocolError: a redirect, a body that is not a JSON object, or a shape we do
                not know (``error`` missing or not false, ``errorId: 0``).
        """
        data, message = self.json_answer(endpoint, status, content, content_type)
        if "error" not in data and "errorId" in data:
            self._raise_legacy(endpoint, data)
        error = data.get("error")
        if error is True or (type(error) is int and error == 1):
            _raise_api_error(endpoint, message or "no message")
        if status >= 400:
            _raise_api_error(endpoint, message or f"HTTP {status}")
        if not (error is False or (type(error) is int and error == 0)):
            raise ProtocolError(f"{endpoint}: answer of unknown shape: {self.describe(data)}")
        return data

    def json_answer(
        self, endpoint: str, status: int, content: bytes, content_type: str
    ) -> tuple[dict[str, Any], str | None]:
        """Return the answer's JSON object and its ``message``, unless the HTTP status or
        the body rules the answer out whatever it says (both APIs).

        Raises:
            AuthenticationError: HTTP 401/403.
            TransportError: HTTP 5xx (retries, if any, are over by now).
            ProtocolError: a redirect, or a body that is not a JSON object.
        """
        data = _json_object(content)
        message = self._message(data) if data is not None else None
        suffix = f": {message}" if message else ""
        if status in (401, 403):
            raise AuthenticationError(
                f"{endpoint}: the service rejected the API token (HTTP {status}){suffix}"
            )
        if status >= 500:
            raise TransportError(f"{endpoint}: HTTP {status} from {self._base_url}{suffix}")
        if 300 <= status < 400:
            raise ProtocolError(f"{endpoint}: unexpected HTTP {status} redirect")
        if data is None:
            raise ProtocolError(
                f"{endpoint}: HTTP {status} answer is not a JSON object "
                f"({self.scrub(content_type or 'no content type', 60)}, {len(content)} bytes)"
            )
        return data, message

    def job_id(self, data: Mapping[str, Any]) -> int:
        """The ``job_id`` of a ``createJob`` success (an int, or a string of digits).

        Raises:
            ProtocolError: no usable job id.
        """
        job_id = data.get("job_id")
        if isinstance(job_id, str) and job_id.isascii() and job_id.isdigit() and len(job_id) < 20:
            job_id = int(job_id)
        if isinstance(job_id, bool) or not isinstance(job_id, int) or not 0 <= job_id < _MAX_JOB_ID:
            raise ProtocolError(
                f"createJob answered without a usable job_id: {self.describe(data)}"
            )
        return job_id

    def job_result(self, data: Mapping[str, Any], job_id: int) -> JobResult:
        """The status (and raw result on success) of a ``getJobResult`` answer.

        Raises:
            ProtocolError: an unknown status, or a success without a result.
        """
        status = data.get("status")
        if status not in _JOB_STATUSES:
            raise ProtocolError(
                f"getJobResult answered an unknown status: {self.describe(data)}", job_id=job_id
            )
        if status != "success":
            return JobResult(job_id=job_id, status=str(status))
        result = data.get("result")
        if isinstance(result, (int, float)) and not isinstance(result, bool):
            result = repr(result)
        if not isinstance(result, str):
            raise ProtocolError("getJobResult answered success without a result", job_id=job_id)
        return JobResult(job_id=job_id, status="success", result=result)

    def distance(self, raw: str | None, width_view: float, job_id: int | str) -> float:
        """A success ``result`` as a distance within ``[0, width_view]``.

        Raises:
            ProtocolError: not a plain decimal number, not finite, negative or too large.
        """
        text = (raw or "").strip()
        shown = repr(self.scrub(text, 40))
        if not _DISTANCE.fullmatch(text):
            raise ProtocolError(f"result {shown} is not a number", job_id=job_id)
        distance = float(text)
        if not math.isfinite(distance) or distance < 0 or distance > width_view:
            raise ProtocolError(
                f"result {shown} is outside [0, width_view={width_view:g}]", job_id=job_id
            )
        return distance

    def balance(self, data: Mapping[str, Any]) -> Balance:
        """The amount of a job-API ``getBalance`` success (a decimal string, or a number).

        Raises:
            ProtocolError: no readable ``balance``.
        """
        amount = self.amount(data, "balance", required=True)
        assert amount is not None
        return Balance(amount=amount)

    def amount(self, data: Mapping[str, Any], key: str, *, required: bool) -> float | None:
        """The finite number under ``key``: a JSON number or a plain decimal string.

        Raises:
            ProtocolError: the value is something else, or missing while ``required``.
        """
        value = data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, str) and _DISTANCE.fullmatch(value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtocolError(
                f"getBalance answered without a usable {key}: {self.describe(data)}"
            )
        if not math.isfinite(value):
            raise ProtocolError(f"getBalance answered a {key} that is not finite")
        return float(value)

    def describe(self, data: Mapping[str, Any]) -> str:
        """Describe an answer by its keys only (values may hold anything, even the token)."""
        if not data:
            return "empty object"
        keys = sorted(self.scrub(str(key), 30) for key in data)
        return "keys " + ", ".join(keys[:10])

    def _message(self, data: Mapping[str, Any]) -> str | None:
        message = data.get("message")
        return None if message is None else self.scrub(str(message))

    def _raise_legacy(self, endpoint: str, data: Mapping[str, Any]) -> NoReturn:
        """Raise for an anti-captcha-style ``{"errorId": N, ...}`` answer.

        ``errorId: 0`` (with or without a ``taskId``) is a :class:`ProtocolError`: the
        contract shows that shape as its *failure* example, so a ``taskId`` may name no job,
        and we refuse to guess. Any other ``errorId`` is an :class:`ApiError`.
        """
        error_id = data.get("errorId")
        if error_id == 0 and not isinstance(error_id, bool):
            task = self.scrub(repr(data.get("taskId")), 40)
            raise ProtocolError(
                f"{endpoint}: legacy answer errorId=0 (taskId={task}) is not the documented "
                "success shape; refusing to guess that a job was created"
            )
        description = data.get("errorDescription") or data.get("errorCode") or "no description"
        _raise_api_error(
            endpoint, f"errorId={self.scrub(repr(error_id), 20)}: {self.scrub(str(description))}"
        )


def _raise_api_error(endpoint: str, message: str) -> NoReturn:
    cls = AuthenticationError if _AUTH_WORDS.search(message) else ApiError
    raise cls(f"{endpoint}: {message}")


def _json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` when it is not one."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
