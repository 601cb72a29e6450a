"""The omocaptcha HTTP API: a client for the service and a compatible local server.

- :mod:`.client`: :class:`OmoCaptchaClient` (requests, retries, the poll loop);
- :mod:`.answers`: reading the service's answers into values or typed errors;
- :mod:`.server`: :class:`OmoServer`, the API over any :class:`~omo_selenium.Solver`;
- :mod:`.httpd`, :mod:`.jobs`: the server's bounded HTTP plumbing, job store and workers;
- :mod:`.bounded`: connection slots, header/body deadlines and tidy logs for any server;
- :mod:`.deadline`: the client's hard deadlines and bounded answer reads.
"""

from __future__ import annotations

from .client import OmoCaptchaClient
from .server import OmoServer

__all__ = ["OmoCaptchaClient", "OmoServer"]
