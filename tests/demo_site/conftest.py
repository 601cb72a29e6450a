"""What the demo site's tests share: a site on a fake clock and small HTTP helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from omo_selenium.demo_site import DemoSite

TIMEOUT = 10.0
#: The keys of every page's config; behaviour variants add theirs (PageBehaviour.config).
PAGE_CONFIG_KEYS = {
    "challenge_url",
    "verify_url",
    "display_width",
    "display_height",
    "ratio",
    "sample",
}
#: Every behaviour variant at once, as DemoSite.url_for() / Variant keywords.
BEHAVIOURS: dict[str, Any] = {
    "hover": True,
    "jump": True,
    "verdict": "class",
    "late": True,
    "reset": True,
    "outside": True,
    "tolerance": 2,
}
HUMAN_PATH = [[0, 0, 0], [40, 12, 1], [90, 40, 2], [150, 80, 1], [220, 110, 3], [400, 120, 2]]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def site(clock: FakeClock) -> Iterator[DemoSite]:
    with DemoSite(seed=99, ttl=120.0, clock=clock) as running:
        yield running


def new_challenge(site: DemoSite, query: str = "") -> dict[str, Any]:
    response = requests.post(f"{site.url}/api/challenge?{query}", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def verify(site: DemoSite, body: Any, *, raw: bytes | None = None) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(
        f"{site.url}/api/verify",
        data=data,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def path_to(site: DemoSite, cid: str, x: float) -> list[list[float]]:
    """HUMAN_PATH stretched so that it ends where the widget would drop the piece at ``x``."""
    try:
        record = site.answer_for(cid)
    except KeyError:  # unknown or forgotten: any path will do
        return HUMAN_PATH
    end = x / (record.ratio * record.scale)
    last = HUMAN_PATH[-1][1]
    return [[t, dx * end / last, y] for t, dx, y in HUMAN_PATH]


def attempt(site: DemoSite, cid: str, x: float, path: list[list[float]] | None = None) -> Any:
    trajectory = path_to(site, cid, x) if path is None else path
    return verify(site, {"id": cid, "x": x, "trajectory": trajectory})
