"""One attempt at a slider captcha: capture, answer, drag, verdict.

An :class:`Attempt` owns what one try needs while it runs: the elements, the captured
picture, the answer, the drag in progress, the looks at the page and the handle ratio.
It writes its :class:`~omo_selenium.records.AttemptRecord` once per step, when the step
is done; nothing is read back from the record.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ._types import GapMatch, Locator, PieceImage, PieceSolver, Solver
from .browser.capture import Captured, Target, capture_element, recapture, resolve_element
from .browser.conditions import Condition, captcha_is_ready
from .browser.slide import Drag, PathStep, SlideStyle, plan_path
from .browser.webdriver_errors import translate_webdriver_error
from .errors import CaptureError, SlideError, SolveFailed
from .look import look_at_piece, piece_travel_css, solve_with_piece
from .ratio import HandleRatio
from .records import AttemptRecord
from .verdict import VerdictWatch

__all__ = ["Attempt", "AttemptSettings"]

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
#: A move shorter than this (CSS px) is too short to measure the ratio on.
MIN_RATIO_MOVE_CSS_PX = 5
#: Presses tried when the handle does not follow the pointer (each after a rest on it).
MAX_PRESSES = 3
#: Seconds the pointer rests on the handle before the second and third press (a hover
#: transition must end before some widgets take a press).
REST_SECONDS = (0.5, 1.0)
#: Handle movement (CSS px) that counts as following the pointer, or as a jump on press.
FOLLOW_CSS_PX = 1.0
#: Seconds to wait, at most, for the captcha's picture to load before capturing it.
READY_SECONDS = 5.0
#: The first move of a look, when the engine refused the picture (CSS px).
LOOK_MOVE_CSS_PX = 64

_COVER_JS = """
const h = arguments[0];
const r = h.getBoundingClientRect();
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const el = document.elementFromPoint(x, y);
if (!el || el === h || h.contains(el) || el.contains(h)) return null;
let name = el.tagName.toLowerCase();
if (el.id) name += '#' + el.id;
const cls = typeof el.className === 'string' ? el.className.trim() : '';
if (cls) name += '.' + cls.split(/\\s+/).slice(0, 3).join('.');
return [name, x, y];
"""


@dataclass(frozen=True)
class AttemptSettings:
    """What every attempt of one :class:`~omo_selenium.SliderSolver` shares."""

    driver: WebDriver
    solver: Solver
    style: SlideStyle
    check_landing: bool
    verify_timeout: float
    element_timeout: float


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
        self.drag: Drag | None = None
        self.offset_css = 0.0  # handle displacement minus pointer displacement (a jump)
        self.landed_css: float | None = None
        self.correction_css = 0
        self.released = False

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
            shot = capture_element(self.driver, element, scroll=False)
        except CaptureError as exc:
            logger.warning("could not capture the piece element (%s); solving without it", exc)
            return None
        px_per_css = 1.0 / captured.scale
        x = (shot.css_rect[0] - captured.css_rect[0]) * px_per_css
        y = (shot.css_rect[1] - captured.css_rect[1]) * px_per_css
        return PieceImage(shot.image, x, y)

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
            _check_distance(distance)
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
            self._slide(refused)
        finally:
            self.record.timings["slide"] = time.monotonic() - t
            drag = self.drag
            if drag is not None:
                self.record.handle_css = drag.x + self.offset_css
                self.record.path = list(drag.steps)
            self.record.ratio, self.record.ratio_source = self.ratio.value, self.ratio.source
            self.record.jump_css = self.offset_css
            self.record.landed_css = self.landed_css
            self.record.correction_css = self.correction_css

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

    # -- the drag ------------------------------------------------------------------------

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

    @property
    def handle_css(self) -> float:
        """How far the handle has moved from its start, CSS px."""
        return (self.drag.x if self.drag is not None else 0) + self.offset_css

    def _slide(self, refused: SolveFailed | None) -> None:
        style = self.settings.style.for_handle(_width_css(self.handle_el))
        rng = style.rng()
        self._check_handle_is_free()
        before = self._watch.before_press()
        for press in range(1, MAX_PRESSES + 1):
            self.record.presses = press
            self.drag = Drag(self.driver, self._handle)
            self.offset_css = 0.0
            try:
                self.drag.press(rest=REST_SECONDS[press - 2] if press > 1 else 0.0)
                self._measure_jump(before.handle_x)
                planned_with = self.offset_css
                if refused is not None:
                    rest = self._look_instead(refused, style)
                else:
                    rest = self._first_move(style, rng)
                if self._followed(before.handle_x, before.scroll):
                    break
            except (SlideError, CaptureError):
                self.drag.abort()
                raise
            logger.info("the handle did not follow the pointer; resting on it, pressing again")
            self.drag.abort()
        else:
            raise SlideError(
                f"the slider handle did not follow the pointer after {MAX_PRESSES} presses "
                "(nothing on the page moved)"
            )
        drag = self.drag
        try:
            if abs(self.offset_css - planned_with) >= FOLLOW_CSS_PX:
                # the handle jumped ahead of the pointer on the first move: plan again
                rest = self._plan(self.distance_css / self.ratio.value - self.handle_css, style)
            if self.settings.check_landing:
                # Hold half the settle before each look so a widget sampling the pointer
                # catches up; the look itself counts towards the settle before release.
                if rest:
                    drag.move(rest, hold=style.settle / 2)
                self._correct_landing(style)
            else:
                drag.move(rest)
            self._watch.while_held()
            drag.release(settle=style.settle)
            self.released = True
        except (SlideError, CaptureError):
            drag.abort()
            raise

    def _plan(self, distance: float, style: SlideStyle) -> list[PathStep]:
        return plan_path(distance, style=style, rng=style.rng())

    def _first_move(self, style: SlideStyle, rng: Any) -> list[PathStep]:
        """Make the first move of the drag; return the rest of the plan."""
        ratio = self.ratio
        drag = self._drag
        if not ratio.known and not self.settings.check_landing:
            self._probe_ratio(style, rng)
            remaining = self.distance_css / self.ratio.value - self.handle_css
            return plan_path(remaining, style=style, rng=rng)
        main = plan_path(self.distance_css / ratio.value - self.handle_css, style=style, rng=rng)
        if not self.settings.check_landing:
            drag.move(main)
            return []
        if not ratio.known and not self._room_for_whole_drag():
            return self._first_leg(style, rng, main)
        drag.move(main, hold=style.settle / 2)
        return []

    def _measure_jump(self, start_x: float | None) -> None:
        """A handle that jumps on press (its left edge to the pointer) shifts the piece
        before the drag starts: measure it, so the drag is planned from there."""
        now = self._watch.snapshot()
        if start_x is not None and now.handle_x is not None:
            jump = now.handle_x - start_x
            if abs(jump) >= FOLLOW_CSS_PX:
                logger.info("the handle jumped %.1f css px on press", jump)
                self.offset_css = jump

    def _followed(self, start_x: float | None, scroll: tuple[float, float]) -> bool:
        """Whether the handle (or the piece) followed the first move; learns a jump."""
        drag = self._drag
        if drag.x == 0:
            return True
        now = self._watch.snapshot()
        if start_x is not None and now.handle_x is not None:
            moved = now.handle_x - start_x
            if abs(moved) >= FOLLOW_CSS_PX:
                offset = moved - drag.x
                if abs(offset) >= FOLLOW_CSS_PX:
                    logger.info("the handle jumped %.1f css px ahead of the pointer", offset)
                    self.offset_css = offset
                return True
        if now.scroll != scroll:
            raise SlideError(
                f"the drag scrolled the page (from {scroll} to {now.scroll}) instead of "
                "moving the slider handle"
            )
        travel = self._piece_travel()
        return travel is not None and travel > 0.5

    def _check_handle_is_free(self) -> None:
        try:
            covered = self.driver.execute_script(_COVER_JS, self._handle)
        except WebDriverException as exc:
            raise translate_webdriver_error(exc, SlideError, "find the slider handle") from exc
        if covered:
            name, x, y = covered
            raise SlideError(
                f"another element ({name}) covers the slider handle at CSS ({x:.0f}, {y:.0f}); "
                "a press there would not reach the handle: close or remove it first"
            )

    @property
    def _drag(self) -> Drag:
        if self.drag is None:
            raise SlideError("the handle is not pressed")
        return self.drag

    @property
    def _handle(self) -> WebElement:
        if self.handle_el is None:
            raise CaptureError("the slider handle was not found")
        return self.handle_el

    def _look(self) -> Captured:
        captured = self._captured
        if captured.device_box is None and self.image_el is not None:
            return capture_element(self.driver, self.image_el, scroll=False)
        return recapture(self.driver, captured)

    def _piece_travel(self) -> float | None:
        return piece_travel_css(self._captured, self._look())

    def _learn(self, piece_css: float, handle_css: float) -> bool:
        seen = HandleRatio.measured(piece_css, handle_css, self._handle.id)
        if seen is None:
            return False
        self.ratio = seen
        return True

    def _probe_ratio(self, style: SlideStyle, rng: Any) -> None:
        drag = self._drag
        distance = self.distance_css
        probe = max(min(distance, 12.0), distance * PROBE_SHARE)
        probe_path = plan_path(probe, style=dataclasses.replace(style, overshoot=False), rng=rng)
        drag.move(probe_path, hold=style.settle)
        moved = self._piece_travel()
        if moved is None or drag.x == 0 or moved <= 0.5 or not self._learn(moved, self.handle_css):
            logger.warning("could not see the piece move; assuming a 1:1 handle")
            self.ratio = HandleRatio.assumed()

    def _first_leg(self, style: SlideStyle, rng: Any, path: list[PathStep]) -> list[PathStep]:
        """Drag the first :data:`FIRST_LEG_SHARE` of ``path`` (planned at 1:1), look, and
        return the rest: as planned when the piece kept pace with the handle, else
        planned again with the measured ratio.

        A whole drag at the wrong ratio could push the piece against the end of its
        track, where neither the ratio nor the landing can be measured.
        """
        drag = self._drag
        distance = self.distance_css
        done, split = 0, len(path)
        for i, step in enumerate(path):
            done += step.dx
            if done >= FIRST_LEG_SHARE * distance:
                split = i + 1
                break
        drag.move(path[:split], hold=style.settle / 2)
        moved = self._piece_travel()
        if moved is None or drag.x < MIN_RATIO_MOVE_CSS_PX:
            logger.debug("first leg: piece not seen; carrying on at 1:1")
            return path[split:]
        if not self._learn(moved, self.handle_css):
            return path[split:]
        if abs(self.ratio.value - 1.0) <= SAME_PACE:
            return path[split:]
        logger.debug("first leg: the piece moves %.3f px per handle px", self.ratio.value)
        return plan_path(distance / self.ratio.value - self.handle_css, style=style, rng=rng)

    def _room_for_whole_drag(self) -> bool:
        return room_for_whole_drag(self.match, self.distance_css, self._captured)

    def _correct_landing(self, style: SlideStyle) -> None:
        """Look at the page while still holding; move the piece onto the gap if it is off.

        The target is where the picture shows the gap: the engine's own measurement
        (``distance_px`` x ``scale``) when the solver located it, else the answer. While
        the ratio is not given, each look also updates it from how far the last move
        took the piece.
        """
        drag = self._drag
        match = self.match
        target = match.distance_px * match.scale if match is not None else self.distance_css
        learn = self.ratio.source != "given"
        before_handle, before_landed = 0.0, 0.0
        for look in range(MAX_LOOKS):
            landed = self._piece_travel()
            self.landed_css = landed
            if landed is None:
                logger.debug("landing check: piece not found, no correction")
                return
            moved = self.handle_css - before_handle
            if learn and abs(moved) >= MIN_RATIO_MOVE_CSS_PX:
                self._learn(landed - before_landed, moved)
            error_css = target - landed
            correction = round(error_css / self.ratio.value)
            if abs(error_css) <= LANDING_TOLERANCE_CSS_PX or correction == 0:
                return
            if look == MAX_LOOKS - 1:
                logger.debug("landing check: still %.1f css px off; releasing", error_css)
                return
            before_handle, before_landed = self.handle_css, landed
            quiet = dataclasses.replace(style, overshoot=False, jitter_css_px=0.0)
            drag.move(plan_path(correction, style=quiet), hold=style.settle / 2)
            self.correction_css += correction
            logger.debug(
                "landing check: piece %.1f css px off, moved handle %+d", error_css, correction
            )

    def _look_instead(self, refused: SolveFailed, style: SlideStyle) -> list[PathStep]:
        """The solver refused the picture: move the piece a little, see it, and ask the
        solver with the piece's own picture; return the rest of the drag.

        Raises:
            SolveFailed: the piece could not be seen, or the solver cannot use it.
        """
        drag = self._drag
        quiet = dataclasses.replace(style, overshoot=False)
        drag.move(plan_path(LOOK_MOVE_CSS_PX, style=quiet), hold=style.settle / 2)
        captured = self._captured
        look = look_at_piece(captured, self._look(), handle_css=float(drag.x))
        if look is None:
            self._undo_look()
            raise SolveFailed(f"{refused}; the piece could not be seen moving") from refused
        self.record.look = look
        self._learn(look.shift_px * captured.scale, float(drag.x))
        t = time.monotonic()
        try:
            distance = solve_with_piece(self.settings.solver, captured, look)
        except SolveFailed:
            self._undo_look()
            raise
        finally:
            self.record.timings["solve"] = self.record.timings.get("solve", 0.0) + (
                time.monotonic() - t
            )
        if distance is None:
            self._undo_look()
            raise SolveFailed(
                f"{refused}; the piece was seen moving, but the solver cannot use its picture "
                "(no solve_piece)"
            ) from refused
        _check_distance(distance)
        self.distance_css = distance
        self.record.distance_css, self.record.answered_by = distance, "solve_piece (look)"
        return plan_path(distance / self.ratio.value - self.handle_css, style=style)

    def _undo_look(self) -> None:
        """Take the handle back to the start and release: most widgets ignore a drop there."""
        drag = self._drag
        if drag.x:
            quiet = dataclasses.replace(self.settings.style, overshoot=False, jitter_css_px=0.0)
            drag.move(plan_path(-drag.x, style=quiet))
        drag.release(settle=0.05)


def room_for_whole_drag(match: GapMatch | None, distance: float, captured: Captured) -> bool:
    """Whether a whole drag at 1:1 keeps the piece clear of the end of its track even if
    the real ratio is up to :data:`RATIO_HEADROOM` (known only when the solver located
    the piece, and so its width)."""
    if match is None:
        return False
    room = captured.width_view - match.piece_box[2] * match.scale
    return distance * RATIO_HEADROOM <= room


def _check_distance(distance: float) -> None:
    if not (math.isfinite(distance) and distance > 0):
        raise SolveFailed(f"solver answered {distance!r} css px; nothing to drag")


def _width_css(element: WebElement | None) -> float | None:
    """The element's CSS width, or ``None`` when the browser will not say."""
    if element is None:
        return None
    try:
        width = element.size.get("width")
    except WebDriverException:
        return None
    return float(width) if isinstance(width, (int, float)) else None
