"""Records of a solve: what each attempt saw and did, and the outcome.

:class:`~omo_selenium.SliderSolver` writes them and :mod:`omo_selenium.debug` reads them,
so both import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import VerificationFailed

if TYPE_CHECKING:
    from ._types import GapMatch
    from .browser.capture import Captured
    from .browser.slide import PathStep

__all__ = ["AttemptRecord", "SolveResult"]


@dataclass
class AttemptRecord:
    """What one attempt saw and did.

    Attributes:
        number: 1-based attempt number.
        distance_css: the solver's answer: piece travel in CSS px of the image.
        ratio: piece px moved per handle px dragged (given, measured or assumed 1).
        ratio_source: ``"given"``, ``"measured"``, ``"learned"`` (measured on an earlier
            attempt) or ``"assumed"``.
        handle_css: how far the handle was dragged (CSS px) at release.
        landed_css: the piece travel measured on the page before release, if looked at.
        correction_css: handle px the landing check moved (0 when none was needed).
        verdict: ``True`` accepted, ``False`` rejected, ``None`` not checked.
        error: why the attempt failed before a verdict, if it did.
        timings: seconds per step: ``screenshot``, ``crop`` (element lookup, bounds and
            cropping), ``solve``, ``slide``, ``verify``.
    """

    number: int
    distance_css: float | None = None
    ratio: float | None = None
    ratio_source: str | None = None
    handle_css: int | None = None
    landed_css: float | None = None
    correction_css: int = 0
    verdict: bool | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    captured: Captured | None = field(default=None, repr=False)
    match: GapMatch | None = field(default=None, repr=False)
    path: list[PathStep] = field(default_factory=list, repr=False)


@dataclass
class SolveResult:
    """The outcome of :meth:`SliderSolver.solve`.

    Attributes:
        success: the page accepted a drag (or, with no ``success`` check given, a drag
            was made without error).
        attempts: one record per attempt, in order.
        elapsed: seconds for the whole solve.
    """

    success: bool
    attempts: list[AttemptRecord]
    elapsed: float

    @property
    def error(self) -> str | None:
        """The last attempt's error, if any."""
        return self.attempts[-1].error if self.attempts else None

    def raise_for_failure(self) -> SolveResult:
        """Return ``self`` on success, else raise :class:`VerificationFailed`."""
        if not self.success:
            detail = f": {self.error}" if self.error else ""
            raise VerificationFailed(
                f"slider captcha not solved after {len(self.attempts)} attempt(s){detail}"
            )
        return self
