"""Following the located piece by its own pixels while dragging (look.PieceTrack).

The pictures are drawn here: a textured background, a piece cut from it with a light
outline, and a dark gap of the same shape, the way slider captchas draw them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from omo_selenium.browser.capture import Captured
from omo_selenium.look import PieceTrack

W, H, SIZE, TOP, GAP_X = 320, 160, 44, 60, 170
DATA = Path(__file__).parent / "data" / "look"


def _background(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(40, 215, (H // 8 + 2, W // 8 + 2, 3))
    big = np.kron(coarse, np.ones((8, 8, 1)))[:H, :W]
    # soften the blocks, then add fine grain
    for _ in range(3):
        big = (big + np.roll(big, 1, 0) + np.roll(big, 1, 1) + np.roll(big, -1, 0)) / 4
    return big + rng.normal(0, 3, big.shape)


def _shape() -> np.ndarray:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    square = (xx >= 4) & (xx < SIZE - 4) & (yy >= 4) & (yy < SIZE - 4)
    knob = (xx - SIZE + 6) ** 2 + (yy - SIZE // 2) ** 2 <= 36
    return square | knob


def _draw(bg: np.ndarray, piece_x: float | None) -> np.ndarray:
    """The picture with the gap at GAP_X and the piece (the gap's pixels, outlined) at
    ``piece_x`` (fractional: blended between two columns, as browsers render it)."""
    out = bg.copy()
    shape = _shape()
    gap = out[TOP : TOP + SIZE, GAP_X : GAP_X + SIZE]
    sprite = gap.copy()
    gap[shape] = gap[shape] * 0.35
    if piece_x is None:
        return out
    edge = shape & ~np.pad(shape, 1)[2:, 1:-1] | shape & ~np.pad(shape, 1)[:-2, 1:-1]
    edge |= shape & ~np.pad(shape, 1)[1:-1, 2:] | shape & ~np.pad(shape, 1)[1:-1, :-2]
    sprite[edge] = 245
    whole, frac = int(piece_x), piece_x - int(piece_x)
    for x, weight in ((whole, 1 - frac), (whole + 1, frac)):
        if weight <= 0:
            continue
        region = out[TOP : TOP + SIZE, x : x + SIZE]
        region[shape] = region[shape] * (1 - weight) + sprite[shape] * weight
    return out


def _captured(pixels: np.ndarray) -> Captured:
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    w, h = image.size
    return Captured(image, float(w), (0.0, 0.0, float(w), float(h)), (0, 0, w, h), 1.0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("travel", [60.0, 131.4, 150.5, 170.0])
def test_the_piece_is_found_where_it_went_even_over_its_gap(seed: int, travel: float) -> None:
    bg = _background(seed)
    before = _captured(_draw(bg, 0.0))
    now = _captured(_draw(bg, travel))
    track = PieceTrack(before, (0, TOP, SIZE, SIZE))
    found = track.travel_css(now, low_css=20, high_css=250)
    assert found == pytest.approx(travel, abs=0.35)


@pytest.mark.parametrize(("shot", "handle_css"), [("handle95", 95), ("handle158", 158)])
def test_a_demo_drag_that_comparing_shots_lost_is_followed(shot: str, handle_css: int) -> None:
    """Recorded on demo_site (ratio=1.3, seed 11; the rows a look takes): with the
    piece half over its gap, the difference of the two screenshots matched the gap's
    outline (8 px, a ratio of 0.08); past the gap it saw a move to the left. Both looks
    were lost and the drag was released 47 px off. The piece's own pixels are where the
    page drew them (x 1.3)."""
    before = _captured(np.asarray(Image.open(DATA / "ratio13_before.png").convert("RGB")))
    now = _captured(np.asarray(Image.open(DATA / f"ratio13_{shot}.png").convert("RGB")))
    track = PieceTrack(before, (0, 18, 58, 70))  # where LocalEngine located it, in its rows
    found = track.travel_css(now, low_css=0.4 * handle_css - 2, high_css=2.5 * handle_css + 2)
    assert found == pytest.approx(1.3 * handle_css, abs=0.35)


def test_a_piece_that_is_not_there_is_not_found() -> None:
    bg = _background(1)
    before = _captured(_draw(bg, 0.0))
    gone = _captured(_draw(bg, None))  # the piece left the picture (or was never drawn)
    assert PieceTrack(before, (0, TOP, SIZE, SIZE)).travel_css(gone, low_css=20) is None


def test_a_piece_that_did_not_move_is_not_found() -> None:
    bg = _background(2)
    same = _captured(_draw(bg, 0.0))
    track = PieceTrack(same, (0, TOP, SIZE, SIZE))
    assert track.travel_css(same, low_css=1) is None
    # a move this small may leave a flat piece's box looking the same: no verdict on it
    assert not track.stayed


def test_a_located_band_that_stays_put_while_the_piece_moves_is_flagged() -> None:
    """The engine located a band of background beside the piece (a periodic background
    fools it so): the piece moves, the band does not. With a handle move that takes any
    piece a quarter of its width or more, the unchanged box says it is not the piece."""
    bg = _background(4)
    before, now = _captured(_draw(bg, 0.0)), _captured(_draw(bg, 90.0))
    band = PieceTrack(before, (0, TOP + SIZE + 4, SIZE, SIZE))
    assert band.travel_css(now, low_css=0.4 * 90 - 2, high_css=250) is None
    assert band.stayed
    piece = PieceTrack(before, (0, TOP, SIZE, SIZE))
    assert piece.travel_css(now, low_css=0.4 * 90 - 2, high_css=250) == pytest.approx(90, abs=0.35)
    assert not piece.stayed


def test_only_travels_in_the_range_asked_are_searched() -> None:
    bg = _background(3)
    before, now = _captured(_draw(bg, 0.0)), _captured(_draw(bg, 120.0))
    track = PieceTrack(before, (0, TOP, SIZE, SIZE))
    assert track.travel_css(now, low_css=150, high_css=250) is None
