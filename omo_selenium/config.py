"""Named defaults and the one place where settings are resolved.

Precedence, everywhere: explicit argument > ``OMOCAPTCHA_*`` environment variable >
module default.

- ``OMOCAPTCHA_API_KEY``: the account key (``api_token`` / ``clientKey``); none means the
  offline engine.
- ``OMOCAPTCHA_BASE_URL``: the service's URL, for both APIs.
- ``OMOCAPTCHA_API``: ``job`` (``/api/...``, the default) or ``task`` (``/v2/...``).
- ``OMOCAPTCHA_TASK_TYPE``: the task API's type for one screenshot (default
  ``TiktokSliderWebTask``).

The default URL is ``https://omocaptcha.com`` for the job API and
``https://api.omocaptcha.com`` for the task API.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = [
    "API_JOB",
    "API_TASK",
    "DEFAULT_API",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_WAIT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_TASK_BASE_URL",
    "DEFAULT_TASK_TYPE",
    "ENV_API",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_TASK_TYPE",
    "SLIDER_JOB_TYPE",
    "TASK_GEETEST",
    "TASK_SLIDER_ALL",
    "TASK_TIKTOK",
    "TASK_TYPES",
    "resolve_api",
    "resolve_api_key",
    "resolve_base_url",
    "resolve_task_type",
]

#: The public omocaptcha service.
DEFAULT_BASE_URL = "https://omocaptcha.com"
#: Environment variable holding the API token.
ENV_API_KEY = "OMOCAPTCHA_API_KEY"
#: Environment variable holding the service's base URL.
ENV_BASE_URL = "OMOCAPTCHA_BASE_URL"
#: Environment variable choosing the API: ``job`` or ``task``.
ENV_API = "OMOCAPTCHA_API"
#: Environment variable choosing the task API's type for a single screenshot.
ENV_TASK_TYPE = "OMOCAPTCHA_TASK_TYPE"
#: The job API: ``/api/createJob``, ``/api/getJobResult``, ``api_token``.
API_JOB = "job"
#: The task API (v2): ``/v2/createTask``, ``/v2/getTaskResult``, ``clientKey``.
API_TASK = "task"
#: The API spoken when none is chosen (the one every key of the seed document works with).
DEFAULT_API = API_JOB
#: The public task API (v2).
DEFAULT_TASK_BASE_URL = "https://api.omocaptcha.com"
#: Task type: one screenshot (piece included) and its displayed width; answers in CSS px.
TASK_TIKTOK = "TiktokSliderWebTask"
#: Task type: one screenshot, no displayed width; answers in px of the picture sent.
TASK_GEETEST = "GeetestSliderWebTask"
#: Task type: the background and the piece as two pictures; answers the gap's rectangle.
TASK_SLIDER_ALL = "SliderAllWebTask"
#: The slider task types, by their name in the API.
TASK_TYPES = (TASK_TIKTOK, TASK_GEETEST, TASK_SLIDER_ALL)
#: The task type for a single screenshot when none is chosen.
DEFAULT_TASK_TYPE = TASK_TIKTOK
_TASK_ALIASES = {"tiktok": TASK_TIKTOK, "geetest": TASK_GEETEST, "all": TASK_SLIDER_ALL}
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


def resolve_base_url(base_url: str | None, default: str = DEFAULT_BASE_URL) -> str:
    """Return the base URL from the argument, else ``OMOCAPTCHA_BASE_URL``, else ``default``.

    The URL is checked (http or https, with a host) and returned without a trailing slash.

    Args:
        base_url: the URL given by the caller, or ``None``.
        default: the URL when neither argument nor environment names one.

    Raises:
        ConfigurationError: the URL is not an absolute http(s) URL.
    """
    url = base_url if base_url is not None else os.environ.get(ENV_BASE_URL) or default
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"base URL must be an absolute http(s) URL, got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError("base URL must not carry a query string or fragment")
    return url.rstrip("/")


def resolve_api(api: str | None) -> str:
    """Return the API to speak: the argument, else ``OMOCAPTCHA_API``, else ``job``.

    Args:
        api: ``"job"``, ``"task"`` (any case), or ``None``.

    Raises:
        ConfigurationError: neither ``job`` nor ``task``.
    """
    source = "api" if api is not None else ENV_API
    value = api if api is not None else os.environ.get(ENV_API) or DEFAULT_API
    name = value.strip().lower() if isinstance(value, str) else value
    if name not in (API_JOB, API_TASK):
        raise ConfigurationError(f"{source} must be 'job' or 'task', got {str(value)[:40]!r}")
    return str(name)


def resolve_task_type(task_type: str | None) -> str:
    """Return the task API's type for a single screenshot.

    The argument, else ``OMOCAPTCHA_TASK_TYPE``, else ``TiktokSliderWebTask``. The API's
    names are accepted, and the short names ``tiktok``, ``geetest`` and ``all`` (any case).

    Args:
        task_type: a task type name, or ``None``.

    Raises:
        ConfigurationError: not a slider task type.
    """
    source = "task_type" if task_type is not None else ENV_TASK_TYPE
    value = task_type if task_type is not None else os.environ.get(ENV_TASK_TYPE) or None
    if value is None:
        return DEFAULT_TASK_TYPE
    if isinstance(value, str):
        name = value.strip()
        if name in TASK_TYPES:
            return name
        if name.lower() in _TASK_ALIASES:
            return _TASK_ALIASES[name.lower()]
    raise ConfigurationError(
        f"{source} must be one of {', '.join(TASK_TYPES)} (or tiktok, geetest, all), "
        f"got {str(value)[:40]!r}"
    )
