"""``SliderSolver``: capture -> solve -> slide -> verify, with retries on a fresh captcha."""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import random
import time
from typing import TYPE_CHECKING, Any

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ._types import Locator, Solver
from .browser.capture import Captured, Target, capture_element, recapture, resolve_element
from .browser.conditions import Condition, as_condition
from .browser.slide import DEFAULT_STYLE, Drag, PathStep, SlideStyle, plan_path
from .errors import (
    AuthenticationError,
    CaptureError,
    ConfigurationError,
    OmoCaptchaError,
    SlideError,
    SolveFailed,
)
from .records import AttemptRecord, SolveResult

if TYPE_CHECKING:
    from .debug.recorder import DebugRecorder

__all__ = ["AttemptRecord", "SliderSolver", "SolveResult"]

logger = logging.getLogger("omo_selenium.solver")

#: Share of the drag made before looking how far the piece moves (handle-to-piece ratio).
PROBE_SHARE = 0.35
#: With the landing check on and the ratio unknown, share of a long drag made before a
#: first look: long enough to measure the ratio well, short enough that a ratio up to 1.6
#: does not carry the piece past the gap, towards the end of its track.
FIRST_LEG_SHARE = 0.6
#: Measured ratios this close to 1 keep the planned drag (the piece keeps pace).
SAME_PACE = 0.02
#: Largest ratio a whole first drag at 1:1 must survive without reaching the track's end.
RATIO_HEADROOM = 1.6
#: Landing error, in CSS px of the image, above which the drag is corrected before release.
LANDING_TOLERANCE_CSS_PX = 0.75
#: Looks at the page before release, at most (each may be followed by a correction).
MAX_LOOKS = 3
#: Plausible handle-to-piece ratios; a measurement outside is ignored.
MIN_RATIO, MAX_RATIO = 0.4, 2.5
#: A move shorter than this (CSS px) is too short to measure the ratio on.
MIN_RATIO_MOVE_CSS_PX = 5
#: Seconds between two looks when waiting for a new captcha to hold still.
STABLE_INTERVAL = 0.12
_UNSET: Any = object()


class SliderSolver:
    """Solve slider captchas on any WebDriver (local, ``webdriver.Remote``, Grid).

    Args:
        driver: the browser to work in. For a captcha inside an iframe, switch into
            the frame first; both elements must be in the current frame.
        solver: what turns a picture into a distance. Default: the omocaptcha API
            when a key is configured (``OMOCAPTCHA_API_KEY``), else the local engine.
        style: how the drag moves (see :class:`SlideStyle`).
        ratio: piece px per handle px; ``None`` measures it on the page with a small
            first drag.
        check_landing: before release, look at the page and correct the drag when
            the piece is not over the gap. ``None``: on for the local engine.
        verify_timeout: seconds to wait for the page's verdict after release.
        element_timeout: seconds to wait for the captcha elements to appear.
        debug_dir: save, per attempt, the picture, an annotated copy, the drag path and
            the timings there, plus an ``index.html`` per solve (see
            :class:`~omo_selenium.debug.DebugRecorder`). ``None``: save nothing.

    Example:
        >>> result = SliderSolver(driver).solve(  # doctest: +SKIP
        ...     image="#captcha-image", handle="#slider-handle",
        ...     success="#captcha-result[data-state=success]")
        >>> result.success
        True
    """

    def __init__(
        self,
        driver: WebDriver,
        solver: Solver | None = None,
        *,
        style: SlideStyle = DEFAULT_STYLE,
        ratio: float | None = None,
        check_landing: bool | None = None,
        verify_timeout: float = 5.0,
        element_timeout: float = 10.0,
        debug_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if solver is None:
            from .defaults import default_solver

            solver = default_solver()
        if not isinstance(solver, Solver):
            raise ConfigurationError("solver must have a solve(image, width_view) method")
        _check_ratio(ratio)
        if not verify_timeout >= 0 or not element_timeout >= 0:
            raise ConfigurationError("timeouts must not be negative")
        self.driver = driver
        self.solver = solver
        self.style = style
        self.ratio = ratio
        if check_landing is None:
            # A solver that reports where the piece is can have its landing measured.
            check_landing = isinstance(solver, Locator)
        self.check_landing = check_landing
        self._learned_ratio: float | None = None
        self.verify_timeout = verify_timeout
        self.element_timeout = element_timeout
        self.debug: DebugRecorder | None = None
        if debug_dir is not None:
            from .debug.recorder import DebugRecorder

            self.debug = DebugRecorder(debug_dir)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(solver={type(self.solver).__name__}, ratio={self.ratio}, "
            f"check_landing={self.check_landing})"
        )

    def solve(
        self,
        image: Target,
        handle: Target,
        *,
        success: Condition | None = None,
        failure: Condition | None = None,
        refresh: Target | None = None,
        attempts: int = 3,
        ratio: float | None = _UNSET,
    ) -> SolveResult:
        """Solve the captcha, retrying on a fresh one when the page rejects a drag.

        Args:
            image: the captcha picture (it should include the overlaid piece).
            handle: the slider handle to drag.
            success: shown when the page accepted the drag (a Target that becomes
                visible, or a ``driver -> truthy`` callable). ``None``: do not check.
            failure: shown when the page rejected it (ends the wait early).
            refresh: clicked to get a new captcha before the next attempt; without
                it, the solver waits for the page to show a new picture by itself.
            attempts: how many captchas to try at most.
            ratio: override the solver's handle ratio for this call.

        Returns:
            The outcome with one record per attempt; check ``result.success`` or call
            ``result.raise_for_failure()``.

        Raises:
            CaptureError: the captcha elements are missing or hidden.
            AuthenticationError, ConfigurationError: retrying cannot help.
        """
        if not isinstance(attempts, int) or attempts < 1:
            raise ConfigurationError("attempts must be a positive integer")
        ratio = self.ratio if ratio is _UNSET else ratio
        _check_ratio(ratio)
        started = time.monotonic()
        records: list[AttemptRecord] = []
        result: SolveResult | None = None
        try:
            result = self._attempts(
                records, image, handle, success, failure, refresh, attempts, ratio
            )
            result.elapsed = time.monotonic() - started
            return result
        finally:
            if self.debug is not None:
                self.debug.finish(result)

    def _attempts(
        self,
        records: list[AttemptRecord],
        image: Target,
        handle: Target,
        success: Condition | None,
        failure: Condition | None,
        refresh: Target | None,
        attempts: int,
        ratio: float | None,
    ) -> SolveResult:
        previous: Captured | None = None
        for number in range(1, attempts + 1):
            if number > 1:
                self._next_captcha(image, refresh, previous)
            record = AttemptRecord(number)
            records.append(record)
            try:
                self._attempt(record, image, handle, success, failure, ratio)
            except (AuthenticationError, ConfigurationError):
                raise
            except CaptureError:
                if number == 1:
                    raise
                record.error = "captcha not found after refresh"
                break
            except OmoCaptchaError as exc:
                record.error = f"{type(exc).__name__}: {exc}"
            finally:
                if self.debug is not None:
                    self.debug.record_attempt(record)
            previous = record.captured or previous
            logger.info(
                "attempt %d/%d: distance %s css px, ratio %s (%s), verdict %s, %.2f s%s",
                number,
                attempts,
                _fmt(record.distance_css),
                _fmt(record.ratio, 3),
                record.ratio_source,
                record.verdict,
                sum(record.timings.values()),
                f", error: {record.error}" if record.error else "",
            )
            if record.error is None and record.verdict is not False:
                return SolveResult(True, records, 0.0)
        return SolveResult(False, records, 0.0)

    # -- one attempt ---------------------------------------------------------------

    def _attempt(
        self,
        record: AttemptRecord,
        image: Target,
        handle: Target,
        success: Condition | None,
        failure: Condition | None,
        ratio: float | None,
    ) -> None:
        clock = time.monotonic
        t = clock()
        image_el = resolve_element(self.driver, image, timeout=self.element_timeout)
        handle_el = resolve_element(self.driver, handle, timeout=self.element_timeout)
        captured = capture_element(self.driver, image_el)
        record.captured = captured
        record.timings["screenshot"] = captured.screenshot_seconds
        record.timings["crop"] = clock() - t - captured.screenshot_seconds

        t = clock()
        try:
            record.distance_css = self._ask_solver(record, captured)
            if not (math.isfinite(record.distance_css) and record.distance_css > 0):
                raise SolveFailed(
                    f"solver answered {record.distance_css!r} css px; nothing to drag"
                )
        finally:
            record.timings["solve"] = clock() - t

        t = clock()
        try:
            self._slide(record, captured, image_el, handle_el, ratio)
        finally:
            record.timings["slide"] = clock() - t

        t = clock()
        record.verdict = self._verdict(success, failure)
        record.timings["verify"] = clock() - t
        if record.verdict is False:
            record.error = "the page did not accept the drag"

    def _ask_solver(self, record: AttemptRecord, captured: Captured) -> float:
        if isinstance(self.solver, Locator):
            match = self.solver.locate(captured.image, captured.width_view)
            record.match = match
            return float(match.distance_css)
        return float(self.solver.solve(captured.image, captured.width_view))

    def _look(self, captured: Captured, image_el: WebElement) -> Captured:
        if captured.device_box is None:
            return capture_element(self.driver, image_el, scroll=False)
        return recapture(self.driver, captured)

    def _piece_travel_css(self, captured: Captured, image_el: WebElement) -> float | None:
        from .engine.motion import measure_piece_shift  # numpy: imported on first use

        shift = measure_piece_shift(captured.image, self._look(captured, image_el).image)
        return None if shift is None else shift * captured.scale

    def _slide(
        self,
        record: AttemptRecord,
        captured: Captured,
        image_el: WebElement,
        handle_el: WebElement,
        ratio: float | None,
    ) -> None:
        """Drag the handle so the piece travels ``record.distance_css``.

        The handle-to-piece ratio is given, or learnt on the page: with the landing check
        on, from where the piece actually went (one look at the page while holding, the
        same look that checks the landing); without it, from a small first drag.
        """
        distance = record.distance_css
        assert distance is not None
        style = self.style.for_handle(_width_css(handle_el))
        rng = style.rng()
        drag = Drag(self.driver, handle_el)
        try:
            drag.press()
            if ratio is not None:
                record.ratio, record.ratio_source = ratio, "given"
            elif self.check_landing and self._learned_ratio is not None:
                record.ratio, record.ratio_source = self._learned_ratio, "learned"
            elif self.check_landing:
                record.ratio, record.ratio_source = 1.0, "assumed"
            else:
                self._probe_ratio(record, drag, captured, image_el, style, rng)
            assert record.ratio is not None
            main = plan_path(distance / record.ratio - drag.x, style=style, rng=rng)
            if self.check_landing:
                if record.ratio_source == "assumed" and not _room_for_whole_drag(record, captured):
                    main = self._first_leg(record, drag, captured, image_el, style, rng, main)
                # Hold half the settle before each look so a widget sampling the pointer
                # catches up; the look itself counts towards the settle before release.
                drag.move(main, hold=style.settle / 2)
                self._correct_landing(record, drag, captured, image_el, style, learn=ratio is None)
            else:
                drag.move(main)
            drag.release(settle=style.settle)
        except (SlideError, CaptureError):
            drag.abort()
            raise
        finally:
            record.handle_css = drag.x
            record.path = list(drag.steps)

    def _probe_ratio(
        self,
        record: AttemptRecord,
        drag: Drag,
        captured: Captured,
        image_el: WebElement,
        style: SlideStyle,
        rng: random.Random,
    ) -> None:
        distance = record.distance_css
        assert distance is not None
        probe = max(min(distance, 12.0), distance * PROBE_SHARE)
        probe_path = plan_path(probe, style=dataclasses.replace(style, overshoot=False), rng=rng)
        drag.move(probe_path, hold=style.settle)
        moved = self._piece_travel_css(captured, image_el)
        if moved is None or drag.x == 0 or moved <= 0.5:
            logger.warning("could not see the piece move; assuming a 1:1 handle")
            record.ratio, record.ratio_source = 1.0, "assumed"
        else:
            record.ratio, record.ratio_source = moved / drag.x, "measured"
            self._learned_ratio = record.ratio

    def _first_leg(
        self,
        record: AttemptRecord,
        drag: Drag,
        captured: Captured,
        image_el: WebElement,
        style: SlideStyle,
        rng: random.Random,
        path: list[PathStep],
    ) -> list[PathStep]:
        """Drag the first :data:`FIRST_LEG_SHARE` of ``path`` (planned at 1:1), look, and
        return the rest: as planned when the piece kept pace with the handle, else
        planned again with the measured ratio.

        A whole drag at the wrong ratio could push the piece against the end of its
        track, where neither the ratio nor the landing can be measured.
        """
        distance = record.distance_css
        assert distance is not None
        done, split = 0, len(path)
        for i, step in enumerate(path):
            done += step.dx
            if done >= FIRST_LEG_SHARE * distance:
                split = i + 1
                break
        drag.move(path[:split], hold=style.settle / 2)
        moved = self._piece_travel_css(captured, image_el)
        if moved is None or drag.x < MIN_RATIO_MOVE_CSS_PX:
            logger.debug("first leg: piece not seen; carrying on at 1:1")
            return path[split:]
        seen = moved / drag.x
        if not MIN_RATIO <= seen <= MAX_RATIO:
            return path[split:]
        record.ratio, record.ratio_source = seen, "measured"
        self._learned_ratio = seen
        if abs(seen - 1.0) <= SAME_PACE:
            return path[split:]
        logger.debug("first leg: the piece moves %.3f px per handle px", seen)
        return plan_path(distance / seen - drag.x, style=style, rng=rng)

    def _correct_landing(
        self,
        record: AttemptRecord,
        drag: Drag,
        captured: Captured,
        image_el: WebElement,
        style: SlideStyle,
        *,
        learn: bool,
    ) -> None:
        """Look at the page while still holding; move the piece onto the gap if it is off.

        The target is where the picture shows the gap: the engine's own measurement
        (``distance_px`` x ``scale``) when the solver located it, else the answer. With
        ``learn``, each look also updates the ratio from how far the last move took the
        piece.
        """
        match = record.match
        target = match.distance_px * match.scale if match is not None else record.distance_css
        assert target is not None and record.ratio is not None
        before_x, before_landed = 0, 0.0
        for look in range(MAX_LOOKS):
            landed = self._piece_travel_css(captured, image_el)
            record.landed_css = landed
            if landed is None:
                logger.debug("landing check: piece not found, no correction")
                return
            moved_x = drag.x - before_x
            if learn and abs(moved_x) >= MIN_RATIO_MOVE_CSS_PX:
                seen = (landed - before_landed) / moved_x
                if MIN_RATIO <= seen <= MAX_RATIO:
                    record.ratio, record.ratio_source = seen, "measured"
                    self._learned_ratio = seen
            error_css = target - landed
            correction = round(error_css / record.ratio)
            if abs(error_css) <= LANDING_TOLERANCE_CSS_PX or correction == 0:
                return
            if look == MAX_LOOKS - 1:
                logger.debug("landing check: still %.1f css px off; releasing", error_css)
                return
            before_x, before_landed = drag.x, landed
            quiet = dataclasses.replace(style, overshoot=False, jitter_css_px=0.0)
            drag.move(plan_path(correction, style=quiet), hold=style.settle / 2)
            record.correction_css += correction
            logger.debug(
                "landing check: piece %.1f css px off, moved handle %+d", error_css, correction
            )

    def _verdict(self, success: Condition | None, failure: Condition | None) -> bool | None:
        if success is None and failure is None:
            return None
        ok = as_condition(success) if success is not None else None
        bad = as_condition(failure) if failure is not None else None

        def decided(driver: WebDriver) -> str | bool:
            if ok is not None and ok(driver):
                return "success"
            if bad is not None and bad(driver):
                return "fail"
            return False

        try:
            outcome = WebDriverWait(self.driver, self.verify_timeout, poll_frequency=0.05).until(
                decided
            )
        except TimeoutException:
            # With only a failure check, no failure in time counts as accepted.
            return ok is None
        return bool(outcome == "success")

    # -- between attempts ------------------------------------------------------------

    def _next_captcha(
        self, image: Target, refresh: Target | None, previous: Captured | None
    ) -> None:
        """Ask for a fresh captcha (click ``refresh``), then wait until one is shown.

        "Shown" means the picture differs from the last attempt's and has stopped
        changing (two looks in a row agree), so a picture still loading, fading in or
        shaking is not solved half-way. Bounded by ``element_timeout``.
        """
        if refresh is not None:
            try:
                button = resolve_element(self.driver, refresh, timeout=self.element_timeout)
                try:
                    button.click()
                except WebDriverException:
                    self.driver.execute_script("arguments[0].click();", button)
            except (CaptureError, WebDriverException) as exc:
                logger.warning("could not click refresh: %s", exc)
        if previous is None:
            return
        old = previous.image.tobytes()
        last: bytes | None = None
        deadline = time.monotonic() + self.element_timeout
        while time.monotonic() < deadline:
            try:
                current: bytes | None = capture_element(self.driver, image).image.tobytes()
            except CaptureError:
                current = None
            if current is not None and current != old and current == last:
                return
            last = current
            time.sleep(STABLE_INTERVAL)
        logger.warning("no new, steady captcha within %.0f s; trying anyway", self.element_timeout)


def _room_for_whole_drag(record: AttemptRecord, captured: Captured) -> bool:
    """Whether a whole drag at 1:1 keeps the piece clear of the end of its track even if
    the real ratio is up to :data:`RATIO_HEADROOM` (known only when the solver located
    the piece, and so its width)."""
    match, distance = record.match, record.distance_css
    if match is None or distance is None:
        return False
    room = captured.width_view - match.piece_box[2] * match.scale
    return distance * RATIO_HEADROOM <= room


def _width_css(element: WebElement) -> float | None:
    """The element's CSS width, or ``None`` when the browser will not say."""
    try:
        width = element.size.get("width")
    except WebDriverException:
        return None
    return float(width) if isinstance(width, (int, float)) else None


def _check_ratio(ratio: float | None) -> None:
    if ratio is not None and not (math.isfinite(ratio) and ratio > 0):
        raise ConfigurationError(f"ratio must be a positive number, got {ratio!r}")


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
