"""One attempt at a slider captcha: capture, answer, drag, verdict.

An :class:`Attempt` owns what one try needs while it runs: the elements, the captured
picture, the answer, the watch on the widget (for the verdict) and, for the slide step,
a :class:`~omo_selenium.steering.Steering` that owns the drag, its looks at the page and
the handle ratio. It writes its :class:`~omo_selenium.records.AttemptRecord` once per
step, when the step is done; nothing is read back from the record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ._types import GapMatch, Locator, PieceImage, PieceSolver
from .browser.capture import (
    Captured,
    Target,
    capture_element,
    element_rect,
    read_own_pixels,
    resolve_element,
)
from .browser.conditions import Condition, captcha_is_ready
from .browser.webdriver_errors import translate_webdriver_error
from .errors import CaptureError, SolveFailed
from .ratio import HandleRatio
from .records import AttemptRecord
from .steering import AttemptSettings, Steering, check_distance
from .verdict import VerdictWatch

__all__ = ["Attempt", "AttemptSettings"]

logger = logging.getLogger("omo_selenium.solver")

#: Seconds to wait, at most, for the captcha's picture to load before capturing it.
READY_SECONDS = 5.0


class Attempt:
    """One try: capture the captcha, ask for the distance, drag, read the verdict.

    Args:
        settings: the solver's settings.
        record: the record to write, once per step.
        ratio: the handle ratio to use: given by the caller, or learned on this widget
            by an earlier attempt; ``None`` to measure it.
    """

    def __init__(
        self, settings: AttemptSettings, record: AttemptRecord, ratio: HandleRatio | None
    ) -> None:
        self.settings = settings
        self.driver = settings.driver
        self.record = record
        self.ratio = ratio or HandleRatio.assumed()
        self.captured: Captured | None = None
        self.match: GapMatch | None = None
        self.distance_css = 0.0
        self.image_el: WebElement | None = None
        self.handle_el: WebElement | None = None
        self.watch: VerdictWatch | None = None
        self.steering: Steering | None = None

    # -- steps -----------------------------------------------------------------------

    def run(
        self,
        image: Target,
        handle: Target,
        success: Condition | None,
        failure: Condition | None,
        piece: Target | None = None,
    ) -> None:
        """Run the attempt; the record holds the outcome, errors propagate."""
        self.capture(image, handle)
        try:
            with_piece = piece is not None and isinstance(self.settings.solver, PieceSolver)
            self.answer(self._capture_piece(piece) if with_piece and piece else None)
            refused: SolveFailed | None = None
        except SolveFailed as exc:
            if not isinstance(self.settings.solver, PieceSolver):
                raise  # nothing to ask with the piece's picture: no look
            logger.info("solver refused (%s); looking at the piece moving", exc)
            refused = exc
        self.slide(refused)
        self.verify(success, failure)

    def capture(self, image: Target, handle: Target) -> None:
        """Find the elements and take the picture."""
        clock = time.monotonic
        t = clock()
        timeout = self.settings.element_timeout
        self.image_el = resolve_element(self.driver, image, timeout=timeout)
        self.handle_el = resolve_element(self.driver, handle, timeout=timeout)
        self._wait_until_loaded(min(timeout, READY_SECONDS))
        self.captured = capture_element(self.driver, self.image_el)
        relocate: Callable[[], WebElement | None] | None = None
        if not isinstance(image, WebElement):

            def relocate() -> WebElement | None:
                return resolve_element(self.driver, image)

        self.watch = VerdictWatch(self.driver, self.image_el, self.handle_el, relocate)
        self.record.captured = self.captured
        self.record.timings["screenshot"] = self.captured.screenshot_seconds
        self.record.timings["crop"] = clock() - t - self.captured.screenshot_seconds

    def _wait_until_loaded(self, timeout: float) -> None:
        """Wait (bounded) until the picture has loaded: a captcha captured while its
        picture is still coming is refused or, worse, answered wrong."""
        if self.image_el is None or timeout <= 0:
            return
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(
                captcha_is_ready(self.image_el)
            )
        except TimeoutException:
            logger.info("the captcha still looks busy after %.1f s; capturing anyway", timeout)
        except WebDriverException as exc:
            raise translate_webdriver_error(exc, CaptureError, "wait for the captcha") from exc

    def _capture_piece(self, piece: Target) -> PieceImage | None:
        """The ``piece=`` element's own picture and its start, in px of the captcha."""
        captured = self._captured
        try:
            element = resolve_element(self.driver, piece, timeout=self.settings.element_timeout)
            left, top, width, height = element_rect(self.driver, element)
        except CaptureError as exc:
            logger.warning("could not find the piece element (%s); solving without it", exc)
            return None
        px_per_css = 1.0 / captured.scale
        size = (max(1, round(width * px_per_css)), max(1, round(height * px_per_css)))
        # A screenshot of the element would show the picture behind its transparent
        # corners; only the element's own pixels carry the piece's shape.
        sprite = read_own_pixels(self.driver, element, size)
        if sprite is None:
            logger.info(
                "the piece element has no readable picture with transparency (not an img or "
                "canvas, cross-origin, or opaque); solving the captcha's picture alone"
            )
            return None
        x = (left - captured.css_rect[0]) * px_per_css
        y = (top - captured.css_rect[1]) * px_per_css
        return PieceImage(sprite, x, y)

    def answer(self, piece: PieceImage | None = None) -> None:
        """Ask the solver how far the piece must travel.

        Args:
            piece: the piece's own picture and start (from a ``piece=`` element), given
                to a :class:`~omo_selenium.PieceSolver`; other solvers find the piece in
                the picture as usual.

        Raises:
            SolveFailed: the solver refused (the slide step may look at the page instead).
        """
        captured = self._captured
        t = time.monotonic()
        solver = self.settings.solver
        try:
            if piece is not None and isinstance(solver, PieceSolver):
                distance = float(solver.solve_piece(captured.image, piece, captured.width_view))
                how = "solve_piece (piece=)"
            elif isinstance(solver, Locator):
                # a piece partly outside the picture: the solver matches the part it
                # sees with the same part of the gap, so its travel holds as it is
                self.match = solver.locate(captured.image, captured.width_view)
                distance, how = float(self.match.distance_css), "locate"
            else:
                distance, how = float(solver.solve(captured.image, captured.width_view)), "solve"
            check_distance(distance)
            self.distance_css = distance
        finally:
            self.record.timings["solve"] = time.monotonic() - t
        self.record.distance_css, self.record.match, self.record.answered_by = (
            distance,
            self.match,
            how,
        )

    def slide(self, refused: SolveFailed | None = None) -> None:
        """Drag the handle so the piece travels the answer, checking every step.

        With ``refused`` (the solver gave up on the picture) the page is asked instead:
        the piece is moved a little, seen, and the solver asked again with its picture.
        """
        t = time.monotonic()
        try:
            self._steer(refused)
        finally:
            record, steering = self.record, self.steering
            record.timings["slide"] = time.monotonic() - t
            if steering is not None:
                self.ratio = steering.ratio
                if steering.drag is not None:
                    record.handle_css = steering.handle_css
                    record.path = list(steering.drag.steps)
                record.ratio, record.ratio_source = steering.ratio.value, steering.ratio.source
                record.jump_css, record.presses = steering.offset_css, steering.presses
                record.landed_css = steering.landed_css
                record.correction_css = steering.correction_css
                record.look = steering.look
                record.landing = steering.landing_look()
                if steering.solve_seconds:
                    record.timings["solve"] = (
                        record.timings.get("solve", 0.0) + steering.solve_seconds
                    )
                if steering.answered_by is not None:
                    # the piece seen moving answered: the located boxes are not the answer
                    record.distance_css = steering.distance_css
                    record.answered_by = steering.answered_by
                    record.match = steering.match

    def verify(self, success: Condition | None, failure: Condition | None) -> None:
        """Read the page's verdict (see :class:`~omo_selenium.verdict.VerdictWatch`)."""
        t = time.monotonic()
        verdict, reason = self._watch.verdict(
            timeout=self.settings.verify_timeout,
            captured=self.captured,
            success=success,
            failure=failure,
        )
        self.record.timings["verify"] = time.monotonic() - t
        self.record.verdict, self.record.verdict_reason = verdict, reason
        if verdict != "accepted":
            self.record.error = (
                "the page did not accept the drag"
                if verdict == "rejected"
                else "the page gave no verdict"
            )
        logger.debug("verdict %s (%s)", verdict.value, reason)

    # -- helpers ------------------------------------------------------------------------

    @property
    def _captured(self) -> Captured:
        if self.captured is None:
            raise CaptureError("the captcha was not captured")
        return self.captured

    @property
    def _watch(self) -> VerdictWatch:
        if self.watch is None:
            raise CaptureError("the captcha was not captured")
        return self.watch

    def _steer(self, refused: SolveFailed | None) -> None:
        if self.captured is None or self.image_el is None or self.handle_el is None:
            raise CaptureError("the captcha was not captured")
        self.steering = Steering(
            self.settings,
            self.captured,
            self.image_el,
            self.handle_el,
            self._watch,
            self.ratio,
            self.distance_css,
            self.match,
        )
        self.steering.run(refused)
