"""Named defaults and the one place where settings are resolved.

Precedence, everywhere: explicit argument > ``OMOCAPTCHA_*`` environment variable >
module default.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_WAIT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_REQUEST_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "SLIDER_JOB_TYPE",
    "resolve_api_key",
    "resolve_base_url",
]

#: The public omocaptcha service.
DEFAULT_BASE_URL = "https://omocaptcha.com"
#: Environment variable holding the API token.
ENV_API_KEY = "OMOCAPTCHA_API_KEY"
#: Environment variable holding the service's base URL.
ENV_BASE_URL = "OMOCAPTCHA_BASE_URL"
#: ``type_job_id`` of the web slider job.
SLIDER_JOB_TYPE = "21"
#: Seconds one HTTP request may take (connect and read).
DEFAULT_REQUEST_TIMEOUT = 15.0
#: Seconds between two ``getJobResult`` polls, as the contract advises.
DEFAULT_POLL_INTERVAL = 2.0
#: Seconds a whole solve (create + polls) may take before :class:`SolveTimeout`.
DEFAULT_MAX_WAIT = 120.0


def resolve_api_key(api_key: str | None) -> str | None:
    """Return the API key from the argument, else ``OMOCAPTCHA_API_KEY``, else ``None``.

    Raises:
        ConfigurationError: the key is blank or contains whitespace.
    """
    key = api_key if api_key is not None else os.environ.get(ENV_API_KEY) or None
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or any(c.isspace() for c in key):
        raise ConfigurationError("API key must be a non-empty string without whitespace")
    return key


def resolve_base_url(base_url: str | None) -> str:
    """Return the base URL from the argument, else ``OMOCAPTCHA_BASE_URL``, else the default.

    The URL is checked (http or https, with a host) and returned without a trailing slash.

    Raises:
        ConfigurationError: the URL is not an absolute http(s) URL.
    """
    url = base_url if base_url is not None else os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"base URL must be an absolute http(s) URL, got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError("base URL must not carry a query string or fragment")
    return url.rstrip("/")
