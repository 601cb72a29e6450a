"""SliderSolver's decisions that need no browser."""

from __future__ import annotations

import pytest
from PIL import Image

from omo_selenium._types import GapMatch
from omo_selenium.browser.capture import Captured
from omo_selenium.ratio import RATIO_HEADROOM, room_for_whole_drag


def _captured(width_view: float = 340.0, dpr: float = 2.0) -> Captured:
    image = Image.new("RGB", (round(width_view * dpr), round(width_view * dpr / 2)))
    return Captured(image, width_view, (0.0, 0.0, width_view, width_view / 2), None, dpr)


def _match(piece_px: int = 120, scale: float = 0.5) -> GapMatch:
    return GapMatch((0, 40, piece_px, piece_px), (0, 40, piece_px, piece_px), 0.0, 0.0, scale, 1.0)


def test_short_drag_goes_whole_way_at_one_to_one() -> None:
    # 340 css px wide, piece 60 css px: 280 px of room; 150 x 1.6 = 240 fits
    assert room_for_whole_drag(_match(), 150.0, _captured())


@pytest.mark.parametrize("distance", [200.0, 280.0 / RATIO_HEADROOM + 1])
def test_long_drag_with_unknown_ratio_stops_to_look_first(distance: float) -> None:
    # a ratio of 1.3 would carry the piece against the end of its track
    assert not room_for_whole_drag(_match(), distance, _captured())


def test_without_a_located_piece_the_solver_looks_first() -> None:
    # e.g. the remote API's answer: no piece box, so no width
    assert not room_for_whole_drag(None, 50.0, _captured())
