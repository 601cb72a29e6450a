"""omo-selenium: solve web slider captchas from Selenium in one call."""

from __future__ import annotations

import logging

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

__version__ = "0.1.0"

logging.getLogger("omo_selenium").addHandler(logging.NullHandler())

__all__ = [
    "ApiError",
    "AuthenticationError",
    "CaptureError",
    "ConfigurationError",
    "ImageInput",
    "JobResult",
    "OmoCaptchaError",
    "ProtocolError",
    "SlideError",
    "SliderAnswer",
    "SolveFailed",
    "SolveTimeout",
    "Solver",
    "TransportError",
    "VerificationFailed",
    "__version__",
]
