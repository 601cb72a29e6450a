"""Expected conditions for slider captchas, for Selenium's ``WebDriverWait``.

Like Selenium's own ``expected_conditions``: each factory returns a callable that
takes the driver and returns something truthy (the useful object) or ``False``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Union

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from ..errors import CaptureError
from .capture import Target, resolve_element

__all__ = ["Condition", "as_condition", "captcha_is_ready", "element_is_shown"]

#: A page check: a Target that must become visible, or a ``driver -> truthy`` callable.
Condition = Union[Target, Callable[[WebDriver], Any]]


def element_is_shown(target: Target) -> Callable[[WebDriver], WebElement | bool]:
    """Condition: the element ``target`` names exists and is displayed.

    Returns the element when it is, ``False`` otherwise (also while it is missing).
    """

    def check(driver: WebDriver) -> WebElement | bool:
        try:
            element = resolve_element(driver, target)
            return element if element.is_displayed() else False
        except (CaptureError, StaleElementReferenceException):
            return False

    return check


_READY_JS = """
const el = arguments[0];
for (let n = el; n; n = n.parentElement)
  if (n.getAttribute && n.getAttribute('aria-busy') === 'true') return false;
const imgs = el.tagName === 'IMG' ? [el] : Array.from(el.querySelectorAll('img'));
for (const img of imgs) {
  const cs = getComputedStyle(img);
  if (cs.display === 'none' || cs.visibility === 'hidden') continue;
  if (!img.complete || img.naturalWidth === 0) return false;
}
return true;
"""


def captcha_is_ready(target: Target) -> Callable[[WebDriver], WebElement | bool]:
    """Condition: the captcha picture has loaded.

    Every displayed ``<img>`` in it has its picture, and neither it nor a container says
    ``aria-busy="true"``. Returns the element when ready, ``False`` otherwise.
    """

    def check(driver: WebDriver) -> WebElement | bool:
        try:
            element = resolve_element(driver, target)
            return element if driver.execute_script(_READY_JS, element) else False
        except (CaptureError, StaleElementReferenceException):
            return False

    return check


def as_condition(condition: Condition) -> Callable[[WebDriver], Any]:
    """Turn a Target or a callable into a ``driver -> truthy`` check that never raises.

    WebDriver errors inside a callable count as "not yet".
    """
    if callable(condition) and not isinstance(condition, WebElement):
        func = condition

        def safe(driver: WebDriver) -> Any:
            try:
                return func(driver)
            except (StaleElementReferenceException, WebDriverException, CaptureError):
                return False

        return safe
    return element_is_shown(condition)
