"""Old import path, kept for users' code: see :mod:`omo_selenium.browser.capture`."""

from __future__ import annotations

from .browser.capture import *  # noqa: F403
from .browser.capture import __all__ as __all__
