"""Pinned W3C action sequences: what SliderSolver sends for fixed scenarios.

A browserless fake widget (:mod:`tests.fake_widget`) records every actions request.
The sequences were recorded before the solver's restructuring; a change to them is a
change of behaviour and must be deliberate (regenerate with ``OMO_REGEN_PINS=1`` and
say why in the commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from omo_selenium import SliderSolver
from omo_selenium._types import GapMatch
from omo_selenium.browser.slide import SlideStyle

from .fake_widget import PIECE, PIECE_Y, FakeWidgetDriver, pinned

PINS = Path(__file__).parent / "data" / "solver_actions.json"
STYLE = SlideStyle(seed=1)


class FixedLocator:
    """Locates the piece at the left edge and the gap at ``gap_x`` (CSS = image px)."""

    def __init__(self, gap_x: float, answer_offset: float = 0.0) -> None:
        self.gap_x = gap_x
        self.answer_offset = answer_offset

    def locate(self, image: Any, width_view: float | None = None) -> GapMatch:
        box = (0, PIECE_Y, PIECE, PIECE)
        gap = (round(self.gap_x), PIECE_Y, PIECE, PIECE)
        answer = self.gap_x + self.answer_offset
        return GapMatch(box, gap, self.gap_x, answer, 1.0, 0.9)

    def solve(self, image: Any, width_view: float) -> float:
        return self.gap_x


class FixedDistance:
    """Answers ``gap_x``; cannot say where the piece is (like the remote API)."""

    def __init__(self, gap_x: float) -> None:
        self.gap_x = gap_x

    def solve(self, image: Any, width_view: float) -> float:
        return self.gap_x


#: name -> (widget options, solver, SliderSolver options)
SCENARIOS: dict[str, tuple[dict[str, Any], Any, dict[str, Any]]] = {
    "locator-short-whole-drag": ({"gap_x": 150.0}, FixedLocator(150.0), {}),
    "locator-long-first-leg-ratio-1.3": ({"gap_x": 230.0, "ratio": 1.3}, FixedLocator(230.0), {}),
    "distance-only-probe-ratio-1.25": (
        {"gap_x": 160.0, "ratio": 1.25},
        FixedDistance(160.0),
        {"check_landing": False},
    ),
    "given-ratio-1.3": ({"gap_x": 200.0, "ratio": 1.3}, FixedLocator(200.0), {"ratio": 1.3}),
    "locator-off-by-8-corrected": ({"gap_x": 150.0}, FixedLocator(150.0, -8.0), {}),
}


def _run(name: str) -> dict[str, Any]:
    widget_options, solver, options = SCENARIOS[name]
    driver = FakeWidgetDriver(**widget_options)
    sliders = SliderSolver(driver, solver, style=STYLE, **options)  # type: ignore[arg-type]
    sliders.solve(driver.image, driver.handle, attempts=1)
    return {
        "actions": [[list(step) for step in seq] for seq in pinned(driver.actions)],
        "verdicts": driver.widget.verdicts,
    }


def _pins() -> dict[str, Any]:
    if os.environ.get("OMO_REGEN_PINS"):
        PINS.write_text(json.dumps({n: _run(n) for n in SCENARIOS}, indent=1) + "\n")
    data: dict[str, Any] = json.loads(PINS.read_text())
    return data


@pytest.mark.parametrize("name", SCENARIOS)
def test_solver_sends_the_pinned_actions(name: str) -> None:
    expected = _pins()[name]
    assert _run(name) == expected


def test_pinned_scenarios_land_the_piece() -> None:
    for name, pin in _pins().items():
        assert pin["verdicts"] == [True], name
