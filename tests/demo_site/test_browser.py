"""The demo captcha page in a real headless Chromium: drags by the known answer pass,
wrong drags fail, across the variants a solver must cope with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omo_selenium.demo_site import ChallengeRecord, DemoSite

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.action_builder import ActionBuilder  # noqa: E402
from selenium.webdriver.common.actions.interaction import POINTER_TOUCH  # noqa: E402
from selenium.webdriver.common.actions.pointer_input import PointerInput  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.browser

WAIT = 10.0
TOLERANCE_PX = 4.0


@pytest.fixture
def driver(chrome: WebDriver) -> WebDriver:
    """The session's headless Chromium (tests/conftest.py), on the top-level page."""
    chrome.set_page_load_timeout(WAIT)
    return chrome


@pytest.fixture(scope="module")
def running_site() -> Iterator[DemoSite]:
    with DemoSite(seed=1234) as site:
        yield site


@pytest.fixture
def site(running_site: DemoSite, driver: WebDriver) -> Iterator[DemoSite]:
    running_site.reset()
    yield running_site
    driver.switch_to.default_content()


def open_widget(driver: WebDriver, site: DemoSite, **variant: Any) -> ChallengeRecord:
    """Load the page, enter the iframe if any, wait for the puzzle, scroll it into view."""
    driver.get(site.url_for(**variant))
    if variant.get("iframe"):
        frame = driver.find_element(By.ID, "captcha-frame")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
        driver.switch_to.frame(frame)
    wait_until_ready(driver)
    widget = driver.find_element(By.ID, "captcha")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", widget)
    return site.last_challenge()


def wait_until_ready(driver: WebDriver) -> None:
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "captcha").get_attribute("aria-busy") == "false"
    )


def drag(driver: WebDriver, handle: WebElement, distance: int, *, pause: float = 0.3) -> None:
    """Drag the handle right by ``distance`` CSS px in a few steps, pause, release."""
    chain = ActionChains(driver, duration=40).click_and_hold(handle)
    steps = [distance // 6] * 6
    steps[-1] += distance - sum(steps)
    for i, step in enumerate(steps):
        chain.move_by_offset(step, (-1) ** i)
    if pause:
        chain.pause(pause)
    chain.release().perform()


def result_state(driver: WebDriver, state: str) -> None:
    WebDriverWait(driver, WAIT, poll_frequency=0.05).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f"#captcha-result[data-state={state}]")
    )


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"scale": 1.6},
        {"scale": 0.8, "shape": "circle"},
        {"ratio": "auto"},
        {"ratio": 1.3, "style": "glow"},
        {"ratio": 0.8, "shape": "star"},
        {"iframe": True},
        {"fold": True, "decoys": 2},
        {"delay": 700, "style": "flat"},
        {"sample": 120},
    ],
    ids=lambda v: "&".join(f"{k}={w}" for k, w in v.items()) or "default",
)
def test_drag_by_the_answer_is_verified(
    driver: WebDriver, site: DemoSite, variant: dict[str, Any]
) -> None:
    challenge = open_widget(driver, site, **variant)

    drag(driver, driver.find_element(By.ID, "slider-handle"), round(challenge.handle_css_px))

    record = site.wait_for_verification()
    result_state(driver, "success")
    assert record.challenge_id == challenge.id
    assert record.passed, record
    assert abs(record.error_natural_px) <= TOLERANCE_PX
    assert "Verified" in driver.find_element(By.ID, "captcha-result").text


@pytest.mark.parametrize(
    "variant",
    [{}, {"scale": 1.6}, {"ratio": 1.3}, {"iframe": True}],
    ids=lambda v: "&".join(f"{k}={w}" for k, w in v.items()) or "default",
)
def test_drag_by_a_wrong_amount_fails_and_loads_a_new_puzzle(
    driver: WebDriver, site: DemoSite, variant: dict[str, Any]
) -> None:
    challenge = open_widget(driver, site, **variant)
    target = round(challenge.handle_css_px)
    wrong = target - 25 if target > 60 else target + 25

    drag(driver, driver.find_element(By.ID, "slider-handle"), wrong)

    record = site.wait_for_verification()
    result_state(driver, "fail")
    assert not record.passed
    assert record.reason == "missed"
    assert abs(record.error_css_px / challenge.ratio - (wrong - target)) < 2.5
    fresh = site.wait_for_challenge(count=2)
    assert fresh.id != challenge.id
    wait_until_ready(driver)
    handle = driver.find_element(By.ID, "slider-handle")
    assert handle.get_attribute("style") in ("transform: translateX(0px);", "")


def test_second_try_after_a_failure_passes_on_the_new_puzzle(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site)
    drag(driver, driver.find_element(By.ID, "slider-handle"), round(challenge.handle_css_px) + 30)
    site.wait_for_verification()
    fresh = site.wait_for_challenge(count=2)
    wait_until_ready(driver)

    drag(driver, driver.find_element(By.ID, "slider-handle"), round(fresh.handle_css_px))

    record = site.wait_for_verification(count=2)
    result_state(driver, "success")
    assert record.challenge_id == fresh.id and record.passed


def test_sampling_page_loses_the_last_moves_of_a_drag_released_without_a_pause(
    driver: WebDriver, site: DemoSite
) -> None:
    # The page samples the pointer at 500 ms, 1000 ms, ... after the press. Ten moves of
    # 50 ms bring the handle to at most 60 % by the first sample; the last 40 % arrive
    # later and the release follows at once, long before the next sample.
    challenge = open_widget(driver, site, sample=500)
    distance = round(challenge.handle_css_px)
    first = round(distance * 0.6)
    chain = ActionChains(driver, duration=50)
    chain.click_and_hold(driver.find_element(By.ID, "slider-handle"))
    for i in range(10):
        chain.move_by_offset(first // 10 + (first % 10 if i == 9 else 0), (-1) ** i)
    chain.move_by_offset(distance - first, 0).release().perform()

    record = site.wait_for_verification()
    result_state(driver, "fail")
    assert not record.passed
    assert record.error_css_px / challenge.ratio <= first - distance + 3  # the last 40 % lost


def test_strict_variant_rejects_a_flat_machine_drag(driver: WebDriver, site: DemoSite) -> None:
    challenge = open_widget(driver, site, strict=True)
    handle = driver.find_element(By.ID, "slider-handle")

    ActionChains(driver, duration=0).click_and_hold(handle).move_by_offset(
        round(challenge.handle_css_px), 0
    ).release().perform()

    record = site.wait_for_verification()
    result_state(driver, "fail")
    assert record.reason == "robotic"
    assert abs(record.error_natural_px) <= TOLERANCE_PX


def test_strict_variant_accepts_a_drag_with_a_human_looking_path(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, strict=True)

    drag(driver, driver.find_element(By.ID, "slider-handle"), round(challenge.handle_css_px))

    record = site.wait_for_verification()
    result_state(driver, "success")
    assert record.passed and record.trajectory_points >= 5


def test_delayed_verdict_shows_verifying_until_it_arrives(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, delay=1500)

    drag(driver, driver.find_element(By.ID, "slider-handle"), round(challenge.handle_css_px))

    result_state(driver, "verifying")
    assert site.wait_for_verification().passed
    result_state(driver, "success")


def test_touch_drag_moves_the_piece_too(driver: WebDriver, site: DemoSite) -> None:
    challenge = open_widget(driver, site)
    handle = driver.find_element(By.ID, "slider-handle")
    distance = round(challenge.handle_css_px)
    finger = PointerInput(POINTER_TOUCH, "finger")
    actions = ActionBuilder(driver, mouse=finger, duration=40)
    actions.pointer_action.move_to(handle).pointer_down()
    for _ in range(5):
        actions.pointer_action.move_by(distance // 5, 1)
    actions.pointer_action.move_by(distance - 5 * (distance // 5), 0)
    actions.pointer_action.pause(0.3).pointer_up()
    actions.perform()

    record = site.wait_for_verification()
    result_state(driver, "success")
    assert record.passed, record


def test_refresh_button_loads_another_puzzle(driver: WebDriver, site: DemoSite) -> None:
    first = open_widget(driver, site)
    old_src = driver.find_element(By.ID, "captcha-bg").get_attribute("src")

    driver.find_element(By.ID, "captcha-refresh").click()

    second = site.wait_for_challenge(count=2)
    wait_until_ready(driver)
    assert second.id != first.id
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "captcha-bg").get_attribute("src") != old_src
    )
    assert site.verifications == []


def test_piece_sits_on_the_gap_rows_and_inside_the_picture(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, scale=1.6)

    image = driver.find_element(By.ID, "captcha-image").rect
    piece = driver.find_element(By.ID, "captcha-piece").rect

    assert image["width"] == pytest.approx(340, abs=0.5)
    assert piece["y"] - image["y"] == pytest.approx(challenge.gap_y / challenge.scale, abs=1)
    assert piece["x"] == pytest.approx(image["x"], abs=0.5)
    natural = driver.execute_script("return document.getElementById('captcha-bg').naturalWidth")
    assert natural == round(340 * 1.6)
