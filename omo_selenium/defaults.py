"""Which solver answers when none is given: the omocaptcha API with a key, else the engine.

It sits above both :mod:`omo_selenium.api` and :mod:`omo_selenium.engine`, so neither
of them names the other.
"""

from __future__ import annotations

import logging

from ._types import Solver
from .api.client import OmoCaptchaClient
from .config import resolve_api_key

__all__ = ["default_solver"]

logger = logging.getLogger("omo_selenium.client")


def default_solver(api_key: str | None = None, base_url: str | None = None) -> Solver:
    """Return the solver to use when the caller did not choose one.

    An :class:`OmoCaptchaClient` when an API key is configured (argument, else
    ``OMOCAPTCHA_API_KEY``); otherwise the offline :class:`~omo_selenium.engine.LocalEngine`
    (``base_url`` is then unused). The choice is logged at INFO, never the key.

    Args:
        api_key: the account token, if any.
        base_url: the service's URL for the client; default from the environment.

    Returns:
        A :class:`~omo_selenium.Solver`.

    Raises:
        ConfigurationError: the key or URL is malformed.
    """
    key = resolve_api_key(api_key)
    if key is not None:
        client = OmoCaptchaClient(key, base_url)
        logger.info("solving with the omocaptcha service at %s", client.base_url)
        return client
    from .engine.local import LocalEngine  # numpy and Pillow: loaded only when used

    logger.info("no omocaptcha API key configured; solving with the offline LocalEngine")
    return LocalEngine()
