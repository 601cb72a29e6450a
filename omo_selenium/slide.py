"""Old import path, kept for users' code: see :mod:`omo_selenium.browser.slide`."""

from __future__ import annotations

from .browser.slide import *  # noqa: F403
from .browser.slide import __all__ as __all__
