"""Old import path, kept for users' code: see :mod:`omo_selenium.api.client`."""

from __future__ import annotations

from .api.client import *  # noqa: F403
from .api.client import __all__ as _moved
from .defaults import default_solver as default_solver

__all__ = [*_moved, "default_solver"]
