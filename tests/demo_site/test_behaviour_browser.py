"""The behaviour variants in a real headless Chromium, driven with plain ActionChains:
each page does what its variant says (hover wait, jump on press, verdict as a class, a
late verdict, a reset after failure, a piece outside the picture), and the server's
records say what really happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omo_selenium.demo_site import ChallengeRecord, DemoSite

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.demo_site.conftest import BEHAVIOURS  # noqa: E402
from tests.demo_site.test_browser import open_widget, wait_until_ready  # noqa: E402

pytestmark = pytest.mark.browser

WAIT = 10.0
HANDLE = 44

# Records, in the page, the widget's verdict states and classes and when they change, so a
# test can tell what the page showed and in which order without timing it from outside.
WATCH = """
const root = document.getElementById('captcha');
window.__seen = [];
window.__t0 = null;
window.addEventListener('pointerup', () => { window.__t0 = performance.now(); }, true);
const note = () => {
  const result = document.getElementById('captcha-result');
  window.__seen.push({
    t: performance.now(),
    cls: root.className,
    state: result ? result.dataset.state : null,
    busy: root.getAttribute('aria-busy'),
  });
};
new MutationObserver(note).observe(root, {attributes: true, subtree: true, characterData: true});
"""


@pytest.fixture
def driver(chrome_factory: Callable[..., WebDriver]) -> WebDriver:
    """The session's headless Chromium at DPR 1, on the top-level page."""
    browser = chrome_factory(1.0)
    browser.set_page_load_timeout(WAIT)
    return browser


@pytest.fixture
def site(demo_site: DemoSite, driver: WebDriver) -> DemoSite:
    yield demo_site
    driver.switch_to.default_content()


def config(driver: WebDriver) -> dict[str, Any]:
    value: dict[str, Any] = driver.execute_script(
        "return JSON.parse(document.getElementById('captcha-config').textContent)"
    )
    return value


def handle_left(driver: WebDriver) -> float:
    """The handle's left edge relative to the track, CSS px."""
    value: float = driver.execute_script(
        "return document.getElementById('slider-handle').getBoundingClientRect().left"
        " - document.getElementById('slider-track').getBoundingClientRect().left"
    )
    return value


def press_and_move(
    driver: WebDriver, distance: int, *, rest: float = 0.0, grab: float = HANDLE / 2
) -> ActionChains:
    """Move onto the handle (``grab`` px from its left edge), rest, press, move right by
    ``distance`` in six wavy steps. Returns the chain; the caller adds the release."""
    handle = driver.find_element(By.ID, "slider-handle")
    chain = ActionChains(driver, duration=40)
    chain.move_to_element_with_offset(handle, round(grab - HANDLE / 2), 0)
    if rest:
        chain.pause(rest)
    chain.click_and_hold()
    steps = [distance // 6] * 6
    steps[-1] += distance - sum(steps)
    for i, step in enumerate(steps):
        chain.move_by_offset(step, (-1) ** i)
    return chain


def drag(driver: WebDriver, distance: int, **options: Any) -> None:
    press_and_move(driver, distance, **options).pause(0.3).release().perform()


def grab_for_jump(driver: WebDriver, distance: int) -> tuple[float, int]:
    """Where to press on a jump=1 handle, and the drag distance that still lands right.

    Pressing ``g`` px into the handle moves it right by ``g - jump_px`` at the press; at
    ``jump_px`` it stays put, but with ``jump_px`` 0 that is the handle's very edge, which
    the pointer does not hit: press at least 2 px in and drag less by what the press moved.
    """
    jump_px = config(driver)["jump_px"]
    grab = max(jump_px, 2)
    return grab, distance - round(grab - jump_px)


def rest_for(driver: WebDriver) -> float:
    """Seconds to rest on the handle before pressing: the page's hover wait and a margin."""
    return (config(driver).get("hover_ms", 0) + 300) / 1000


def wrong_by(challenge: ChallengeRecord, css_px: int = 25) -> int:
    target = round(challenge.handle_css_px)
    return target - css_px if target > 60 else target + css_px


def seen(driver: WebDriver) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = driver.execute_script("return window.__seen")
    return value


# -- hover=1 ------------------------------------------------------------------------------


def test_hover_press_without_resting_moves_nothing_and_sends_nothing(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, hover=True)

    press_and_move(driver, round(challenge.handle_css_px)).perform()
    moved = handle_left(driver)
    ActionChains(driver).release().perform()
    # then a proper drag: the page's first verification is this one, so the press above
    # posted nothing
    ActionChains(driver).move_by_offset(0, 60).perform()
    drag(driver, round(challenge.handle_css_px), rest=rest_for(driver))

    assert moved == 0
    assert site.wait_for_verification().passed
    assert len(site.verifications) == 1


def test_hover_press_after_resting_on_the_handle_drags_it(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, hover=True)
    distance = round(challenge.handle_css_px)

    press_and_move(driver, distance, rest=rest_for(driver)).perform()
    moved = handle_left(driver)
    ready = driver.find_element(By.ID, "slider-handle").get_attribute("class")
    ActionChains(driver).pause(0.3).release().perform()

    assert moved == pytest.approx(distance, abs=1)
    assert "is-ready" in (ready or "")
    record = site.wait_for_verification()
    assert record.passed, record


# -- jump=1 -------------------------------------------------------------------------------


def test_jump_press_sets_the_handles_left_edge_at_the_pointer(
    driver: WebDriver, site: DemoSite
) -> None:
    open_widget(driver, site, jump=True)
    jump_px = config(driver)["jump_px"]

    press_and_move(driver, 0, grab=30).perform()  # 30 px into the handle, no move
    jumped = handle_left(driver)
    ActionChains(driver).release().perform()

    assert jumped == pytest.approx(30 - jump_px, abs=1)


def test_jump_drag_grabbed_at_the_pointers_landing_spot_is_verified(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, jump=True)
    grab, distance = grab_for_jump(driver, round(challenge.handle_css_px))

    drag(driver, distance, grab=grab)

    record = site.wait_for_verification()
    assert record.passed, record


def test_jump_drag_grabbed_at_the_centre_lands_off_by_the_jump(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, jump=True, ratio=1)
    jump = HANDLE / 2 - config(driver)["jump_px"]
    # the piece stops at the picture's right edge: a gap near it leaves less room to
    # overshoot than the jump (at scale 1, natural px are CSS px)
    assert challenge.scale == 1.0
    end = config(driver)["display_width"] - challenge.piece_width
    overshoot = min(challenge.gap_x + jump, end) - challenge.gap_x

    drag(driver, round(challenge.handle_css_px))

    record = site.wait_for_verification()
    assert record.error_css_px == pytest.approx(overshoot, abs=1.5)
    assert record.passed is (abs(record.error_natural_px) <= 4)


# -- verdict=class ------------------------------------------------------------------------


def test_class_verdict_is_only_a_class_on_the_container(driver: WebDriver, site: DemoSite) -> None:
    challenge = open_widget(driver, site, verdict="class")
    accepted, rejected = config(driver)["verdict_classes"]
    root = driver.find_element(By.ID, "captcha")
    text_before = root.text

    drag(driver, round(challenge.handle_css_px))

    assert site.wait_for_verification().passed
    WebDriverWait(driver, WAIT).until(lambda d: accepted in (root.get_attribute("class") or ""))
    assert driver.find_elements(By.ID, "captcha-result") == []
    assert root.get_attribute("data-state") is None
    assert set(root.text.splitlines()) <= set(text_before.splitlines())  # no words appeared
    assert rejected not in (root.get_attribute("class") or "")
    assert driver.find_elements(By.CSS_SELECTOR, f"#captcha .{accepted}") == []


def test_class_verdict_marks_a_miss_with_the_rejected_class(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, verdict="class")
    accepted, rejected = config(driver)["verdict_classes"]
    root = driver.find_element(By.ID, "captcha")

    drag(driver, wrong_by(challenge))

    assert not site.wait_for_verification().passed
    WebDriverWait(driver, WAIT).until(lambda d: rejected in (root.get_attribute("class") or ""))
    assert accepted not in (root.get_attribute("class") or "")


# -- late=1 -------------------------------------------------------------------------------


def test_late_verdict_appears_only_after_its_delay_with_nothing_before(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, late=True)
    late_ms = config(driver)["late_ms"]
    driver.execute_script(WATCH)

    drag(driver, round(challenge.handle_css_px))

    assert site.wait_for_verification().passed
    result = driver.find_element(By.ID, "captcha-result")
    WebDriverWait(driver, WAIT).until(lambda d: result.get_attribute("data-state") == "success")
    released = driver.execute_script("return window.__t0")
    states = seen(driver)
    shown = next(s["t"] for s in states if s["state"] == "success")
    assert shown - released >= late_ms - 20  # in-page clock; setTimeout never fires early
    assert all(s["state"] in ("idle", "success") for s in states)  # no "verifying"
    assert all(s["busy"] == "false" for s in states)


# -- reset=1 ------------------------------------------------------------------------------


def test_reset_after_a_miss_slides_back_clears_the_verdict_and_shows_a_new_picture(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, reset=True)
    old_src = driver.find_element(By.ID, "captcha-bg").get_attribute("src")
    driver.execute_script(WATCH)

    drag(driver, wrong_by(challenge))

    record = site.wait_for_verification()
    fresh = site.wait_for_challenge(count=2)
    wait_until_ready(driver)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "captcha-bg").get_attribute("src") != old_src
    )
    states = [s["state"] for s in seen(driver)]
    assert not record.passed and fresh.id != challenge.id
    assert "fail" in states and states[-1] == "idle"
    assert states.index("fail") < len(states) - 1 - states[::-1].index("idle")
    assert handle_left(driver) == 0
    assert "is-returning" in " ".join(s["cls"] for s in seen(driver))  # slid, not jumped


def test_reset_page_passes_on_the_new_picture(driver: WebDriver, site: DemoSite) -> None:
    challenge = open_widget(driver, site, reset=True, verdict="class")
    accepted, _ = config(driver)["verdict_classes"]
    drag(driver, wrong_by(challenge))
    fresh = site.wait_for_challenge(count=2)
    wait_until_ready(driver)

    drag(driver, round(fresh.handle_css_px))

    assert site.wait_for_verification(count=2).passed
    root = driver.find_element(By.ID, "captcha")
    WebDriverWait(driver, WAIT).until(lambda d: accepted in (root.get_attribute("class") or ""))


# -- outside=1 ----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 1.6])
def test_outside_piece_is_its_own_element_starting_left_of_the_picture(
    driver: WebDriver, site: DemoSite, scale: float
) -> None:
    challenge = open_widget(driver, site, outside=True, scale=scale)
    element = config(driver)["piece_element"]
    piece = driver.find_element(By.ID, "captcha-piece")
    image = driver.find_element(By.ID, "captcha-image")

    assert piece.tag_name == element
    assert driver.find_elements(By.CSS_SELECTOR, "#captcha-image #captcha-piece") == []
    offset = piece.rect["x"] - image.rect["x"]
    assert offset == pytest.approx(challenge.start_x / challenge.scale, abs=0.6)
    assert offset < -5 and piece.rect["x"] + piece.rect["width"] > image.rect["x"]
    assert piece.rect["y"] - image.rect["y"] == pytest.approx(
        challenge.gap_y / challenge.scale, abs=1
    )


def test_outside_piece_dragged_by_the_answer_is_verified(driver: WebDriver, site: DemoSite) -> None:
    challenge = open_widget(driver, site, outside=True, ratio="auto")

    drag(driver, round(challenge.handle_css_px))

    record = site.wait_for_verification()
    assert record.passed, record
    assert record.x == pytest.approx(challenge.piece_x_at(round(challenge.handle_css_px)), abs=0.6)


# -- tolerance=2, and everything at once -------------------------------------------------


def test_tight_tolerance_page_rejects_a_drag_three_px_off(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, tolerance=2, ratio=1)

    drag(driver, round(challenge.handle_css_px) + 3)

    record = site.wait_for_verification()
    assert not record.passed and record.reason == "missed"
    assert 2 < record.error_natural_px <= 4


def test_every_behaviour_at_once_still_takes_a_careful_drag(
    driver: WebDriver, site: DemoSite
) -> None:
    challenge = open_widget(driver, site, **BEHAVIOURS, scale=1.6)
    page = config(driver)

    grab, distance = grab_for_jump(driver, round(challenge.handle_css_px))
    drag(driver, distance, rest=rest_for(driver), grab=grab)

    record = site.wait_for_verification()
    assert record.passed, record
    root = driver.find_element(By.ID, "captcha")
    WebDriverWait(driver, WAIT).until(
        lambda d: page["verdict_classes"][0] in (root.get_attribute("class") or "")
    )
