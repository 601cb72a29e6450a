"""The drag planner and the drag's timing, without a browser."""

from __future__ import annotations

import dataclasses
import random
import time
from typing import Any

import pytest

from omo_selenium.browser.slide import DEFAULT_STYLE, Drag, PathStep, SlideStyle, plan_path
from omo_selenium.errors import ConfigurationError

DISTANCES = [1, 3, 12.4, 37.5, 99.6, 150, 233.2, 310, -25, -140.7]


@pytest.mark.parametrize("distance", DISTANCES)
@pytest.mark.parametrize("seed", range(5))
def test_path_lands_within_half_a_pixel(distance: float, seed: int) -> None:
    steps = plan_path(distance, rng=random.Random(seed))
    assert sum(s.dx for s in steps) == round(distance)
    assert abs(sum(s.dx for s in steps) - distance) <= 0.5


@pytest.mark.parametrize("distance", [40, 120, 250])
def test_path_is_not_flat_and_its_wobble_is_bounded(distance: float) -> None:
    for seed in range(20):
        steps = plan_path(distance, rng=random.Random(seed))
        y, ys = 0, []
        for s in steps:
            y += s.dy
            ys.append(y)
        assert any(v != 0 for v in ys), "a perfectly flat path is what bots draw"
        assert max(abs(v) for v in ys) <= DEFAULT_STYLE.jitter_css_px + 1


def test_zero_jitter_gives_a_flat_path() -> None:
    flat = dataclasses.replace(DEFAULT_STYLE, jitter_css_px=0.0)
    assert all(s.dy == 0 for s in plan_path(120, style=flat))


def test_path_accelerates_then_decelerates() -> None:
    steps = plan_path(
        200, style=dataclasses.replace(DEFAULT_STYLE, overshoot=False), rng=random.Random(1)
    )
    speeds = [s.dx / s.duration_ms for s in steps]
    peak = speeds.index(max(speeds))
    assert 0 < peak < len(speeds) - 1
    assert speeds[0] < max(speeds) / 2 and speeds[-1] < max(speeds) / 2


def test_overshoot_goes_past_then_comes_back() -> None:
    style = dataclasses.replace(DEFAULT_STYLE, overshoot_css_px=(4.0, 4.0))
    steps = plan_path(100, style=style, rng=random.Random(3))
    x, peak = 0, 0
    for s in steps:
        x += s.dx
        peak = max(peak, x)
    assert peak == 104 and x == 100


def test_without_overshoot_the_path_never_passes_the_target() -> None:
    style = dataclasses.replace(DEFAULT_STYLE, overshoot=False)
    x = 0
    for s in plan_path(100, style=style, rng=random.Random(3)):
        x += s.dx
        assert x <= 100


def test_timing_follows_speed_and_steps_vary() -> None:
    steps = plan_path(300, style=dataclasses.replace(DEFAULT_STYLE, overshoot=False))
    total_ms = sum(s.duration_ms for s in steps)
    assert total_ms == pytest.approx(300 / DEFAULT_STYLE.speed * 1000, rel=0.1)
    assert len({s.duration_ms for s in steps}) > 3, "perfectly regular timing looks robotic"


def test_same_seed_same_path_other_seed_other_path() -> None:
    style = dataclasses.replace(DEFAULT_STYLE, seed=42)
    assert plan_path(150, style=style) == plan_path(150, style=style)
    assert plan_path(150, style=style) != plan_path(150, style=dataclasses.replace(style, seed=43))


def test_zero_distance_is_no_move() -> None:
    assert plan_path(0.3) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_distance_is_refused(bad: float) -> None:
    with pytest.raises(ConfigurationError):
        plan_path(bad)


@pytest.mark.parametrize(
    "kwargs",
    [{"speed": 0}, {"step": -1}, {"settle": -0.1}, {"overshoot_css_px": (5.0, 2.0)}],
)
def test_bad_style_is_refused_at_construction(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        SlideStyle(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("distance", [30, 120, 280, -200])
@pytest.mark.parametrize("max_step", [6.0, 14.0])
def test_no_single_move_outruns_the_handle(distance: float, max_step: float) -> None:
    style = dataclasses.replace(DEFAULT_STYLE, max_step_css_px=max_step)
    for seed in range(10):
        steps = plan_path(distance, style=style, rng=random.Random(seed))
        assert max(abs(s.dx) for s in steps) <= max_step


@pytest.mark.parametrize(
    ("width", "limit"),
    [(44.0, 0.45 * 44.0), (10.0, 8.0), (200.0, 24.0), (None, 14.0), (0.0, 14.0)],
)
def test_step_limit_follows_the_handle_width(width: float | None, limit: float) -> None:
    fitted = DEFAULT_STYLE.for_handle(width)
    assert fitted.step_limit == pytest.approx(limit)
    steps = plan_path(250, style=fitted, rng=random.Random(1))
    assert max(abs(s.dx) for s in steps) <= limit


def test_an_explicit_step_limit_is_kept_whatever_the_handle() -> None:
    style = dataclasses.replace(DEFAULT_STYLE, max_step_css_px=6.0)
    assert style.for_handle(80.0).step_limit == 6.0


def test_a_wider_handle_means_fewer_pointer_events() -> None:
    narrow = plan_path(200, style=DEFAULT_STYLE.for_handle(20.0), rng=random.Random(2))
    wide = plan_path(200, style=DEFAULT_STYLE.for_handle(44.0), rng=random.Random(2))
    assert len(wide) < len(narrow)


class _RecordingDriver:
    """Stands in for a WebDriver: keeps the W3C action payloads it is asked to perform."""

    def __init__(self) -> None:
        self.performed: list[list[dict[str, object]]] = []

    def execute(self, command: str, params: dict[str, Any]) -> dict[str, object]:
        for source in params["actions"]:
            self.performed.append(source["actions"])
        return {"value": None}


def _release_pause_ms(driver: _RecordingDriver) -> float:
    last = driver.performed[-1]
    assert last[-1]["type"] == "pointerUp"
    return sum(float(a["duration"]) for a in last if a["type"] == "pause")  # type: ignore[arg-type]


def test_release_waits_only_for_the_stillness_still_missing() -> None:
    driver = _RecordingDriver()
    drag = Drag(driver, handle=None)  # type: ignore[arg-type]
    drag.move([PathStep(5, 0, 10)], hold=0.08)
    drag.release(settle=0.12)
    assert 0 < _release_pause_ms(driver) <= 40 + 5  # 120 ms asked, 80 already held

    drag.move([PathStep(5, 0, 10)])
    time.sleep(0.15)  # e.g. a look at the page while holding still
    drag.release(settle=0.12)
    assert _release_pause_ms(driver) == 0


def test_release_before_any_move_pauses_the_whole_settle() -> None:
    driver = _RecordingDriver()
    Drag(driver, handle=None).release(settle=0.12)  # type: ignore[arg-type]
    assert _release_pause_ms(driver) == 120


class _SlowBrowser(_RecordingDriver):
    """Like Chromium: every pointer event costs ``event_s`` beyond the duration asked."""

    def __init__(self, name: str, event_s: float) -> None:
        super().__init__()
        self.capabilities = {"browserName": name}
        self.event_s = event_s

    def execute(self, command: str, params: dict[str, Any]) -> dict[str, object]:
        for source in params["actions"]:
            moves = [a for a in source["actions"] if a["type"] == "pointerMove"]
            time.sleep(sum(self.event_s + a["duration"] / 1000 for a in moves))
        return super().execute(command, params)


def _sent_ms(driver: _RecordingDriver) -> list[int]:
    return [int(a["duration"]) for a in driver.performed[-1] if a["type"] == "pointerMove"]  # type: ignore[call-overload]


def test_a_chromium_drag_takes_off_the_browsers_own_time_per_event() -> None:
    driver = _SlowBrowser("chrome", event_s=0.016)
    drag = Drag(driver, handle=None)  # type: ignore[arg-type]
    path = [PathStep(4, 0, 20)] * 10
    started = time.perf_counter()
    drag.move(path)
    took = time.perf_counter() - started
    assert _sent_ms(driver) == [4] * 10  # 20 ms planned, 16 of them the browser's own
    assert took == pytest.approx(0.2, abs=0.06)  # the planned 200 ms, not 360
    assert drag.steps == path and drag.x == 40  # the record keeps the plan
    assert drag.event_seconds == pytest.approx(0.016, abs=0.006)  # measured on the move


def test_a_browser_that_takes_no_time_per_event_gets_the_plan_after_one_move() -> None:
    driver = _SlowBrowser("chrome", event_s=0.0)
    drag = Drag(driver, handle=None)  # type: ignore[arg-type]
    drag.move([PathStep(4, 0, 20)] * 10)
    assert drag.event_seconds < 0.005
    drag.move([PathStep(4, 0, 20)] * 10)
    assert all(ms >= 15 for ms in _sent_ms(driver))


def test_other_browsers_start_from_the_plan() -> None:
    driver = _SlowBrowser("firefox", event_s=0.0)
    drag = Drag(driver, handle=None)  # type: ignore[arg-type]
    drag.move([PathStep(4, 0, 20)] * 3)  # too few events to measure on
    assert _sent_ms(driver) == [20, 20, 20]
