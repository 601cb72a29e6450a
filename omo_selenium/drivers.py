"""Chrome/Chromium drivers that can solve slider captchas, and where to find chromedriver.

``omo_selenium.Chrome`` is ``webdriver.Chrome`` with :class:`SliderSolverMixin` and
defaults that work on a headless server; ``omo_selenium.Remote`` is the same for
``webdriver.Remote`` (Selenium Grid).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service as ChromeService

from .errors import ConfigurationError
from .mixin import SliderSolverMixin

__all__ = [
    "CHROMIUM_FLAGS",
    "Chrome",
    "Remote",
    "default_options",
    "find_chrome_binary",
    "find_chromedriver",
]

logger = logging.getLogger("omo_selenium.drivers")

#: Flags every Chromium we start gets: headless, and quiet on a machine with a closed network.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
_SYSTEM_CHROMEDRIVER = "/usr/bin/chromedriver"
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_NO_DRIVER_HELP = (
    "no chromedriver found. Install one (Debian/Ubuntu: `apt-get install chromium "
    "chromium-driver`), or pass driver_path=... or set CHROMEDRIVER=/path/to/chromedriver"
)


def find_chromedriver(driver_path: str | os.PathLike[str] | None = None) -> str:
    """Return the path of a chromedriver executable.

    Looks, in order, at ``driver_path``, ``$CHROMEDRIVER``, ``PATH`` and
    ``/usr/bin/chromedriver``; only then asks webdriver-manager to download one.

    Raises:
        ConfigurationError: none was found and the download failed (e.g. no network),
            with a message naming the fix.
    """
    for origin, candidate in (
        ("driver_path", driver_path),
        ("CHROMEDRIVER", os.environ.get("CHROMEDRIVER")),
    ):
        if candidate:
            path = Path(candidate)
            if not (path.is_file() and os.access(path, os.X_OK)):
                raise ConfigurationError(f"{origin} points to {str(path)!r}, not an executable")
            return str(path)
    found = shutil.which("chromedriver") or (
        _SYSTEM_CHROMEDRIVER if os.access(_SYSTEM_CHROMEDRIVER, os.X_OK) else None
    )
    if found:
        return found
    logger.info("no local chromedriver; trying webdriver-manager (needs network)")
    try:
        from webdriver_manager.chrome import ChromeDriverManager

        return str(ChromeDriverManager().install())
    except Exception as exc:  # webdriver-manager raises many unrelated types
        raise ConfigurationError(f"{_NO_DRIVER_HELP} (download failed: {exc})") from exc


def find_chrome_binary(binary: str | os.PathLike[str] | None = None) -> str | None:
    """Return the Chrome/Chromium binary to use, or ``None`` to let chromedriver decide.

    Looks at ``binary``, ``$CHROME_BINARY``, then the usual names on ``PATH``.
    """
    if binary:
        return str(binary)
    if os.environ.get("CHROME_BINARY"):
        return os.environ["CHROME_BINARY"]
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def default_options(
    *,
    headless: bool = True,
    device_scale_factor: float | None = None,
    window_size: tuple[int, int] = (1280, 900),
    user_data_dir: str | None = None,
    binary: str | None = None,
    extra_args: Sequence[str] = (),
) -> ChromeOptions:
    """Chrome options for unattended use.

    Args:
        headless: run without a window (``--headless=new``).
        device_scale_factor: force ``window.devicePixelRatio`` (e.g. 1.5 or 2).
        window_size: CSS size of the window.
        user_data_dir: profile folder; pass a fresh one per browser.
        binary: the browser executable on the machine that runs it (see
            :func:`find_chrome_binary`); ``None`` lets chromedriver choose.
        extra_args: more command-line switches.
    """
    options = ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        if flag != "--headless=new" or headless:
            options.add_argument(flag)
    options.add_argument(f"--window-size={window_size[0]},{window_size[1]}")
    if device_scale_factor is not None:
        if not device_scale_factor > 0:
            raise ConfigurationError("device_scale_factor must be positive")
        options.add_argument(f"--force-device-scale-factor={device_scale_factor:g}")
    if user_data_dir:
        options.add_argument(f"--user-data-dir={user_data_dir}")
    for arg in extra_args:
        options.add_argument(arg)
    if binary:
        options.binary_location = binary
    return options


class Chrome(SliderSolverMixin, webdriver.Chrome):
    """``webdriver.Chrome`` that solves slider captchas (``driver.solve_slider(...)``).

    With no ``options`` it starts a headless Chromium with :data:`CHROMIUM_FLAGS` and a
    fresh profile folder, removed again by :meth:`quit`. With no ``service`` it finds
    chromedriver with :func:`find_chromedriver`.

    Example:
        >>> with omo_selenium.Chrome() as driver:  # doctest: +SKIP
        ...     driver.get(url)
        ...     driver.solve_slider(image="#captcha-image", handle="#slider-handle")
    """

    def __init__(
        self,
        options: ChromeOptions | None = None,
        service: ChromeService | None = None,
        *,
        headless: bool = True,
        device_scale_factor: float | None = None,
        driver_path: str | None = None,
        **solver_defaults: Any,
    ) -> None:
        self._profile_dir: str | None = None
        if options is None:
            self._profile_dir = tempfile.mkdtemp(prefix="omo-chrome-")
            options = default_options(
                headless=headless,
                device_scale_factor=device_scale_factor,
                user_data_dir=self._profile_dir,
                binary=find_chrome_binary(),
            )
        if service is None:
            service = ChromeService(executable_path=find_chromedriver(driver_path))
        self._solver_defaults = solver_defaults
        try:
            super().__init__(options=options, service=service)
        except WebDriverException as exc:
            self._remove_profile()
            raise ConfigurationError(
                f"could not start Chrome: {exc.msg or exc}. Is chromium installed "
                "(`apt-get install chromium chromium-driver`), and do the browser and "
                "chromedriver versions match?"
            ) from exc
        except BaseException:
            self._remove_profile()
            raise

    def quit(self) -> None:
        """Quit the browser and remove the temporary profile folder."""
        try:
            super().quit()
        finally:
            self._remove_profile()

    def _remove_profile(self) -> None:
        if self._profile_dir:
            shutil.rmtree(self._profile_dir, ignore_errors=True)
            self._profile_dir = None


class Remote(SliderSolverMixin, webdriver.Remote):
    """``webdriver.Remote`` (e.g. Selenium Grid) that solves slider captchas.

    Example:
        >>> driver = omo_selenium.Remote(  # doctest: +SKIP
        ...     command_executor="http://grid:4444", options=default_options()
        ... )
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._solver_defaults = {}
        super().__init__(*args, **kwargs)
