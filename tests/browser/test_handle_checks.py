"""In Chromium: an overlay over the handle is named, a bad selector is a usage error."""

from __future__ import annotations

import urllib.parse

import pytest
from selenium.common.exceptions import InvalidSelectorException
from selenium.webdriver.remote.webdriver import WebDriver

from omo_selenium import ConfigurationError, SlideError, SliderSolver

from .test_verdict_pages import PAGE, Fixed

pytestmark = pytest.mark.browser


def _open(driver: WebDriver) -> None:
    driver.get("data:text/html," + urllib.parse.quote(PAGE))
    driver.execute_script("window.ANSWER = (root) => root.remove();")


def test_a_banner_over_the_handle_is_named_and_nothing_is_pressed(chrome: WebDriver) -> None:
    _open(chrome)
    chrome.execute_script(
        "const b = document.createElement('div'); b.id = 'cookie-banner';"
        "b.className = 'consent modal';"
        "b.style = 'position:fixed;left:0;top:150px;width:100%;height:120px;z-index:9;"
        "background:rgba(0,0,0,.6)';"
        "document.body.appendChild(b);"
    )
    sliders = SliderSolver(chrome, Fixed(), check_landing=False, verify_timeout=0.5)  # type: ignore[arg-type]
    result = sliders.solve("#img", "#handle", attempts=1)
    assert not result.success
    assert isinstance(result.attempts[0].exception, SlideError)
    assert "(div#cookie-banner.consent.modal) covers the slider handle" in (result.error or "")
    assert chrome.execute_script("return document.getElementById('w') !== null")


def test_a_malformed_selector_is_a_configuration_error(chrome: WebDriver) -> None:
    _open(chrome)
    sliders = SliderSolver(chrome, Fixed(), element_timeout=0.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="invalid selector") as caught:
        sliders.solve("#img[", "#handle")
    assert isinstance(caught.value.__cause__, InvalidSelectorException)
