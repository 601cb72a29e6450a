"""Shared fixtures: real headless Chromium browsers, one per device pixel ratio."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

from omo_selenium.drivers import Chrome


def _browser_missing() -> str | None:
    if not (shutil.which("chromedriver") or os.path.exists("/usr/bin/chromedriver")):
        return "chromedriver not installed (apt-get install chromium chromium-driver)"
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        return "chromium not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def chrome_factory() -> Iterator[Callable[..., Chrome]]:
    """Start headless Chromium browsers on demand; one per device scale factor, reused.

    Browser tests skip when Chromium is missing, except in CI (``CI=true``), where a
    missing browser is an install bug and fails.
    """
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    browsers: dict[float, Chrome] = {}

    def get(device_scale_factor: float = 1.0) -> Chrome:
        if device_scale_factor not in browsers:
            browsers[device_scale_factor] = Chrome(device_scale_factor=device_scale_factor)
        driver = browsers[device_scale_factor]
        driver.switch_to.default_content()
        return driver

    yield get
    for driver in browsers.values():
        driver.quit()


@pytest.fixture
def chrome(chrome_factory: Callable[..., Chrome]) -> Chrome:
    """A headless Chromium at device pixel ratio 1."""
    return chrome_factory(1.0)
