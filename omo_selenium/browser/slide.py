"""Drag the slider handle: a pure path planner and a thin Selenium driver of the pointer.

:func:`plan_path` is pure (tested without a browser). :class:`Drag` presses the handle
and moves it in as many ``perform()`` calls as the caller needs, so the solver can look
at the page while the button is still held; :func:`perform_slide` is the one-shot form.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from ..errors import ConfigurationError, SlideError
from .webdriver_errors import translate_webdriver_error

__all__ = [
    "DEFAULT_STYLE",
    "Drag",
    "PathStep",
    "SlideStyle",
    "covering_element",
    "perform_slide",
    "plan_path",
]

logger = logging.getLogger("omo_selenium.slide")

_MOUSE = "mouse"  # one device name for all performs, so the pressed button carries over


#: A single pointer move stays below this share of the handle's width.
HANDLE_STEP_SHARE = 0.45
#: The step limit fitted to a handle stays within these bounds (CSS px).
STEP_BOUNDS_CSS_PX = (8.0, 24.0)
#: The step limit while the handle's width is unknown (CSS px).
FALLBACK_STEP_CSS_PX = 14.0
#: Seconds a Chromium browser takes per pointer event beyond the duration asked: it
#: answers each dispatched event once a frame has handled it (~16 ms at 60 Hz), so a
#: move asked to last 16 ms takes two frames. Other browsers start from 0; every drag
#: measures its own browser after each long enough move (:class:`Drag`).
CHROMIUM_EVENT_SECONDS = 0.016
#: Seconds of stillness before and after each step of :meth:`Drag.nudge`: longer than
#: the ~50 ms some widgets wait between two pointer moves they take.
NUDGE_PAUSE_SECONDS = 0.07
#: The measured cost per event is kept within these bounds (seconds).
EVENT_SECONDS_BOUNDS = (0.0, 0.034)
#: A move needs at least this many pointer events to measure the cost per event on.
MIN_EVENTS_TO_MEASURE = 5
_CHROMIUM_NAMES = ("chrome", "chromium", "msedge", "microsoftedge", "edge")


@dataclass(frozen=True)
class SlideStyle:
    """How a drag looks in time and space. Immutable: vary it with ``dataclasses.replace``.

    Attributes:
        speed: mean horizontal speed in CSS px per second (sets the move's duration).
        min_duration: seconds the shortest move takes.
        step: mean seconds between two pointer moves (each varies by +-15 %). Browsers
            handle about one pointer event per frame (~16 ms) whatever is asked.
        max_step_css_px: the largest single pointer move. Many widgets listen for moves
            on the handle itself, so a pointer that jumps past the handle's edge between
            two events is lost: keep it below half the handle's width. Long drags get
            more steps (and take longer) to respect it. ``None`` (the default) follows
            the handle: :data:`HANDLE_STEP_SHARE` of its width once
            :meth:`for_handle` has measured it, else :data:`FALLBACK_STEP_CSS_PX`.
            Every pointer event costs the browser about a frame, so fewer, larger
            steps make a quicker drag.
        jitter_css_px: how far the pointer may wander vertically (0 = a flat line).
        overshoot: go a little past the target, then come back.
        overshoot_css_px: ``(low, high)`` range of the overshoot.
        settle: seconds to hold still at the target before release (widgets that sample
            the pointer every ~50 ms need it).
        seed: seed of the random wobble; ``None`` for a fresh one each drag.
    """

    speed: float = 600.0
    min_duration: float = 0.18
    step: float = 0.016
    max_step_css_px: float | None = None
    jitter_css_px: float = 1.5
    overshoot: bool = True
    overshoot_css_px: tuple[float, float] = (2.0, 6.0)
    settle: float = 0.12
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("speed", "step", "max_step_css_px"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ConfigurationError(f"SlideStyle.{name} must be positive")
        if self.min_duration < 0 or self.settle < 0 or self.jitter_css_px < 0:
            raise ConfigurationError("SlideStyle durations and jitter must not be negative")
        low, high = self.overshoot_css_px
        if not 0 <= low <= high:
            raise ConfigurationError("SlideStyle.overshoot_css_px must be (low, high), 0 <= low")

    def rng(self) -> random.Random:
        """A random generator seeded from :attr:`seed`."""
        return random.Random(self.seed)

    @property
    def step_limit(self) -> float:
        """The largest single move, in CSS px, this style plans."""
        return self.max_step_css_px or FALLBACK_STEP_CSS_PX

    def for_handle(self, width_css: float | None) -> SlideStyle:
        """This style with the step limit fitted to a handle ``width_css`` wide.

        A limit set explicitly is kept; an unknown width keeps the fallback.
        """
        if self.max_step_css_px is not None or not width_css or width_css <= 0:
            return self
        low, high = STEP_BOUNDS_CSS_PX
        limit = min(high, max(low, HANDLE_STEP_SHARE * width_css))
        return dataclasses.replace(self, max_step_css_px=limit)


#: The default drag: up to ~600 px/s, gentle wobble, a small overshoot, 120 ms settle.
DEFAULT_STYLE = SlideStyle()


@dataclass(frozen=True)
class PathStep:
    """One pointer move relative to the previous position.

    Attributes:
        dx: horizontal CSS px (integer, as W3C actions want).
        dy: vertical CSS px.
        duration_ms: how long the move takes.
    """

    dx: int
    dy: int
    duration_ms: int


def _ease(t: float) -> float:
    """Minimum-jerk profile: starts and ends with zero speed and acceleration."""
    return t * t * t * (10 - 15 * t + 6 * t * t)


#: Peak speed of the minimum-jerk profile, relative to its mean speed.
_PEAK_SPEED = 1.875


def _segment(
    start: float, end: float, duration: float, style: SlideStyle, rng: random.Random
) -> list[tuple[float, float]]:
    """``(time, x)`` samples from ``start`` to ``end``, time strictly increasing.

    Enough samples that the fastest one moves at most ``style.step_limit``.
    """
    step = style.step
    jitter = 0.15
    by_speed = math.ceil(_PEAK_SPEED * (1 + jitter) * abs(end - start) / style.step_limit)
    n = max(2, round(duration / step), by_speed)
    times = [0.0]
    for _ in range(n):
        times.append(times[-1] + step * rng.uniform(1 - jitter, 1 + jitter))
    total = times[-1]
    return [(t / total * duration, start + (end - start) * _ease(t / total)) for t in times[1:]]


def plan_path(
    distance_css_px: float,
    *,
    style: SlideStyle = DEFAULT_STYLE,
    rng: random.Random | None = None,
) -> list[PathStep]:
    """Plan a human-like drag of ``distance_css_px`` (negative = to the left).

    The horizontal steps add up to ``round(distance_css_px)`` exactly, so the drag lands
    within half a CSS px of the asked offset; the vertical wobble is smooth, bounded by
    ``style.jitter_css_px`` and never a perfectly flat line when jitter is on.

    Args:
        distance_css_px: how far to move the pointer horizontally.
        style: timing and shape of the drag.
        rng: random source; defaults to ``style.rng()``.

    Returns:
        Relative integer moves, in order. Empty for a distance that rounds to 0.
    """
    if not math.isfinite(distance_css_px):
        raise ConfigurationError(f"drag distance must be finite, got {distance_css_px!r}")
    rng = rng or style.rng()
    target = round(distance_css_px)
    if target == 0:
        return []
    sign = 1 if target > 0 else -1
    duration = max(style.min_duration, abs(target) / style.speed)
    samples: list[tuple[float, float]] = []
    if style.overshoot and abs(target) >= 20 and style.overshoot_css_px[1] > 0:
        over = target + sign * rng.uniform(*style.overshoot_css_px)
        samples += _segment(0, over, duration, style, rng)
        back = _segment(over, target, max(0.06, duration * 0.2), style, rng)
        samples += [(samples[-1][0] + t, x) for t, x in back]
    else:
        samples += _segment(0, target, duration, style, rng)

    steps: list[PathStep] = []
    x_prev = y_prev = 0
    t_prev = 0.0
    wobble, phase = style.jitter_css_px, rng.uniform(0, 2 * math.pi)
    cycles = rng.uniform(0.6, 1.4)
    for i, (t, x) in enumerate(samples):
        last = i == len(samples) - 1
        xi = target if last else round(x)
        progress = t / samples[-1][0]
        yf = (
            wobble
            * math.sin(phase + 2 * math.pi * cycles * progress)
            * math.sin(math.pi * progress)
        )
        yi = round(yf + rng.uniform(-0.4, 0.4) * (wobble > 0))
        duration_ms = max(1, round((t - t_prev) * 1000))
        if xi != x_prev or yi != y_prev or last:
            steps.append(PathStep(xi - x_prev, yi - y_prev, duration_ms))
            x_prev, y_prev, t_prev = xi, yi, t
    if wobble > 0 and all(s.dy == 0 for s in steps) and len(steps) > 2:
        # A very short drag can round every wobble away: add one visible bump.
        mid = len(steps) // 2
        steps[mid] = PathStep(steps[mid].dx, 1, steps[mid].duration_ms)
        steps[mid + 1] = PathStep(
            steps[mid + 1].dx, steps[mid + 1].dy - 1, steps[mid + 1].duration_ms
        )
    return steps


class Drag:
    """A drag of one element in progress: press, move (any number of times), release.

    Each call is one W3C actions ``perform()``; the button stays pressed in between,
    so the caller may take screenshots while holding.

    A browser spends about a frame on every pointer event whatever duration it is
    asked for, on top of that duration; a path sent as planned would take about twice
    its time. Each move is therefore sent with :attr:`event_seconds` taken off every
    step's duration (never below 0), so the page sees the timing that was planned.
    :attr:`event_seconds` starts from :data:`CHROMIUM_EVENT_SECONDS` on a Chromium
    browser (0 elsewhere) and is measured again on every move of
    :data:`MIN_EVENTS_TO_MEASURE` steps or more. :attr:`steps` keeps the planned steps.

    Example:
        >>> drag = Drag(driver, handle)  # doctest: +SKIP
        >>> drag.press(); drag.move(plan_path(120)); drag.release(settle=0.15)
    """

    def __init__(self, driver: WebDriver, handle: WebElement) -> None:
        self.driver = driver
        self.handle = handle
        #: Integer CSS px moved so far, horizontally and vertically.
        self.x = 0
        self.y = 0
        #: Every move made, for the debug view.
        self.steps: list[PathStep] = []
        self.pressed = False
        self._still_since: float | None = None  # perf_counter() when the pointer stopped
        #: Seconds the browser spends per pointer event beyond the duration asked.
        self.event_seconds = CHROMIUM_EVENT_SECONDS if _is_chromium(driver) else 0.0

    def _new_input(self) -> PointerInput:
        return PointerInput(interaction.POINTER_MOUSE, _MOUSE)

    def _send(self, mouse: PointerInput) -> None:
        try:
            ActionBuilder(self.driver, mouse=mouse).perform()
        except WebDriverException as exc:
            raise translate_webdriver_error(exc, SlideError, "drag the slider handle") from exc

    def press(self, *, pause: float = 0.05, rest: float = 0.0) -> None:
        """Move the pointer to the handle's centre and press the button.

        Args:
            pause: seconds to hold still after pressing.
            rest: seconds to rest the pointer on the handle before pressing (some
                widgets ignore a press that comes before their hover transition).
        """
        mouse = self._new_input()
        mouse.create_pointer_move(duration=0, origin=self.handle)
        if rest > 0:
            mouse.create_pause(rest)
        mouse.create_pointer_down(button=0)
        mouse.create_pause(pause)
        self._send(mouse)
        self.pressed = True

    def move(self, steps: Sequence[PathStep], *, hold: float = 0.0) -> None:
        """Make the planned moves (relative to where the pointer is), then hold still.

        Args:
            steps: the moves.
            hold: seconds to keep still after the last move, in the same action
                sequence; a widget that samples the pointer on a timer catches up.
        """
        if not steps and hold <= 0:
            return
        mouse = self._new_input()
        cut_ms = self.event_seconds * 1000
        sent_ms = [max(0, round(s.duration_ms - cut_ms)) for s in steps]
        for s, duration_ms in zip(steps, sent_ms, strict=True):
            mouse.create_pointer_move(duration=duration_ms, x=s.dx, y=s.dy, origin="pointer")
        if hold > 0:
            mouse.create_pause(hold)
        started = time.perf_counter()
        self._send(mouse)
        self._still_since = time.perf_counter() - hold
        if len(steps) >= MIN_EVENTS_TO_MEASURE:
            spent = self._still_since - started - sum(sent_ms) / 1000
            low, high = EVENT_SECONDS_BOUNDS
            self.event_seconds = min(high, max(low, spent / len(steps)))
        for s in steps:
            self.x += s.dx
            self.y += s.dy
        self.steps.extend(steps)

    def nudge(self, *, pause: float = NUDGE_PAUSE_SECONDS) -> None:
        """Step the pointer 1 CSS px back and forward again, each step after ``pause``
        seconds of stillness; the pointer ends where it was.

        A widget that throttles or samples pointer moves (one per ~50 ms) can drop the
        last moves of a quick series and leave its handle behind the pointer; a move
        that comes after a pause is taken, so this puts the handle where the pointer is.
        """
        mouse = self._new_input()
        still = time.perf_counter() - self._still_since if self._still_since is not None else 0.0
        if pause - still > 0:
            mouse.create_pause(pause - still)
        mouse.create_pointer_move(duration=0, x=-1, y=0, origin="pointer")
        mouse.create_pause(pause)
        mouse.create_pointer_move(duration=0, x=1, y=0, origin="pointer")
        mouse.create_pause(pause)
        self._send(mouse)
        self._still_since = time.perf_counter() - pause
        ms = round(pause * 1000)
        self.steps.extend([PathStep(-1, 0, ms), PathStep(1, 0, ms)])

    def release(self, *, settle: float = DEFAULT_STYLE.settle) -> None:
        """Release the button once the pointer has kept still for ``settle`` seconds.

        Time already spent still since the last move (a hold, a look at the page)
        counts, so the pause before release is only what is missing.
        """
        if self._still_since is not None:
            settle -= time.perf_counter() - self._still_since
        mouse = self._new_input()
        if settle > 0:
            mouse.create_pause(settle)
        mouse.create_pointer_up(0)
        self._send(mouse)
        self.pressed = False

    def abort(self) -> None:
        """Release the button if it is still pressed, ignoring errors (cleanup path)."""
        if self.pressed:
            try:
                self.release(settle=0)
            except SlideError:
                logger.debug("release after a failed drag failed too", exc_info=True)


def _is_chromium(driver: WebDriver) -> bool:
    """Whether the driver runs a Chromium browser (Chrome, Edge), local or remote."""
    capabilities = getattr(driver, "capabilities", None)
    if not isinstance(capabilities, dict):
        return False
    name = str(capabilities.get("browserName") or "")
    return name.lower().replace(" ", "") in _CHROMIUM_NAMES


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


def covering_element(driver: WebDriver, handle: WebElement) -> tuple[str, float, float] | None:
    """What a press at the handle's centre would reach instead of the handle, if anything.

    Returns:
        ``(description, x, y)`` of the element on top at the handle's centre (CSS px of
        the frame), or ``None`` when the handle itself (or its content, or a container
        listening for it) is there.

    Raises:
        SlideError, BrowserLost: the browser could not say.
    """
    try:
        found = driver.execute_script(_COVER_JS, handle)
    except WebDriverException as exc:
        raise translate_webdriver_error(exc, SlideError, "find the slider handle") from exc
    if not found:
        return None
    name, x, y = found
    return str(name), float(x), float(y)


def perform_slide(
    driver: WebDriver,
    handle: WebElement,
    steps: Sequence[PathStep],
    *,
    settle: float = DEFAULT_STYLE.settle,
) -> Drag:
    """Press ``handle``, make ``steps``, hold ``settle`` s, release; returns the finished drag.

    Raises:
        SlideError: the browser refused the actions (handle gone, not interactable).
    """
    drag = Drag(driver, handle)
    try:
        drag.press()
        drag.move(steps)
        drag.release(settle=settle)
    except SlideError:
        drag.abort()
        raise
    return drag
