"""Challenges in flight and their verification: the demo site's state, without HTTP.

:class:`ChallengeStore` issues challenges (generating the images), serves their images
by opaque token, and judges verification requests. It is thread-safe: the HTTP handler
threads call it concurrently, and tests wait on its records through a Condition.
"""

from __future__ import annotations

import io
import logging
import math
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from omo_selenium.api.httpd import parse_bounded_json

from .puzzle import generate_puzzle
from .records import ChallengeRecord, VerificationRecord
from .variants import DISPLAY_WIDTH, HANDLE_WIDTH, Variant

__all__ = [
    "CHALLENGE_FIELDS",
    "ChallengeStore",
    "RequestError",
    "Verdict",
    "parse_verify_body",
]

logger = logging.getLogger("omo_selenium.demo_site")

#: The keys of the challenge JSON sent to the page (no gap position among them).
CHALLENGE_FIELDS = frozenset(
    {
        "id",
        "background",
        "piece",
        "width",
        "height",
        "piece_width",
        "piece_height",
        "piece_y",
        "expires_in",
    }
)
MAX_TRAJECTORY_POINTS = 5000
#: How far (CSS px) the dropped x may be from where the trajectory's end puts the piece.
TRAJECTORY_SLACK_CSS = 24.0
_T = TypeVar("_T")
_MAX_RECORDS = 10_000
_MAX_LIVE = 500


class RequestError(Exception):
    """A request the site refuses; becomes a JSON error response.

    Attributes:
        status: the HTTP status to answer with.
        code: a short machine-readable error code.
        message: a human-readable explanation.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """Return the JSON error body."""
        return {"error": self.code, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    """The answer to one verification request.

    Attributes:
        status: HTTP status.
        body: JSON body.
        delay: seconds to wait before answering (the ``delay`` variant).
    """

    status: int
    body: dict[str, Any]
    delay: float = 0.0


@dataclass
class _Live:
    record: ChallengeRecord
    created: float
    tokens: tuple[str, str]
    failures: int = 0
    solved: bool = False


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_verify_body(raw: bytes) -> tuple[str, float, list[list[float]]]:
    """Read a verification body ``{"id": str, "x": number, "trajectory": [[t, x, y], ...]}``.

    Returns:
        ``(challenge id, dropped x in natural px, trajectory)``.

    Raises:
        RequestError: 400 with ``invalid_json`` or ``bad_request``.
    """
    try:
        data = parse_bounded_json(raw)
    except ValueError as exc:
        raise RequestError(400, "invalid_json", str(exc)) from None
    if not isinstance(data, dict):
        raise RequestError(400, "bad_request", "body must be a JSON object")
    for name in ("id", "x", "trajectory"):
        if name not in data:
            raise RequestError(400, "bad_request", f"missing field {name!r}")
    cid, x, trajectory = data["id"], data["x"], data["trajectory"]
    if not isinstance(cid, str) or not cid:
        raise RequestError(400, "bad_request", "'id' must be a non-empty string")
    if not _number(x):
        raise RequestError(400, "bad_request", "'x' must be a finite number")
    if not isinstance(trajectory, list):
        raise RequestError(400, "bad_request", "'trajectory' must be a list of [t_ms, x, y]")
    if len(trajectory) > MAX_TRAJECTORY_POINTS:
        raise RequestError(
            400, "bad_request", f"'trajectory' has over {MAX_TRAJECTORY_POINTS} points"
        )
    for point in trajectory:
        if not (isinstance(point, list) and len(point) == 3 and all(_number(v) for v in point)):
            raise RequestError(
                400, "bad_request", "'trajectory' must be a list of [t_ms, x, y] numbers"
            )
    return cid, float(x), [[float(v) for v in p] for p in trajectory]


def _ends_elsewhere(
    x: float, trajectory: list[list[float]], record: ChallengeRecord, slack: float
) -> bool:
    """True when ``x`` is not where the widget puts the piece for the trajectory's last point.

    The widget moves the piece by the pointer's x offset times the handle ratio, clamped to
    the handle's and the piece's travel, and reports it in natural px; ``slack`` (natural
    px) absorbs rounding and a handle that jumps to the pointer on press.
    """
    last_dx = max(0.0, trajectory[-1][1]) if trajectory else 0.0
    free = record.piece_x_at(last_dx)  # from the piece's start (left of 0 with outside=1)
    handle_travel = record.piece_x_at(DISPLAY_WIDTH - HANDLE_WIDTH)
    piece_travel = DISPLAY_WIDTH * record.scale - record.piece_width
    clamped = min(free, handle_travel, piece_travel)
    return x > free + slack or x < clamped - slack


def _looks_robotic(trajectory: list[list[float]]) -> bool:
    if len(trajectory) < 5:
        return True
    ys = [p[2] for p in trajectory]
    return max(ys) == min(ys)


def _encode(image: Any, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


class ChallengeStore:
    """Issues challenges, serves their images, judges verifications; thread-safe.

    Args:
        seed: seeds the picture generator (ids stay random); ``None`` for a random seed.
        ttl: seconds a challenge stays valid.
        max_failures: failed attempts after which a challenge is locked.
        tolerance_px: largest accepted ``|dropped x - gap x|``, natural px.
        clock: monotonic clock in seconds (injectable for expiry tests).
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        ttl: float = 120.0,
        max_failures: int = 3,
        tolerance_px: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_failures < 1 or tolerance_px < 0:
            raise ValueError("ttl and max_failures must be positive, tolerance_px not negative")
        self.ttl = ttl
        self.max_failures = max_failures
        self.tolerance_px = tolerance_px
        self._clock = clock
        self._rng = random.Random(seed)
        #: Draws each page's behaviour amounts (hover wait, verdict delay...); seeded apart
        #: from the pictures so that pages do not change the puzzles a seed gives.
        self.page_rng = random.Random(None if seed is None else f"pages:{seed}")
        self._cond = threading.Condition()
        self._live: dict[str, _Live] = {}
        self._images: dict[str, tuple[bytes, str]] = {}
        self._challenges: deque[ChallengeRecord] = deque(maxlen=_MAX_RECORDS)
        self._verifications: deque[VerificationRecord] = deque(maxlen=_MAX_RECORDS)

    # -- issuing ------------------------------------------------------------------------

    def issue(self, variant: Variant) -> dict[str, Any]:
        """Generate and remember a challenge; return the JSON the page receives.

        The JSON holds the opaque id, opaque image URLs, the natural sizes and the piece's
        vertical offset; never the gap's horizontal position.
        """
        with self._cond:
            seed = self._rng.getrandbits(63)
        puzzle = generate_puzzle(variant, seed)
        background = _encode(puzzle.background, "JPEG", quality=90)
        piece = _encode(puzzle.piece, "PNG")
        cid = secrets.token_urlsafe(12)
        tokens = (secrets.token_urlsafe(16) + ".jpg", secrets.token_urlsafe(16) + ".png")
        width, height = puzzle.background.size
        record = ChallengeRecord(
            id=cid,
            variant=variant,
            gap_x=puzzle.gap_x,
            gap_y=puzzle.gap_y,
            scale=width / DISPLAY_WIDTH,
            ratio=variant.effective_ratio(),
            piece_width=puzzle.piece.width,
            issued_at=time.time(),
            start_x=puzzle.start_x,
        )
        with self._cond:
            self._prune()
            self._live[cid] = _Live(record, self._clock(), tokens)
            self._images[tokens[0]] = (background, "image/jpeg")
            self._images[tokens[1]] = (piece, "image/png")
            self._challenges.append(record)
            self._cond.notify_all()
        logger.info("challenge %s issued (%s)", cid, variant.to_query() or "default")
        data: dict[str, Any] = {
            "id": cid,
            "background": f"/img/{tokens[0]}",
            "piece": f"/img/{tokens[1]}",
            "width": width,
            "height": height,
            "piece_width": puzzle.piece.width,
            "piece_height": puzzle.piece.height,
            "piece_y": puzzle.gap_y,
            "expires_in": self.ttl,
        }
        if variant.outside:
            data["piece_start"] = puzzle.start_x  # natural px left of the picture; not the gap
        return data

    def _prune(self) -> None:
        now = self._clock()
        stale = [cid for cid, live in self._live.items() if now - live.created > 2 * self.ttl]
        overflow = max(0, len(self._live) - len(stale) - _MAX_LIVE + 1)
        stale += [cid for cid in self._live if cid not in stale][:overflow]
        for cid in stale:
            live = self._live.pop(cid)
            for token in live.tokens:
                self._images.pop(token, None)

    def image(self, token: str) -> tuple[bytes, str] | None:
        """Return ``(bytes, content type)`` of an issued image, or ``None``."""
        with self._cond:
            return self._images.get(token)

    # -- verifying ----------------------------------------------------------------------

    def verify(self, raw: bytes) -> Verdict:
        """Judge one verification request body.

        Returns:
            200 with ``{"success": bool, "reason": str, "attempts_left": int}`` for a
            judged attempt; 404 unknown challenge, 409 already solved, 410 expired,
            429 too many failures, 400 bad body, each with ``{"error", "message"}``.
        """
        try:
            cid, x, trajectory = parse_verify_body(raw)
        except RequestError as exc:
            return Verdict(exc.status, exc.body())
        with self._cond:
            live = self._live.get(cid)
            if live is None:
                error = RequestError(404, "unknown_challenge", "no such challenge")
                return Verdict(error.status, error.body())
            record = live.record
            status, reason = self._judge(live, x, trajectory)
            passed = reason == "passed"
            error_px = x - record.gap_x
            self._verifications.append(
                VerificationRecord(
                    challenge_id=cid,
                    passed=passed,
                    reason=reason,
                    x=x,
                    error_natural_px=error_px,
                    error_css_px=error_px / record.scale,
                    trajectory_points=len(trajectory),
                    drag_ms=trajectory[-1][0] if trajectory else 0.0,
                    received_at=time.time(),
                )
            )
            self._cond.notify_all()
            attempts_left = self.max_failures - live.failures
        logger.info("challenge %s verified: %s (error %+.1f px)", cid, reason, error_px)
        delay = record.variant.delay / 1000.0
        if status != 200:
            messages = {
                "expired": "The puzzle expired. Load a new one.",
                "replayed": "This puzzle was already solved.",
                "too_many_failures": "Too many failed attempts. Load a new puzzle.",
            }
            return Verdict(status, {"error": reason, "message": messages[reason]}, delay)
        left = 0 if passed else attempts_left
        body = {"success": passed, "reason": reason, "attempts_left": left}
        return Verdict(200, body, delay)

    def _judge(self, live: _Live, x: float, trajectory: list[list[float]]) -> tuple[int, str]:
        if live.solved:
            return 409, "replayed"
        if self._clock() - live.created > self.ttl:
            return 410, "expired"
        if live.failures >= self.max_failures:
            return 429, "too_many_failures"
        tolerance = live.record.variant.tolerance or self.tolerance_px
        slack = tolerance + TRAJECTORY_SLACK_CSS * live.record.scale
        if abs(x - live.record.gap_x) > tolerance:
            reason = "missed"
        elif live.record.variant.strict and _looks_robotic(trajectory):
            reason = "robotic"
        elif _ends_elsewhere(x, trajectory, live.record, slack):
            reason = "inconsistent"
        else:
            live.solved = True
            return 200, "passed"
        live.failures += 1
        return 200, reason

    # -- records ------------------------------------------------------------------------

    @property
    def challenges(self) -> list[ChallengeRecord]:
        """Issued challenges, oldest first (a copy)."""
        with self._cond:
            return list(self._challenges)

    @property
    def verifications(self) -> list[VerificationRecord]:
        """Verification attempts on known challenges, oldest first (a copy)."""
        with self._cond:
            return list(self._verifications)

    def wait_for_verification(self, count: int = 1, timeout: float = 10.0) -> VerificationRecord:
        """Block until at least ``count`` verifications exist; return the ``count``-th.

        Raises:
            TimeoutError: fewer than ``count`` arrived within ``timeout`` seconds.
        """
        return self._wait(self._verifications, count, timeout, "verification")

    def wait_for_challenge(self, count: int = 1, timeout: float = 10.0) -> ChallengeRecord:
        """Block until at least ``count`` challenges were issued; return the ``count``-th.

        Raises:
            TimeoutError: fewer than ``count`` were issued within ``timeout`` seconds.
        """
        return self._wait(self._challenges, count, timeout, "challenge")

    def _wait(self, items: deque[_T], count: int, timeout: float, what: str) -> _T:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._cond:
            if not self._cond.wait_for(lambda: len(items) >= count, timeout=timeout):
                raise TimeoutError(
                    f"{len(items)} {what}(s) after {timeout:g} s, expected at least {count}"
                )
            return items[count - 1]

    def answer_for(self, challenge_id: str) -> ChallengeRecord:
        """Return the record (with the answer) of an issued challenge.

        Raises:
            KeyError: no challenge with this id was issued (or it was reset).
        """
        with self._cond:
            for record in reversed(self._challenges):
                if record.id == challenge_id:
                    return record
        raise KeyError(challenge_id)

    def last_challenge(self) -> ChallengeRecord:
        """Return the most recently issued challenge.

        Raises:
            LookupError: none was issued yet.
        """
        with self._cond:
            if not self._challenges:
                raise LookupError("no challenge issued yet")
            return self._challenges[-1]

    def reset(self) -> None:
        """Forget every challenge, image and record."""
        with self._cond:
            self._live.clear()
            self._images.clear()
            self._challenges.clear()
            self._verifications.clear()
            self._cond.notify_all()
