"""Old import path, kept for users' code: see :mod:`omo_selenium.api.server`."""

from __future__ import annotations

from .api.server import *  # noqa: F403
from .api.server import __all__ as __all__
