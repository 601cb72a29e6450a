"""Records of a solve: what each attempt saw and did, and the outcome.

:class:`~omo_selenium.SliderSolver` writes them and :mod:`omo_selenium.debug` reads them,
so both import them from here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import OmoCaptchaError, VerificationFailed

if TYPE_CHECKING:
    from PIL import Image

    from ._types import GapMatch
    from .browser.capture import Captured
    from .browser.slide import PathStep

__all__ = ["AttemptRecord", "LandingLook", "PieceLook", "SolveResult", "Verdict"]


class Verdict(str, enum.Enum):
    """What the page said about a drag.

    ``ACCEPTED`` only on positive evidence (a ``success=`` check, words such as
    "verified" on the widget, the captcha closing); ``REJECTED`` on a ``failure=``
    check, failure words, the handle or piece back at the start, a new picture;
    ``UNKNOWN`` when the page showed nothing decisive in time. Compares equal to its
    value (``record.verdict == "accepted"``).
    """

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PieceLook:
    """The piece as seen moving on the page: two screenshots, their difference.

    Attributes:
        sprite: the piece's own picture (RGBA, alpha = where it is), image px.
        start_x: the piece's left edge before the drag, image px of the captcha.
        y: its top edge, image px.
        shift_px: how far it moved between the two screenshots, image px.
        handle_css: how far the handle had moved then, CSS px.
        background: the picture with the piece's start uncovered, when seen.
    """

    sprite: Image.Image
    start_x: float
    y: float
    shift_px: float
    handle_css: float
    background: Image.Image | None = None


@dataclass(frozen=True)
class LandingLook:
    """The last look at the page before release: where the piece was, against the gap.

    Attributes:
        image: the picture the look took (the rows the piece slides along, or all of it).
        top: the first row of :attr:`image` in the captcha's picture, image px.
        piece_box: the piece's box at its start, image px of the captcha.
        found_x: the piece's left edge in that look, image px (``None``: not seen).
        target_x: where its left edge belongs (the gap), image px.
        how: how it was found: ``"its own pixels"`` or ``"screenshot comparison"``.
        sprite: the piece's own pixels as followed (RGBA, alpha = the pixels used).
    """

    image: Image.Image
    top: int
    piece_box: tuple[int, int, int, int]
    found_x: float | None
    target_x: float
    how: str | None = None
    sprite: Image.Image | None = None


@dataclass
class AttemptRecord:
    """What one attempt saw and did, written once per step.

    Attributes:
        number: 1-based attempt number.
        distance_css: the solver's answer: piece travel in CSS px of the image.
        answered_by: how the answer was found: ``"solve"``, ``"locate"``,
            ``"solve_piece (look)"`` (the piece seen moving on the page) or
            ``"solve_piece (piece=)"``.
        ratio: piece px moved per handle px dragged (given, measured or assumed 1).
        ratio_source: ``"given"``, ``"measured"``, ``"learned"`` (measured earlier on
            the same widget) or ``"assumed"``.
        handle_css: how far the handle was dragged (CSS px) at release.
        jump_css: how far the handle jumped on press, ahead of the pointer (CSS px).
        presses: presses it took before the handle followed the pointer (1 normally).
        landed_css: the piece travel measured on the page before release, if looked at.
        correction_css: handle px the landing check moved (0 when none was needed).
        verdict: :class:`Verdict` after release; ``None`` when nothing was released.
        verdict_reason: how the verdict was read ("success= condition", "words on the
            widget: verified", "handle back at the start", ...).
        error: why the attempt failed, in words, if it did.
        exception: the error itself (its real type), if the attempt failed on one.
        timings: seconds per step: ``screenshot``, ``crop`` (element lookup, bounds and
            cropping), ``solve``, ``slide``, ``verify``.
        look: the piece seen moving, when the solver looked.
        landing: the last look before release, when the landing was checked.
    """

    number: int
    distance_css: float | None = None
    answered_by: str | None = None
    ratio: float | None = None
    ratio_source: str | None = None
    handle_css: float | None = None
    jump_css: float = 0.0
    presses: int = 0
    landed_css: float | None = None
    correction_css: int = 0
    verdict: Verdict | None = None
    verdict_reason: str | None = None
    error: str | None = None
    exception: BaseException | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    captured: Captured | None = field(default=None, repr=False)
    match: GapMatch | None = field(default=None, repr=False)
    look: PieceLook | None = field(default=None, repr=False)
    landing: LandingLook | None = field(default=None, repr=False)
    path: list[PathStep] = field(default_factory=list, repr=False)

    def fail(self, exc: BaseException) -> None:
        """Record the error that ended this attempt."""
        self.exception = exc
        self.error = f"{type(exc).__name__}: {exc}"


@dataclass
class SolveResult:
    """The outcome of :meth:`SliderSolver.solve`.

    Attributes:
        success: the page accepted a drag (:attr:`verdict` is ``"accepted"``); never
            true on an unknown verdict.
        attempts: one record per attempt, in order.
        elapsed: seconds for the whole solve.
    """

    success: bool
    attempts: list[AttemptRecord]
    elapsed: float

    @property
    def verdict(self) -> Verdict | None:
        """The last attempt's verdict (``None`` when no drag was released)."""
        return self.attempts[-1].verdict if self.attempts else None

    @property
    def verdict_reason(self) -> str | None:
        """How the last attempt's verdict was read from the page."""
        return self.attempts[-1].verdict_reason if self.attempts else None

    @property
    def error(self) -> str | None:
        """The last attempt's error, if any."""
        return self.attempts[-1].error if self.attempts else None

    def raise_for_failure(self) -> SolveResult:
        """Return ``self`` on success, else raise.

        Raises:
            OmoCaptchaError: the error that ended the last attempt, with its real type
                (``TransportError``, ``SolveFailed``, ...).
            VerificationFailed: the page rejected the drags, or gave no verdict.
        """
        if self.success:
            return self
        last = self.attempts[-1] if self.attempts else None
        if last is not None and isinstance(last.exception, OmoCaptchaError):
            raise last.exception
        detail = f": {self.error}" if self.error else ""
        if last is not None and last.verdict is Verdict.UNKNOWN:
            detail = f": the page gave no verdict ({last.verdict_reason})"
        raise VerificationFailed(
            f"slider captcha not solved after {len(self.attempts)} attempt(s){detail}"
        )
