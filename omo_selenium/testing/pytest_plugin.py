"""pytest plugin: fixtures for regression tests of pages that carry a slider captcha.

Active once ``omo-selenium`` is installed (``pytest11`` entry point). Fixtures:

- ``omo_driver``: a browser, shared by the whole session and reset for every test
  (headless Chromium from :class:`omo_selenium.Chrome`, or ``webdriver.Remote`` on the
  Grid given by ``--omo-grid URL``; ``--omo-grid local`` starts a local Grid).
- ``slider_solver``: a :class:`~omo_selenium.SliderSolver` on ``omo_driver``.
- ``omo_solver``: the solver behind it (override it in your ``conftest.py``).
- ``demo_site``: the bundled demo captcha site (one server per session, records reset
  for every test), with ``url_for(**variant)`` and the server's verdicts.
- ``omo_server`` / ``omo_api_token`` / ``omo_client``: the local omocaptcha-compatible
  server, its token and a client for it, to exercise the HTTP path.

Options: ``--omo-grid URL``, ``--omo-dpr X``, ``--omo-headed``, ``--omo-debug-dir PATH``.
Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

    from .._types import Solver
    from ..api.client import OmoCaptchaClient
    from ..api.server import OmoServer
    from ..demo_site import DemoSite
    from ..solver import SliderSolver


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("omo-selenium", "slider captcha solving (omo-selenium)")
    group.addoption(
        "--omo-grid",
        metavar="URL",
        default=None,
        help="run omo_driver on this Selenium Grid ('local' starts one from .grid/)",
    )
    group.addoption(
        "--omo-dpr", type=float, default=None, metavar="X", help="device pixel ratio (e.g. 2)"
    )
    group.addoption("--omo-headed", action="store_true", help="show the browser window")
    group.addoption(
        "--omo-debug-dir",
        metavar="PATH",
        default=None,
        help="save every solve's pictures, drag path and timings here (index.html per solve)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "omo_browser: the test drives a real browser")


def _option(config: pytest.Config, name: str) -> Any:
    return config.getoption(name, default=None)


@pytest.fixture(scope="session")
def _omo_grid_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    url = _option(request.config, "--omo-grid")
    if url != "local":
        yield url
        return
    from .grid import LocalGrid

    with LocalGrid() as grid:
        yield grid.url


@pytest.fixture(scope="session")
def _omo_session_driver(
    request: pytest.FixtureRequest, _omo_grid_url: str | None
) -> Iterator[WebDriver]:
    from ..drivers import Chrome, Remote, default_options

    headless = not _option(request.config, "--omo-headed")
    dpr = _option(request.config, "--omo-dpr")
    driver: WebDriver
    if _omo_grid_url:
        options = default_options(headless=headless, device_scale_factor=dpr)
        driver = Remote(command_executor=_omo_grid_url, options=options)
    else:
        driver = Chrome(headless=headless, device_scale_factor=dpr)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def omo_driver(_omo_session_driver: WebDriver) -> WebDriver:
    """The session's browser, reset for this test (blank page, top frame, no cookies)."""
    driver = _omo_session_driver
    driver.switch_to.default_content()
    driver.get("about:blank")
    driver.delete_all_cookies()
    return driver


@pytest.fixture
def omo_solver() -> Solver:
    """The solver ``slider_solver`` uses: the API if ``OMOCAPTCHA_API_KEY`` is set, else the
    local engine. Override this fixture to choose another."""
    from ..defaults import default_solver

    return default_solver()


@pytest.fixture
def slider_solver(
    request: pytest.FixtureRequest, omo_driver: WebDriver, omo_solver: Solver
) -> SliderSolver:
    """A :class:`~omo_selenium.SliderSolver` on ``omo_driver``, saving debug files to
    ``--omo-debug-dir/<test name>`` when that option is given."""
    from ..solver import SliderSolver

    debug_root = _option(request.config, "--omo-debug-dir")
    debug_dir = None
    if debug_root:
        debug_dir = Path(debug_root) / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return SliderSolver(omo_driver, omo_solver, debug_dir=debug_dir)


@pytest.fixture(scope="session")
def _omo_demo_site() -> Iterator[DemoSite]:
    from ..demo_site import DemoSite

    with DemoSite() as site:
        yield site


@pytest.fixture
def demo_site(_omo_demo_site: DemoSite) -> DemoSite:
    """The demo captcha site on 127.0.0.1 (OS-picked port), its records reset for this test.

    ``demo_site.url_for(scale=1.6, iframe=1)`` gives a variant's URL;
    ``demo_site.verifications`` holds the server's verdicts with the landing error.
    """
    _omo_demo_site.reset()
    return _omo_demo_site


@pytest.fixture(scope="session")
def _omo_server_and_token() -> Iterator[tuple[OmoServer, str]]:
    from ..api.server import OmoServer

    token = secrets.token_urlsafe(16)
    with OmoServer(tokens=[token]) as server:
        yield server, token


@pytest.fixture
def omo_server(_omo_server_and_token: tuple[OmoServer, str]) -> OmoServer:
    """The local omocaptcha-compatible server (LocalEngine behind it), one per session.

    It accepts only ``omo_api_token``; ``omo_client`` is already set up with it.
    """
    return _omo_server_and_token[0]


@pytest.fixture
def omo_api_token(_omo_server_and_token: tuple[OmoServer, str]) -> str:
    """The API token ``omo_server`` accepts (random per session)."""
    return _omo_server_and_token[1]


@pytest.fixture
def omo_client(_omo_server_and_token: tuple[OmoServer, str]) -> Iterator[OmoCaptchaClient]:
    """An :class:`~omo_selenium.OmoCaptchaClient` talking to ``omo_server`` over HTTP."""
    from ..api.client import OmoCaptchaClient

    server, token = _omo_server_and_token
    with OmoCaptchaClient(token, server.url, poll_interval=0.2, max_wait=30) as client:
        yield client
