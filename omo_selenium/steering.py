"""The drag in progress: press, confirm the handle follows, measure, correct, release.

A :class:`Steering` owns one attempt's drag, its looks at the page and the handle ratio
it learns on the way. It checks every step on the page: the handle (or piece) followed
the first move, else it rests the pointer on the handle and presses again; a handle that
jumps on press is measured and allowed for; an element covering the handle or a drag
that scrolls the page is named. With the landing check on, it looks before release and
corrects the piece onto the gap.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from ._types import GapMatch, PieceSolver, Solver
from .browser.capture import Captured
from .browser.slide import Drag, PathStep, SlideStyle, covering_element, plan_path
from .errors import CaptureError, SlideError, SolveFailed
from .look import PieceWatch, look_at_piece, solve_with_piece
from .ratio import HandleRatio, room_for_whole_drag
from .records import LandingLook, PieceLook
from .verdict import VerdictWatch

__all__ = ["AttemptSettings", "Steering", "check_distance"]

logger = logging.getLogger("omo_selenium.solver")

#: Share of the drag made before looking how far the piece moves (handle-to-piece ratio).
PROBE_SHARE = 0.35
#: With the landing check on and the ratio unknown, share of a long drag made before a
#: first look: long enough to measure the ratio well, short enough that a ratio up to 1.6
#: does not carry the piece past the gap, towards the end of its track.
FIRST_LEG_SHARE = 0.6
#: Measured ratios this close to 1 keep the planned drag (the piece keeps pace).
SAME_PACE = 0.02
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
#: Seconds to let a handle seen ahead of the pointer settle before measuring it again.
JUMP_SETTLE_SECONDS = 0.08
#: The drag's opening, CSS px: made on its own and checked (the handle followed, did not
#: jump) before the rest. Longer than the few px some widgets wait for before they
#: start following a drag.
OPENING_CSS_PX = 16
#: The first move of a look, when the engine refused the picture (CSS px).
LOOK_MOVE_CSS_PX = 64
#: Seconds before a second look when the first did not see the piece move.
LOOK_AGAIN_SECONDS = 0.1
#: A located answer that leads the best answer at another place by less than this
#: (:attr:`GapMatch.lead`) is checked, once, against the piece seen moving. Realworld
#: (benchmarks/bench_lead.py): chosen on chaoxing and scrape_center, where under 0.25
#: the engine is right on 4 of 14 pictures; checked on ajcaptcha (2 of 3 right, all 3
#: right with the piece's own picture) and 2 x 100 synthetic (9 of 11 right).
AMBIGUOUS_LEAD = 0.25
#: Answers this close (CSS px) agree: the located piece and its answer are kept.
AGREE_CSS_PX = 1.5
#: Seconds to wait, after a nudge, for a handle that lagged the pointer to catch up.
CATCH_UP_SECONDS = 0.3
#: Seconds between two reads of the handle while waiting for it.
CATCH_UP_POLL_SECONDS = 0.03


@dataclass(frozen=True)
class AttemptSettings:
    """What every attempt of one :class:`~omo_selenium.SliderSolver` shares."""

    driver: WebDriver
    solver: Solver
    style: SlideStyle
    check_landing: bool
    verify_timeout: float
    element_timeout: float


class Steering:
    """One drag, checked at every step.

    Args:
        settings: the solver's settings.
        captured: the captcha's picture before the drag.
        image: the captcha's picture element (looked at again while dragging).
        handle: the slider handle.
        watch: the widget's watch (its snapshots tell where the handle is).
        ratio: the handle ratio to start from.
        distance_css: the answer, piece travel in CSS px (0 when the solver refused).
        match: where a locating solver found piece and gap.
    """

    def __init__(
        self,
        settings: AttemptSettings,
        captured: Captured,
        image: WebElement,
        handle: WebElement,
        watch: VerdictWatch,
        ratio: HandleRatio,
        distance_css: float,
        match: GapMatch | None,
    ) -> None:
        self.settings = settings
        self.driver = settings.driver
        self.captured = captured
        self.image_el = image
        self.handle_el = handle
        self.watch = watch
        self.ratio = ratio
        self.distance_css = distance_css
        self.match = match
        self.drag: Drag | None = None
        self.offset_css = 0.0  # handle displacement minus pointer displacement (a jump)
        self.presses = 0
        self.landed_css: float | None = None
        self.correction_css = 0
        #: The button was let go at the end of a complete drag (the page will judge it).
        self.released = False
        self.look: PieceLook | None = None
        #: How the answer was found, when the look found it.
        self.answered_by: str | None = None
        self.solve_seconds = 0.0
        #: The looks at the piece while the button is held.
        self.pieces = PieceWatch(settings.driver, captured, image, match)
        #: An ambiguous answer (see :data:`AMBIGUOUS_LEAD`) was checked against the
        #: piece seen moving.
        self.checked = False
        #: The handle's left edge before the press (viewport CSS px), when seen.
        self.start_x: float | None = None
        #: Whether a handle seen behind the pointer is nudged (see :meth:`_catch_up`).
        self.nudging = True

    @property
    def handle_css(self) -> float:
        """How far the handle has moved from its start, CSS px."""
        return (self.drag.x if self.drag is not None else 0) + self.offset_css

    def run(self, refused: SolveFailed | None = None) -> None:
        """Press, move, confirm, correct and release.

        Args:
            refused: the solver's refusal, when it gave up on the picture: the piece is
                then moved a little and seen first, and the solver asked with it.

        Raises:
            SlideError: the handle could not be dragged or did not follow.
            SolveFailed: the piece could not be seen, or the solver refused it too.
        """
        self._check_handle_is_free()
        before = self.watch.before_press()
        self.start_x = before.handle_x
        width = before.handle_width if before.handle_width else _width_css(self.handle_el)
        style = self.settings.style.for_handle(width)
        rng = style.rng()
        for press in range(1, MAX_PRESSES + 1):
            self.presses = press
            self.drag = Drag(self.driver, self.handle_el)
            self.offset_css = 0.0
            try:
                self.drag.press(rest=REST_SECONDS[press - 2] if press > 1 else 0.0)
                self._measure_jump(before.handle_x)
                planned_with = self.offset_css
                if refused is not None:
                    quiet = dataclasses.replace(style, overshoot=False)
                    self.drag.move(plan_path(LOOK_MOVE_CSS_PX, style=quiet), hold=style.settle / 2)
                    path: list[PathStep] = []
                else:
                    path = self._opening(style, rng)
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
            if refused is not None:
                rest = self._look_instead(refused, style)
            else:
                if abs(self.offset_css - planned_with) >= FOLLOW_CSS_PX:
                    # the handle jumped ahead of the pointer on the opening: plan again
                    path = self._plan(self.distance_css / self.ratio.value - self.handle_css, style)
                rest = self._first_move(path, style, rng)
            if self.settings.check_landing:
                # Hold half the settle before each look so a widget sampling the pointer
                # catches up; the look itself counts towards the settle before release.
                if rest:
                    drag.move(rest, hold=style.settle / 2)
                self._correct_landing(style)
            else:
                drag.move(rest)
                self._catch_up()
            self.watch.while_held()
            drag.release(settle=style.settle)
            self.released = True
        except (SlideError, CaptureError):
            drag.abort()
            raise

    def _plan(self, distance: float, style: SlideStyle) -> list[PathStep]:
        return plan_path(distance, style=style, rng=style.rng())

    def _opening(self, style: SlideStyle, rng: Any) -> list[PathStep]:
        """Plan the drag and make its opening (:data:`OPENING_CSS_PX`), so that a press
        the widget ignored or a handle that jumped is seen before the whole drag is
        spent on it; return the rest of the plan (at the ratio known so far)."""
        path = plan_path(
            self.distance_css / self.ratio.value - self.handle_css, style=style, rng=rng
        )
        done, split = 0, len(path)
        for i, step in enumerate(path):
            done += step.dx
            if abs(done) >= OPENING_CSS_PX:
                split = i + 1
                break
        self._drag.move(path[:split])
        return path[split:]

    def _first_move(self, path: list[PathStep], style: SlideStyle, rng: Any) -> list[PathStep]:
        """After the opening: measure the ratio on the way when it is not known and
        return what is left of the drag to make (the caller makes it)."""
        if not self.ratio.known and not self.settings.check_landing:
            self._probe_ratio(style, rng)
            remaining = self.distance_css / self.ratio.value - self.handle_css
            return plan_path(remaining, style=style, rng=rng)
        if self.settings.check_landing and not self.ratio.known and not self._room_for_whole_drag():
            return self._first_leg(style, rng, path)
        return path

    def _measure_jump(self, start_x: float | None) -> None:
        """A handle that jumps on press (its left edge to the pointer) shifts the piece
        before the drag starts: measure it, so the drag is planned from there."""
        now = self.watch.snapshot()
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
        now = self.watch.snapshot()
        if start_x is not None and now.handle_x is not None:
            moved = now.handle_x - start_x
            if abs(moved) >= FOLLOW_CSS_PX:
                if moved - drag.x - self.offset_css >= FOLLOW_CSS_PX:
                    self._confirm_jump(start_x)
                return True
        if now.scroll != scroll:
            raise SlideError(
                f"the drag scrolled the page (from {scroll} to {now.scroll}) instead of "
                "moving the slider handle"
            )
        travel = self._piece_travel()
        return travel is not None and travel > 0.5

    def _confirm_jump(self, start_x: float) -> None:
        """The handle is ahead of the pointer after the first move: a widget that set it
        to the pointer's x, or one still catching up with an overshoot. Look again once
        it had time to settle and keep the offset only if it stays ahead."""
        time.sleep(JUMP_SETTLE_SECONDS)
        again = self.watch.snapshot()
        if again.handle_x is None:
            return
        offset = again.handle_x - start_x - self._drag.x
        if offset >= FOLLOW_CSS_PX:
            logger.info("the handle runs %.1f css px ahead of the pointer", offset)
            self.offset_css = offset

    def _check_handle_is_free(self) -> None:
        covered = covering_element(self.driver, self.handle_el)
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

    def _look(self) -> Captured:
        self._catch_up()
        return self.pieces.look()

    def _piece_travel(self) -> float | None:
        self._catch_up()
        return self.pieces.travel_css(self.handle_css)

    def _lag(self) -> float | None:
        """How far (CSS px) the handle is behind the pointer; ``None`` when the handle
        is not seen, or not seen to have moved (then it tells nothing)."""
        if self.start_x is None:
            return None
        x = self.watch.handle_left()
        if x is None or abs(x - self.start_x) < FOLLOW_CSS_PX:
            return None
        return self.start_x + self.handle_css - x

    def _catch_up(self) -> None:
        """Make sure the widget took the pointer's last position before a look or the
        release.

        Widgets that throttle or sample pointer moves (one per ~50 ms) can drop the
        last moves of a quick series, more so on a busy machine, and leave the handle
        and the piece behind the pointer: a look then measures too small a ratio, and
        the release lands short. A handle seen behind (or ahead of) the pointer is
        nudged (:meth:`Drag.nudge`) and waited for, up to :data:`CATCH_UP_SECONDS`. A
        handle that does not catch up does not follow the pointer 1:1 (the end of its
        track, a handle of its own pace); it is not nudged again in this drag.
        """
        if not self.nudging or self.drag is None or self.drag.x == 0:
            return
        lag = self._lag()
        if lag is None or abs(lag) < FOLLOW_CSS_PX:
            return
        self.drag.nudge()
        deadline = time.monotonic() + CATCH_UP_SECONDS
        now = self._lag()
        while now is not None and abs(now) >= FOLLOW_CSS_PX and time.monotonic() < deadline:
            time.sleep(CATCH_UP_POLL_SECONDS)
            now = self._lag()
        if now is not None and abs(now) >= FOLLOW_CSS_PX:
            logger.debug("the handle stays %.1f css px off the pointer; not nudging again", now)
            self.nudging = False
        else:
            logger.debug("the handle was %.1f css px behind the pointer; nudged, caught up", lag)

    def landing_look(self) -> LandingLook | None:
        """The last look before release against the gap (for the debug view)."""
        return self.pieces.landing()

    def _learn(self, piece_css: float, handle_css: float) -> bool:
        seen = HandleRatio.measured(piece_css, handle_css, self.handle_el.id)
        if seen is None:
            return False
        self.ratio = seen
        return True

    def _probe_ratio(self, style: SlideStyle, rng: Any) -> None:
        drag = self._drag
        distance = self.distance_css
        probe = max(0.0, max(min(distance, 12.0), distance * PROBE_SHARE) - drag.x)
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
        done, split = drag.x, len(path)
        for i, step in enumerate(path):
            done += step.dx
            if done >= FIRST_LEG_SHARE * distance:
                split = i + 1
                break
        drag.move(path[:split], hold=style.settle / 2)
        moved = self._piece_travel()
        if self._answer_again_if_in_doubt():
            distance = self.distance_css
            path = path[:split] + plan_path(distance - self.handle_css, style=style, rng=rng)
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
        return room_for_whole_drag(self.match, self.distance_css, self.captured)

    def _correct_landing(self, style: SlideStyle) -> None:
        """Look at the page while still holding; move the piece onto the gap if it is off.

        The target is where the picture shows the gap: the engine's own measurement
        (``distance_px`` x ``scale``) when the solver located it, else the answer. While
        the ratio is not given, each look also updates it from how far the last move
        took the piece.
        """
        drag = self._drag
        learn = self.ratio.source != "given"
        before_handle, before_landed = 0.0, 0.0
        for look in range(MAX_LOOKS):
            landed = self._piece_travel()
            self._answer_again_if_in_doubt()
            match = self.match
            target = match.distance_px * match.scale if match is not None else self.distance_css
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

    def _answer_again_if_in_doubt(self) -> bool:
        """Ask the solver again with the piece seen moving, once, when the located answer
        is in doubt, and aim at that answer from now on. Returns whether it changed.

        In doubt: the last look saw the located piece stay put while something else
        moved as a piece would (the solver located the wrong thing: a band of a
        periodic background, say), or the answer hardly led the best answer at another
        place (:data:`AMBIGUOUS_LEAD`: a decoy, a period of the background), in which
        case a look at the whole captcha is taken now.
        """
        solver = self.settings.solver
        if self.answered_by is not None or not isinstance(solver, PieceSolver):
            return False
        now = self.pieces.elsewhere
        ambiguous = False
        if now is None:
            lead = self.match.lead if self.match is not None else None
            if self.checked or lead is None or lead >= AMBIGUOUS_LEAD:
                return False
            self.checked = ambiguous = True
            try:
                now = self._look()
            except CaptureError:
                return False
        look = look_at_piece(self.captured, now, handle_css=self.handle_css)
        if look is None:
            return False
        t = time.monotonic()
        try:
            distance = solve_with_piece(solver, self.captured, look)
            if distance is None:
                return False
            check_distance(distance)
        except SolveFailed as exc:
            logger.info("the piece seen moving was refused too (%s); keeping the answer", exc)
            return False
        finally:
            self.solve_seconds += time.monotonic() - t
        if ambiguous:
            if abs(distance - self.distance_css) <= AGREE_CSS_PX:
                logger.debug("the piece seen moving agrees with the answer (%.1f css px)", distance)
                return False
            logger.warning(
                "two places fitted the piece alike; the piece seen moving chose the other "
                "(%.1f -> %.1f css px)",
                self.distance_css,
                distance,
            )
        else:
            logger.warning(
                "the piece the solver located did not move with the handle, another did: "
                "answered again with the piece seen moving (%.1f -> %.1f css px)",
                self.distance_css,
                distance,
            )
        self.look, self.distance_css, self.answered_by = look, distance, "solve_piece (look)"
        self.match = None
        self.pieces = PieceWatch(self.driver, self.captured, self.image_el, None)
        return True

    def _look_instead(self, refused: SolveFailed, style: SlideStyle) -> list[PathStep]:
        """The solver refused the picture and the first short move was made: see the
        piece, ask the solver with its own picture; return the rest of the drag.

        Raises:
            SolveFailed: the piece could not be seen, or the solver cannot use it.
        """
        captured = self.captured
        look = look_at_piece(captured, self._look(), handle_css=self.handle_css)
        if look is None:
            # a busy machine may paint the moved piece a frame or two late: look once more
            time.sleep(LOOK_AGAIN_SECONDS)
            look = look_at_piece(captured, self._look(), handle_css=self.handle_css)
        if look is None:
            self._undo_look()
            raise SolveFailed(f"{refused}; the piece could not be seen moving") from refused
        self.look = look
        self._learn(look.shift_px * captured.scale, self.handle_css)
        t = time.monotonic()
        try:
            distance = solve_with_piece(self.settings.solver, captured, look)
        except SolveFailed:
            self._undo_look()
            raise
        finally:
            self.solve_seconds += time.monotonic() - t
        if distance is None:
            self._undo_look()
            raise SolveFailed(
                f"{refused}; the piece was seen moving, but the solver cannot use its picture "
                "(no solve_piece)"
            ) from refused
        check_distance(distance)
        self.distance_css = distance
        self.answered_by = "solve_piece (look)"
        return plan_path(distance / self.ratio.value - self.handle_css, style=style)

    def _undo_look(self) -> None:
        """Take the handle back to the start and release: most widgets ignore a drop there."""
        drag = self._drag
        if drag.x:
            quiet = dataclasses.replace(self.settings.style, overshoot=False, jitter_css_px=0.0)
            drag.move(plan_path(-drag.x, style=quiet))
        drag.release(settle=0.05)


def check_distance(distance: float) -> None:
    """Raise :class:`SolveFailed` unless ``distance`` is a positive number of CSS px."""
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
