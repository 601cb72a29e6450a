"""``SliderSolver``: capture -> solve -> slide -> verdict, with retries on a fresh captcha."""

from __future__ import annotations

import logging
import math
import os
import time
from typing import TYPE_CHECKING, Any

from PIL import Image
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from ._types import Locator, Solver
from .attempt import Attempt, AttemptSettings
from .browser.capture import Captured, Target, capture_element, resolve_element
from .browser.conditions import Condition
from .browser.slide import DEFAULT_STYLE, SlideStyle
from .browser.webdriver_errors import browser_is_lost, translate_webdriver_error
from .errors import (
    AuthenticationError,
    BrowserLost,
    CaptureError,
    ConfigurationError,
    OmoCaptchaError,
    SolveFailed,
)
from .ratio import HandleRatio
from .records import AttemptRecord, SolveResult, Verdict
from .verdict import reissued

if TYPE_CHECKING:
    from .debug.recorder import DebugRecorder

__all__ = ["AttemptRecord", "SliderSolver", "SolveResult", "Verdict"]

logger = logging.getLogger("omo_selenium.solver")

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
        ratio: piece px per handle px; ``None`` measures it on the page while dragging
            (a measured ratio is reused only on the same widget).
        check_landing: before release, look at the page and correct the drag when
            the piece is not over the gap. ``None``: on for the local engine.
        verify_timeout: seconds to wait for the page's verdict after release.
        element_timeout: seconds to wait for the captcha elements to appear.
        debug_dir: save, per attempt, the picture, an annotated copy, the drag path and
            the timings there, plus an ``index.html`` per solve (see
            :class:`~omo_selenium.debug.DebugRecorder`). ``None``: save nothing.

    Example:
        >>> sliders = SliderSolver(driver)  # doctest: +SKIP
        >>> result = sliders.solve("#captcha-image", "#slider-handle")  # doctest: +SKIP
        >>> result.success, result.verdict, result.verdict_reason  # doctest: +SKIP
        (True, <Verdict.ACCEPTED: 'accepted'>, 'words on the widget: success, verified')
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
        #: The last ratio measured on the page, with the widget it belongs to.
        self._learned: HandleRatio | None = None
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
        piece: Target | None = None,
    ) -> SolveResult:
        """Solve the captcha, retrying on a fresh one when the page rejects a drag.

        Without ``success`` the verdict is read from the page itself (the captcha
        closing, words such as "verified" or "try again" on the widget, the handle
        going back, a new picture; see :mod:`omo_selenium.verdict`). ``result.success``
        is true only when the page accepted; an unreadable outcome is
        ``result.verdict == "unknown"``, never a success, and is not retried (the
        captcha may have been solved).

        Args:
            image: the captcha picture (it should include the overlaid piece).
            handle: the slider handle to drag.
            success: shown when the page accepted the drag (a Target that becomes
                visible, or a ``driver -> truthy`` callable); overrides the inference.
            failure: shown when the page rejected it (ends the wait early).
            refresh: clicked to get a new captcha before the next attempt; without
                it, the solver waits for the page to show a new picture by itself.
            attempts: how many captchas to try at most.
            ratio: override the solver's handle ratio for this call.
            piece: the element showing the puzzle piece, when it is its own element (an
                img or canvas over the picture, maybe starting outside it). Its picture
                and start go to the solver's ``solve_piece`` when it has one
                (:class:`~omo_selenium.PieceSolver`); other solvers are asked as
                without it. ``None``: the piece is found in the captcha's picture.

        Returns:
            The outcome with one record per attempt; check ``result.success`` or call
            ``result.raise_for_failure()``.

        Raises:
            CaptureError: the captcha elements are missing or hidden.
            ConfigurationError: a bad argument or selector; retrying cannot help.
            AuthenticationError: the service rejected the key.
            BrowserLost: the tab crashed or the session is gone.
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
                records, image, handle, success, failure, refresh, attempts, ratio, piece
            )
            result.elapsed = time.monotonic() - started
            return result
        except WebDriverException as exc:  # a Selenium error from a user's condition
            raise translate_webdriver_error(exc, CaptureError, "solve the captcha") from exc
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
        piece: Target | None,
    ) -> SolveResult:
        settings = AttemptSettings(
            self.driver,
            self.solver,
            self.style,
            self.check_landing,
            self.verify_timeout,
            self.element_timeout,
        )
        previous: Captured | None = None
        after: Captured | None = None
        for number in range(1, attempts + 1):
            if number > 1:
                self._next_captcha(image, refresh, previous, after)
            record = AttemptRecord(number)
            records.append(record)
            attempt = Attempt(settings, record, self._ratio_for(ratio, handle))
            try:
                attempt.run(image, handle, success, failure, piece)
            except (AuthenticationError, ConfigurationError, BrowserLost) as exc:
                record.fail(exc)
                raise
            except CaptureError as exc:
                record.fail(exc)
                if number == 1:
                    raise
                record.error = f"captcha not found after refresh: {exc}"
                break
            except OmoCaptchaError as exc:
                record.fail(exc)
            finally:
                if attempt.ratio.source == "measured":
                    self._learned = attempt.ratio
                if self.debug is not None:
                    self.debug.record_attempt(record)
            previous = record.captured or previous
            # the picture as the verdict left it (the piece where it was dropped): the
            # next captcha is one the page shows after this
            after = self._look(image) if record.verdict is Verdict.REJECTED else None
            logger.info(
                "attempt %d/%d: distance %s css px, ratio %s (%s), verdict %s (%s), %.2f s%s",
                number,
                attempts,
                _fmt(record.distance_css),
                _fmt(record.ratio, 3),
                record.ratio_source,
                record.verdict.value if record.verdict else "-",
                record.verdict_reason or "-",
                sum(record.timings.values()),
                f", error: {record.error}" if record.error else "",
            )
            if record.verdict is Verdict.ACCEPTED:
                return SolveResult(True, records, 0.0)
            if record.verdict is Verdict.UNKNOWN:
                break  # the captcha may be solved: another drag could undo it
            if refresh is None and not record.path and isinstance(record.exception, SolveFailed):
                # nothing was dragged, so the page has no reason to show another picture
                logger.info("the solver refused the picture and no refresh= asks for another")
                break
        return SolveResult(False, records, 0.0)

    def _ratio_for(self, given: float | None, handle: Target) -> HandleRatio | None:
        """The ratio an attempt starts from: given, or learned on this very widget."""
        if given is not None:
            return HandleRatio.given(given)
        if self._learned is None or not self.check_landing:
            return None
        try:
            widget = resolve_element(self.driver, handle).id
        except (CaptureError, WebDriverException):
            return None
        return self._learned.for_widget(widget)

    # -- between attempts ------------------------------------------------------------

    def _look(self, image: Target) -> Captured | None:
        try:
            return capture_element(self.driver, image)
        except CaptureError:
            return None

    def _next_captcha(
        self,
        image: Target,
        refresh: Target | None,
        previous: Captured | None,
        after: Captured | None = None,
    ) -> None:
        """Ask for a fresh captcha (click ``refresh``), then wait until one is shown.

        "Shown" means the picture has stopped changing (two looks in a row agree), so a
        picture still loading, fading in or shaking is not solved half-way, and is a
        captcha to solve. After a rejection (``after``: the picture when the verdict was
        read) that is a new picture or the same one with the piece back at its start,
        never the old picture with the piece still where it was dropped: a widget that
        answers late or shakes first replaces it a moment later. Otherwise any picture
        other than the last attempt's counts. Bounded by ``element_timeout`` (a widget
        that keeps the dropped piece and only moves its gap is solved after it).
        """
        if refresh is not None:
            try:
                button = resolve_element(self.driver, refresh, timeout=self.element_timeout)
                try:
                    button.click()
                except WebDriverException:
                    self.driver.execute_script("arguments[0].click();", button)
            except (CaptureError, WebDriverException) as exc:
                if browser_is_lost(exc):
                    raise
                logger.warning("could not click refresh: %s", exc)
        if previous is None:
            return
        old = previous.image.tobytes()
        last: bytes | None = None
        deadline = time.monotonic() + self.element_timeout
        while time.monotonic() < deadline:
            look = self._look(image)
            current = look.image.tobytes() if look is not None else None
            if look is not None and current == last:
                if after is None and current != old:
                    return
                if after is not None and _fresh_after_rejection(look.image, previous, after):
                    return
            last = current
            time.sleep(STABLE_INTERVAL)
        logger.warning("no new, steady captcha within %.0f s; trying anyway", self.element_timeout)


def _fresh_after_rejection(current: Image.Image, old: Captured, after: Captured) -> bool:
    """Whether the steady picture ``current`` is a captcha to solve after a rejection.

    The old picture may still show, the piece where it was dropped (a widget that
    answers late, or shakes first, replaces it later): only the piece back at its start
    or a new picture count (see :meth:`SliderSolver._next_captcha`).
    """
    # against the picture at the verdict, "the same" is the dropped piece still there
    return reissued(old.image, current) is not None or reissued(after.image, current) == "new"


def _check_ratio(ratio: float | None) -> None:
    if ratio is not None and not (math.isfinite(ratio) and ratio > 0):
        raise ConfigurationError(f"ratio must be a positive number, got {ratio!r}")


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
