"""Selenium's errors translated into the package's tree, once, where they enter.

A bad selector is a usage mistake (:class:`~omo_selenium.ConfigurationError`); a tab
that crashed or a session that is gone is :class:`~omo_selenium.BrowserLost` (no retry
on this driver can help); anything else becomes the error of the step that failed
(capture, slide). The WebDriver error is always kept as ``__cause__``.
"""

from __future__ import annotations

from selenium.common.exceptions import (
    InvalidSelectorException,
    InvalidSessionIdException,
    NoSuchWindowException,
    WebDriverException,
)

from ..errors import BrowserLost, ConfigurationError, OmoCaptchaError

__all__ = ["browser_is_lost", "translate_webdriver_error"]

#: Words in a WebDriver message that say the browser, its tab or the session is gone.
LOST_MARKERS = (
    "tab crashed",
    "invalid session id",
    "session deleted",
    "chrome not reachable",
    "disconnected: not connected to devtools",
    "target window already closed",
    "no such window",
    "connection refused",
)


def _message(exc: WebDriverException) -> str:
    """The first line of the WebDriver message (Selenium appends a long stack trace)."""
    text = (exc.msg or str(exc) or type(exc).__name__).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def browser_is_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the browser, its tab or the WebDriver session is gone."""
    if isinstance(exc, (InvalidSessionIdException, NoSuchWindowException)):
        return True
    if not isinstance(exc, WebDriverException):
        return False
    text = (exc.msg or str(exc)).lower()
    return any(marker in text for marker in LOST_MARKERS)


def translate_webdriver_error(
    exc: WebDriverException, fallback: type[OmoCaptchaError], doing: str
) -> OmoCaptchaError:
    """The package's error for a WebDriver error met while ``doing`` something.

    Args:
        exc: what Selenium raised.
        fallback: the step's own error class (``CaptureError``, ``SlideError``, ...).
        doing: what was being done, for the message ("capture the captcha").

    Returns:
        :class:`BrowserLost`, :class:`ConfigurationError` (bad selector) or
        ``fallback``; raise it ``from exc``.
    """
    message = _message(exc)
    if browser_is_lost(exc):
        return BrowserLost(f"the browser was lost while trying to {doing}: {message}")
    if isinstance(exc, InvalidSelectorException):
        return ConfigurationError(f"invalid selector ({doing}): {message}")
    return fallback(f"could not {doing}: {message}")
