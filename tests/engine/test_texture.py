"""The piece's grain found again at its gap, on drawn pictures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from omo_selenium.engine import MIN_CONFIDENCE, locate
from omo_selenium.engine.texture import texture_shift
from omo_selenium.engine.tuning import DEFAULT_TUNING

#: vue-puzzle-vcode (npm) drawn over a painted picture, screenshot at DPR 1
#: (benchmarks/bench_widgets.py, seed 39): shown 320 CSS px wide, the gap 97 CSS px on
WIDGET_SHOT = Path(__file__).parents[1] / "data" / "widgets" / "vue-puzzle-vcode-painted.png"

BOX = (6.0, 30.0, 44.0, 44.0)
GAP_X = 181  # where the gap is drawn: the true shift is GAP_X - 6 = 175 px


def _rgb(grey: np.ndarray) -> Image.Image:
    return Image.fromarray(np.repeat(np.clip(grey, 0, 255)[:, :, None], 3, axis=2).astype(np.uint8))


def _cut(grey: np.ndarray, glow: bool = False) -> np.ndarray:
    """``grey`` with the square at GAP_X whitened (a soft dark shadow inside its top and
    left sides) and the piece, cut from there, shown at BOX (with a white glow inside its
    right and bottom sides when ``glow``): how vue-puzzle-vcode draws them."""
    out = grey.copy()
    x, y, w, h = (int(v) for v in BOX)
    piece = grey[y : y + h, GAP_X : GAP_X + w].copy()
    gap = 0.35 * piece + 0.65 * 255.0
    ramp = np.clip(1.0 - np.arange(w) / 4.0, 0.0, 1.0)  # 1 at the side, 0 from 4 px in
    gap -= 90.0 * np.maximum(ramp[None, :], ramp[:h, None])
    out[y : y + h, GAP_X : GAP_X + w] = gap
    if glow:
        back = ramp[::-1]
        lift = np.maximum(back[None, :], back[:h, None])
        piece = piece + lift * (255.0 - piece) * 0.8
    out[y : y + h, x : x + w] = piece
    return out


def _photo(seed: int) -> np.ndarray:
    """A smooth picture (a slope and broad waves) with fine grain on it."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:110, 0:300].astype(np.float64)
    smooth = 110.0 + 0.15 * xx + 25.0 * np.sin(xx / 23.0) * np.cos(yy / 17.0)
    return smooth + rng.normal(0.0, 7.0, smooth.shape)


def test_the_grain_lines_up_at_the_gap_to_a_fraction_of_a_pixel() -> None:
    img = _rgb(_cut(_photo(0)))
    found = texture_shift(img, BOX, 176.5, 0.0)  # the outlines' answer 1.5 px off
    assert found is not None
    assert found.dx == pytest.approx(175.0, abs=0.2)
    assert found.dy == 0.0
    assert found.peak > 0.9


def test_a_smooth_picture_has_no_grain_to_line_up() -> None:
    yy, xx = np.mgrid[0:110, 0:300].astype(np.float64)
    img = _rgb(_cut(110.0 + 0.3 * xx + 20.0 * np.sin(yy / 9.0)))
    assert texture_shift(img, BOX, 176.5, 0.0) is None


def test_grain_lined_along_the_rows_does_not_tell_the_shift() -> None:
    # stripes of random greys, each row flat along the shift: every shift fits alike
    rows = np.random.default_rng(1).normal(0.0, 12.0, (110, 1))
    img = _rgb(_cut(np.repeat(120.0 + rows, 300, axis=1)))
    assert texture_shift(img, BOX, 176.5, 0.0) is None


def test_grain_repeating_within_the_lookout_does_not_tell_the_shift() -> None:
    # a texture that repeats every 5 px matches itself 5 px off as well as on the gap
    tile = np.random.default_rng(2).normal(0.0, 12.0, (110, 5))
    img = _rgb(_cut(120.0 + np.tile(tile, (1, 60))))
    assert texture_shift(img, BOX, 176.5, 0.0) is None


def test_a_grain_peak_far_from_the_outlines_answer_is_not_taken() -> None:
    img = _rgb(_cut(_photo(3)))
    assert texture_shift(img, BOX, 175.0 + DEFAULT_TUNING.texture_reach + 1.0, 0.0) is None


def test_a_glow_inside_the_pieces_edges_does_not_lean_the_answer() -> None:
    # outlines alone read the glowing piece a little past its gap; its grain does not
    png = _rgb(_cut(_photo(4), glow=True))
    on = locate(png, 300)
    off = locate(png, 300, tuning=replace(DEFAULT_TUNING, texture_peak=2.0))
    assert on.distance_css == pytest.approx(175.0, abs=0.2)
    assert abs(off.distance_css - 175.0) > 0.5


def test_a_widget_gap_found_by_its_grain_is_credible() -> None:
    # a whitened gap with a soft inner shadow and a glowing piece: their outlines fit
    # too loosely to stand out, the piece's grain is found only at its gap
    png = WIDGET_SHOT.read_bytes()
    match = locate(png, 320)
    assert match.confidence >= MIN_CONFIDENCE
    assert match.distance_css == pytest.approx(97.0, abs=0.5)
    unread = replace(DEFAULT_TUNING, texture_standout=0.0)
    assert locate(png, 320, tuning=unread).confidence < MIN_CONFIDENCE
