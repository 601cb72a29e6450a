"""The package's one exception tree.

::

    OmoCaptchaError                           root; optional .job_id (or task id), never the token
    ├── ConfigurationError (also ValueError)  bad or missing token, URL, argument
    ├── CaptureError                          element missing, hidden, zero-size, off-screen
    ├── TransportError                        connection failure, HTTP 5xx, body that is not JSON
    ├── ApiError                              error=true, or a response shape we do not know
    │   ├── AuthenticationError               the service rejected the token
    │   └── ProtocolError                     a response we cannot read (shape, result value)
    ├── SolveFailed                           job status "fail", or the engine found no gap
    ├── SolveTimeout (also TimeoutError)      no answer before the deadline
    ├── SlideError                            the drag could not be performed
    ├── BrowserLost                           the tab crashed or the session is gone
    └── VerificationFailed                    we dragged, but the captcha was not accepted

Catch :class:`OmoCaptchaError` to handle anything this package raises on purpose.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BrowserLost",
    "CaptureError",
    "ConfigurationError",
    "OmoCaptchaError",
    "ProtocolError",
    "SlideError",
    "SolveFailed",
    "SolveTimeout",
    "TransportError",
    "VerificationFailed",
]


class OmoCaptchaError(Exception):
    """Root of every error this package raises on purpose.

    Attributes:
        job_id: the omocaptcha job the error belongs to, when there is one: an int for the
            job API, the task id (a string) for the task API.
    """

    def __init__(self, message: str, *, job_id: int | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.job_id = job_id

    def __str__(self) -> str:
        if self.job_id is None:
            return self.message
        kind = "task" if isinstance(self.job_id, str) else "job"
        return f"{self.message} ({kind} {self.job_id})"


class ConfigurationError(OmoCaptchaError, ValueError):
    """A usage mistake: a missing or malformed token, URL or argument.

    Raised at construction time, before any network call.
    """


class CaptureError(OmoCaptchaError):
    """The captcha image could not be taken from the page.

    The element is missing, hidden, has no size, or lies outside the screenshot.
    """


class TransportError(OmoCaptchaError):
    """The service could not be reached or answered garbage.

    Connection errors, resets and HTTP 5xx (after bounded retries), or a body that
    is not JSON. Retrying later may help.
    """


class ApiError(OmoCaptchaError):
    """The service answered ``error: true`` or a response shape we do not know."""


class AuthenticationError(ApiError):
    """The service rejected the API token. Fix the key; retrying will not help."""


class ProtocolError(ApiError):
    """The service answered, but not in the documented shape.

    For example a non-numeric, negative or out-of-range ``result``. Never taken as a success.
    """


class SolveFailed(OmoCaptchaError):
    """The solver gave up on this image (job status ``fail``, or no gap found).

    A fresh captcha (refresh) is the usual way forward.
    """


class SolveTimeout(OmoCaptchaError, TimeoutError):
    """No answer arrived before the deadline.

    Attributes:
        last_status: the last job status seen before giving up, if any.
    """

    def __init__(
        self, message: str, *, job_id: int | str | None = None, last_status: str | None = None
    ) -> None:
        super().__init__(message, job_id=job_id)
        self.last_status = last_status


class SlideError(OmoCaptchaError):
    """The slider handle could not be dragged (missing, not interactable, moved away)."""


class BrowserLost(OmoCaptchaError):
    """The browser went away: its tab crashed, its session ended or it stopped answering.

    Retrying on the same driver cannot help; start a new one. The WebDriver error is
    kept as ``__cause__``.
    """


class VerificationFailed(OmoCaptchaError):
    """We dragged the slider, but the page did not accept the answer."""
