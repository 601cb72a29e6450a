"""Fixtures shared by the API tests: servers on 127.0.0.1 port 0, stopped after each test."""

from __future__ import annotations

from tests.api.test_server import make_server, server

__all__ = ["make_server", "server"]
