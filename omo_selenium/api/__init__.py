"""The omocaptcha HTTP API: a client for the service and a compatible local server.

- :mod:`.client`: :class:`OmoCaptchaClient` (requests, retries, the poll loop; the job API);
- :mod:`.tasks`: the task API (v2) behind the same client: task types, answers, balance;
- :mod:`.answers`: reading the service's answers into values or typed errors;
- :mod:`.pieces`: the piece as its own picture: encoding it, drawing it onto the background;
- :mod:`.server`: :class:`OmoServer`, both APIs over any :class:`~omo_selenium.Solver`;
- :mod:`.task_routes`: the server's task API and balance calls;
- :mod:`.httpd`, :mod:`.jobs`: the server's bounded HTTP plumbing, job store and workers;
- :mod:`.bounded`: connection slots, header/body deadlines and tidy logs for any server;
- :mod:`.deadline`: the client's hard deadlines and bounded answer reads.
"""

from __future__ import annotations

from .client import OmoCaptchaClient
from .server import OmoServer

__all__ = ["OmoCaptchaClient", "OmoServer"]
