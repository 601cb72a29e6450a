"""``python -m demo_site``: the command line that serves the site."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from omo_selenium.demo_site import DemoSite
from omo_selenium.demo_site.__main__ import VARIANT_HELP
from tests.demo_site.conftest import TIMEOUT


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_cli_prints_the_url_and_stops_cleanly_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_site", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        head = [proc.stdout.readline() for _ in range(2 + len(VARIANT_HELP))]
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", head[0])
        assert match, head
        assert requests.get(match.group(1) + "/?fold=1", timeout=TIMEOUT).status_code == 200
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TIMEOUT)
        tail = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert any("?iframe=1" in line for line in head)
    assert tail.strip() == "stopped"


def test_cli_reports_a_port_it_cannot_bind(site: DemoSite) -> None:
    port = site.url.rsplit(":", 1)[1]
    proc = subprocess.run(
        [sys.executable, "-m", "demo_site", "--port", port],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )

    assert proc.returncode == 1
    assert "cannot serve" in proc.stderr
