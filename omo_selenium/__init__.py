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

from ._types import ImageInput, JobResult, SliderAnswer, Solver
from .errors import (
    ApiError,
    AuthenticationError,
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
    from ._types import AttemptRecord, SolveResult
    from .capture import Captured, capture_element
    from .client import OmoCaptchaClient, default_solver
    from .debug import DebugRecorder
    from .drivers import Chrome, Remote, default_options, find_chromedriver
    from .engine import GapMatch, LocalEngine
    from .grid import LocalGrid
    from .mixin import SliderSolverMixin
    from .server import OmoServer
    from .slide import SlideStyle, plan_path
    from .solver import SliderSolver

__version__ = "0.1.0"

logging.getLogger("omo_selenium").addHandler(logging.NullHandler())

_LAZY = {
    "AttemptRecord": "_types",
    "Captured": "capture",
    "Chrome": "drivers",
    "DebugRecorder": "debug",
    "GapMatch": "engine",
    "LocalEngine": "engine",
    "LocalGrid": "grid",
    "OmoCaptchaClient": "client",
    "OmoServer": "server",
    "Remote": "drivers",
    "SlideStyle": "slide",
    "SliderSolver": "solver",
    "SliderSolverMixin": "mixin",
    "SolveResult": "_types",
    "capture_element": "capture",
    "default_options": "drivers",
    "default_solver": "client",
    "find_chromedriver": "drivers",
    "plan_path": "slide",
}

__all__ = [
    "ApiError",
    "AttemptRecord",
    "AuthenticationError",
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
    "OmoCaptchaClient",
    "OmoCaptchaError",
    "OmoServer",
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
