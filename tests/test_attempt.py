"""One attempt's checks on a fake widget: the press, the handle following, the errors."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.common.exceptions import (
    InvalidSelectorException,
    InvalidSessionIdException,
    WebDriverException,
)
from selenium.webdriver.remote.command import Command

from omo_selenium import (
    BrowserLost,
    ConfigurationError,
    SlideError,
    SliderSolver,
    TransportError,
)
from omo_selenium.browser.slide import SlideStyle

from .fake_widget import FakeWidgetDriver
from .test_solver_pins import FixedLocator

STYLE = SlideStyle(seed=5)


def _sliders(driver: FakeWidgetDriver, solver: Any = None, **options: Any) -> SliderSolver:
    solver = solver or FixedLocator(driver.widget.gap_x)
    return SliderSolver(driver, solver, style=STYLE, verify_timeout=0.5, **options)


def test_an_ignored_press_is_tried_again_after_resting_on_the_handle() -> None:
    driver = FakeWidgetDriver(gap_x=170.0, ignore_first_press=True)
    result = _sliders(driver).solve(driver.image, driver.handle, attempts=1)
    assert result.success, result.error
    assert result.attempts[0].presses == 2
    assert driver.widget.verdicts == [True]
    # the second press rests on the handle before the button goes down
    second_press = [
        seq
        for seq in driver.actions
        if any(a["type"] == "pointerDown" for s in seq for a in s["actions"])
    ][1]
    kinds = [a["type"] for a in second_press[0]["actions"]]
    assert kinds[:3] == ["pointerMove", "pause", "pointerDown"]


@pytest.mark.parametrize("check_landing", [True, False])
def test_a_handle_that_jumps_to_the_pointer_is_corrected(check_landing: bool) -> None:
    driver = FakeWidgetDriver(gap_x=160.0, jump_on_press=True, tolerance=1.0)
    result = _sliders(driver, check_landing=check_landing).solve(
        driver.image, driver.handle, attempts=1
    )
    assert result.attempts[0].jump_css == pytest.approx(22.0, abs=0.5)
    assert driver.widget.verdicts == [True], result.attempts[0]
    assert abs(driver.piece_x - 160.0) <= 1.0


@pytest.mark.parametrize("ratio", [1.0, 0.85])
def test_a_widget_that_drops_quick_moves_is_nudged_to_the_pointer(ratio: float) -> None:
    # like vue-monoplasty-slide-verify on a busy machine: moves within 50 ms of the last
    # one taken are lost, so the handle stops short of the pointer after a quick move;
    # without a look before release nothing else would see it
    driver = FakeWidgetDriver(gap_x=200.0, ratio=ratio, tolerance=2.0, throttle_ms=50)
    result = _sliders(driver, check_landing=False).solve(driver.image, driver.handle, attempts=1)
    assert driver.widget.verdicts == [True], result.attempts[0]
    assert driver.widget.handle_x == driver.widget.pointer_x


def test_a_handle_that_never_follows_is_an_error_that_says_so() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)
    driver._press = lambda: None  # type: ignore[method-assign]
    result = _sliders(driver).solve(driver.image, driver.handle, attempts=1)
    assert not result.success
    assert isinstance(result.attempts[0].exception, SlideError)
    assert "did not follow the pointer after 3 presses" in (result.error or "")
    with pytest.raises(SlideError):
        result.raise_for_failure()


def test_an_overlay_over_the_handle_is_named() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)
    driver.covered_by = "div#cookie-banner.modal"
    result = _sliders(driver).solve(driver.image, driver.handle, attempts=1)
    assert "(div#cookie-banner.modal) covers the slider handle" in (result.error or "")
    assert driver.actions == []  # nothing was pressed


def test_a_drag_that_scrolls_the_page_says_so() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)
    driver._press = lambda: None  # type: ignore[method-assign]
    snapshot = driver.snapshot

    def scrolled() -> dict[str, Any]:
        state = snapshot()
        if driver.actions:
            state["scroll"] = [0, 40]
        return state

    driver.snapshot = scrolled  # type: ignore[method-assign]
    result = _sliders(driver).solve(driver.image, driver.handle, attempts=1)
    assert "scrolled the page" in (result.error or "")


def test_a_crashed_tab_is_browser_lost_with_the_selenium_error_as_cause() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)
    execute = driver.execute

    def crash(command: str, params: Any = None) -> Any:
        if command == Command.W3C_ACTIONS:
            raise WebDriverException(
                "unknown error: session deleted because of page crash\nfrom tab crashed"
            )
        return execute(command, params)

    driver.execute = crash  # type: ignore[method-assign]
    with pytest.raises(BrowserLost, match=r"tab crashed|page crash") as caught:
        _sliders(driver).solve(driver.image, driver.handle, attempts=3)
    assert isinstance(caught.value.__cause__, WebDriverException)


def test_a_lost_session_while_capturing_is_browser_lost() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)

    def gone(*args: Any) -> Any:
        raise InvalidSessionIdException("invalid session id")

    driver.execute_script = gone  # type: ignore[method-assign]
    with pytest.raises(BrowserLost) as caught:
        _sliders(driver).solve(driver.image, driver.handle)
    assert isinstance(caught.value.__cause__, InvalidSessionIdException)


def test_a_malformed_selector_is_a_configuration_error() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)

    def find_element(by: str, value: str) -> Any:
        raise InvalidSelectorException(f"invalid selector: {value}")

    driver.find_element = find_element  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="invalid selector") as caught:
        _sliders(driver, element_timeout=0.2).solve("#captcha[", driver.handle)
    assert isinstance(caught.value.__cause__, InvalidSelectorException)


def test_raise_for_failure_raises_the_real_error_type() -> None:
    driver = FakeWidgetDriver(gap_x=170.0)

    class Down:
        def solve(self, image: Any, width_view: float) -> float:
            raise TransportError("service unreachable")

    result = _sliders(driver, Down()).solve(driver.image, driver.handle, attempts=1)
    assert not result.success
    assert isinstance(result.attempts[0].exception, TransportError)
    with pytest.raises(TransportError, match="service unreachable"):
        result.raise_for_failure()


def test_a_measured_ratio_is_not_carried_to_another_widget() -> None:
    first = FakeWidgetDriver(gap_x=230.0, ratio=1.3)
    sliders = _sliders(first)
    assert sliders.solve(first.image, first.handle, attempts=1).success
    assert sliders._learned is not None and sliders._learned.value == pytest.approx(1.3, abs=0.03)
    # the same solver on another page (another handle element): measured again, not learned
    second = FakeWidgetDriver(gap_x=230.0, ratio=1.0)
    second.handle = type(second.handle)(second, "handle-2")
    sliders.driver = second  # type: ignore[assignment]
    result = SliderSolver(second, FixedLocator(230.0), style=STYLE)._ratio_for(None, second.handle)
    assert result is None
    assert sliders._learned.for_widget("handle-2") is None
    assert sliders._learned.for_widget(first.handle.id) is not None
