"""omo-selenium: solve web slider captchas from Selenium in one call.

Example:
    >>> from omo_selenium import SliderSolver  # doctest: +SKIP
    >>> SliderSolver(driver).solve(image="#captcha-image", handle="#slider-handle")

Names are imported on first use, so ``import omo_selenium`` (and the pytest plugin that
every pytest run on this machine loads) stays cheap.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._types import (
    Balance,
    GapMatch,
    ImageInput,
    JobResult,
    Locator,
    PieceImage,
    PieceSolver,
    SliderAnswer,
    Solver,
)
from .errors import (
    ApiError,
    AuthenticationError,
    BrowserLost,
    CaptureError,
    ConfigurationError,
    OmoCaptchaError,
    ProtocolError,
    SlideError,
    SolveFailed,
    SolveTimeout,
    TransportError,
    VerificationFailed,
)

if TYPE_CHECKING:
    from .api.client import OmoCaptchaClient
    from .api.server import OmoServer
    from .browser.capture import Captured, capture_element
    from .browser.slide import SlideStyle, plan_path
    from .debug.recorder import DebugRecorder
    from .defaults import default_solver
    from .drivers import Chrome, Remote, default_options, find_chromedriver
    from .engine.local import LocalEngine
    from .mixin import SliderSolverMixin
    from .records import AttemptRecord, SolveResult, Verdict
    from .solver import SliderSolver
    from .testing.grid import LocalGrid

__version__ = "0.1.0"

logging.getLogger("omo_selenium").addHandler(logging.NullHandler())

_LAZY = {
    "AttemptRecord": "records",
    "Captured": "browser.capture",
    "Chrome": "drivers",
    "DebugRecorder": "debug.recorder",
    "LocalEngine": "engine.local",
    "LocalGrid": "testing.grid",
    "OmoCaptchaClient": "api.client",
    "OmoServer": "api.server",
    "Remote": "drivers",
    "SlideStyle": "browser.slide",
    "SliderSolver": "solver",
    "SliderSolverMixin": "mixin",
    "SolveResult": "records",
    "Verdict": "records",
    "capture_element": "browser.capture",
    "default_options": "drivers",
    "default_solver": "defaults",
    "find_chromedriver": "drivers",
    "plan_path": "browser.slide",
}

__all__ = [
    "ApiError",
    "AttemptRecord",
    "AuthenticationError",
    "Balance",
    "BrowserLost",
    "CaptureError",
    "Captured",
    "Chrome",
    "ConfigurationError",
    "DebugRecorder",
    "GapMatch",
    "ImageInput",
    "JobResult",
    "LocalEngine",
    "LocalGrid",
    "Locator",
    "OmoCaptchaClient",
    "OmoCaptchaError",
    "OmoServer",
    "PieceImage",
    "PieceSolver",
    "ProtocolError",
    "Remote",
    "SlideError",
    "SlideStyle",
    "SliderAnswer",
    "SliderSolver",
    "SliderSolverMixin",
    "SolveFailed",
    "SolveResult",
    "SolveTimeout",
    "Solver",
    "TransportError",
    "Verdict",
    "VerificationFailed",
    "__version__",
    "capture_element",
    "default_options",
    "default_solver",
    "find_chromedriver",
    "plan_path",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'omo_selenium' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
