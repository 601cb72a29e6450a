"""Reading the page's verdict without a selector: the rules, then on a fake widget."""

from __future__ import annotations

from typing import Any

import pytest

from omo_selenium import SliderSolver, Verdict
from omo_selenium.browser.slide import SlideStyle
from omo_selenium.verdict import WidgetState, judge, words_of

from .fake_widget import FakeWidgetDriver
from .test_solver_pins import FixedLocator

STYLE = SlideStyle(seed=3)


def _state(words: str = "", **changes: Any) -> WidgetState:
    base: dict[str, Any] = {
        "root_present": True,
        "root_shown": True,
        "image_shown": True,
        "handle_x": 120.0,
        "words": words_of(["captcha slider", "Slide to complete the puzzle", words]),
        "busy": False,
        "pictures": "1",
        "scroll": (0.0, 0.0),
    }
    base.update(changes)
    return WidgetState(**base)


def test_words_split_class_names_camel_case_and_text() -> None:
    assert {"captcha", "success", "is", "verified"} <= words_of(["captcha--isSuccess", "Verified!"])


def test_a_negated_success_word_is_a_failure() -> None:
    assert "not-verified" in words_of(["Not verified, please retry"])
    held, now = _state(), _state("Not verified")
    assert judge(held, now, start_x=20.0) == (Verdict.REJECTED, "words on the widget: not-verified")


@pytest.mark.parametrize(
    ("words", "verdict"),
    [
        ("is-success", Verdict.ACCEPTED),
        ("Verified in 1.2 s", Verdict.ACCEPTED),
        ("slider-pass", Verdict.ACCEPTED),
        ("state-error", Verdict.REJECTED),
        ("Not quite, try again.", Verdict.REJECTED),
        ("captcha--success Verification failed", Verdict.REJECTED),  # failure wins
    ],
)
def test_new_words_on_the_widget_decide(words: str, verdict: Verdict) -> None:
    decided = judge(_state(), _state(words), start_x=20.0)
    assert decided is not None and decided[0] is verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("验证通过\uff01", Verdict.ACCEPTED),  # vue-puzzle-vcode's "verification passed!"
        ("验证成功", Verdict.ACCEPTED),
        ("验证失败\uff0c请重试", Verdict.REJECTED),  # "failed, please retry"
        ("再试一次", Verdict.REJECTED),  # slide-verify's "try once more"
        ("验证未通过", Verdict.REJECTED),  # "not passed" holds "passed"
    ],
)
def test_chinese_widgets_say_how_the_drag_went(text: str, verdict: Verdict) -> None:
    decided = judge(_state(), _state(text), start_x=20.0)
    assert decided is not None and decided[0] is verdict


def test_a_chinese_instruction_is_no_verdict() -> None:
    assert words_of(["拖动滑块完成拼图", "向右滑动填充拼图"]) == frozenset()


def test_a_check_mark_icon_appearing_is_a_success() -> None:
    # slide-verify swaps its handle icon for Font Awesome's check on success
    decided = judge(_state(), _state("fas fa-check"), start_x=20.0)
    assert decided == (Verdict.ACCEPTED, "words on the widget: check")


def test_words_already_there_while_holding_do_not_count() -> None:
    # a widget still showing last attempt's "fail", or a hint that says "complete"
    held = _state("fail try again")
    assert judge(held, _state("fail try again"), start_x=20.0) is None


def test_a_hint_shown_again_after_a_reset_is_not_a_success() -> None:
    held = _state(words="")
    now = _state("Slide to complete the puzzle correctly", handle_x=20.0)
    assert judge(held, now, start_x=20.0) == (Verdict.REJECTED, "the handle went back to the start")


def test_a_closed_captcha_is_accepted_a_new_picture_rejected() -> None:
    held = _state()
    assert judge(held, _state(root_shown=False), start_x=20.0) == (
        Verdict.ACCEPTED,
        "the captcha was hidden",
    )
    assert judge(held, WidgetState.gone(), start_x=20.0) == (
        Verdict.ACCEPTED,
        "the captcha was removed from the page",
    )
    assert judge(held, _state(pictures="2"), start_x=20.0) == (
        Verdict.REJECTED,
        "a new picture was loaded",
    )


def test_a_busy_widget_is_waited_for() -> None:
    assert judge(_state(), _state("Verifying", busy=True, pictures="2"), start_x=20.0) is None
    assert judge(_state(), _state(handle_x=120.0), start_x=20.0) is None  # nothing yet


# -- on a fake widget ---------------------------------------------------------------


def _solve(driver: FakeWidgetDriver, answer_offset: float = 0.0, **options: Any) -> Any:
    locator = FixedLocator(driver.widget.gap_x, answer_offset)
    return SliderSolver(driver, locator, style=STYLE, verify_timeout=1.0, **options).solve(  # type: ignore[arg-type]
        driver.image, driver.handle, attempts=options.pop("attempts", 3)
    )


def test_widget_words_make_the_verdict_and_success() -> None:
    driver = FakeWidgetDriver(gap_x=150.0)
    result = _solve(driver)
    assert driver.widget.verdicts == [True]
    assert result.success and result.verdict == "accepted"
    assert result.verdict_reason == "words on the widget: success, verified"


def test_a_closing_captcha_is_accepted_without_words() -> None:
    driver = FakeWidgetDriver(gap_x=150.0, verdict_words=False, hide_on_success=True)
    result = _solve(driver)
    assert result.success and result.verdict_reason == "the captcha was hidden"


def test_a_rejection_without_words_is_read_from_the_reset_and_retried() -> None:
    # the first answer is 30 px short and the landing check is off: the widget rejects,
    # resets (handle back, new picture) and says nothing; the retry answers right and the
    # captcha closes
    driver = FakeWidgetDriver(gap_x=150.0, verdict_words=False, hide_on_success=True)

    class ShortOnce(FixedLocator):
        calls = 0

        def locate(self, image: Any, width_view: float | None = None) -> Any:
            self.calls += 1
            self.gap_x = driver.widget.gap_x
            self.answer_offset = -30.0 if self.calls == 1 else 0.0
            match = super().locate(image, width_view)
            return match

    sliders = SliderSolver(driver, ShortOnce(150.0), style=STYLE, check_landing=False)  # type: ignore[arg-type]
    result = sliders.solve(driver.image, driver.handle, attempts=3)
    assert driver.widget.verdicts == [False, True]
    assert [a.verdict for a in result.attempts] == ["rejected", "accepted"]
    assert result.attempts[0].verdict_reason in (
        "a new picture was loaded",
        "the handle went back to the start",
    )
    assert result.success


def test_a_widget_that_says_nothing_gives_unknown_never_success() -> None:
    driver = FakeWidgetDriver(gap_x=150.0, verdict_words=False, reset_on_fail=False)
    sliders = SliderSolver(driver, FixedLocator(150.0), style=STYLE, verify_timeout=0.6)  # type: ignore[arg-type]
    result = sliders.solve(driver.image, driver.handle, attempts=3)
    assert driver.widget.verdicts == [True]  # the page did accept: we cannot know it
    assert not result.success
    assert result.verdict is Verdict.UNKNOWN
    assert len(result.attempts) == 1  # not dragged again: it may be solved
    with pytest.raises(Exception, match="no verdict"):
        result.raise_for_failure()


def test_a_success_selector_overrides_the_inference() -> None:
    driver = FakeWidgetDriver(gap_x=150.0)
    sliders = SliderSolver(driver, FixedLocator(150.0), style=STYLE, verify_timeout=0.3)  # type: ignore[arg-type]
    result = sliders.solve(driver.image, driver.handle, success=lambda d: False, attempts=1)
    assert driver.widget.verdicts == [True]
    assert result.verdict == "rejected"
    assert result.verdict_reason == "success= not shown within 0.3 s"
