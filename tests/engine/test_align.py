"""The piece's box, its re-bounding and its completion (``omo_selenium.engine.align``),
on drawn pictures.

A picture of smooth texture holds a gap (the texture darkened, with a dark rim inside)
and, at the start, the piece cut from it (brightened, with a dark shadow outside): the
GeeTest-like decoration under which a box that ends inside the piece measures the shift
too far. The same picture under horizontal stripes (a striped sky) agrees with itself
at every shift beside the piece.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

from omo_selenium.engine.align import bound_columns, complete_right
from omo_selenium.engine.tuning import DEFAULT_TUNING

PIECE = (12, 30, 48, 48)  # x, y, w, h
SHIFT = 150


def _picture(seed: int = 3) -> Image.Image:
    rng = np.random.default_rng(seed)
    h, w = 120, 260
    noise = rng.normal(0.0, 1.0, (h // 6 + 2, w // 6 + 2, 3))
    small = Image.fromarray(np.uint8(np.clip(128 + 40 * noise, 0, 255)))
    rgb = np.asarray(small.resize((w + 12, h + 12), Image.Resampling.BICUBIC), dtype=np.float32)
    rgb = rgb[6 : 6 + h, 6 : 6 + w].copy()
    x, y, pw, ph = PIECE
    gap = (slice(y, y + ph), slice(x + SHIFT, x + SHIFT + pw))
    content = rgb[gap].copy()
    # the piece's shadow outside it, then the piece itself, brightened
    rgb[y - 3 : y + ph + 3, max(0, x - 3) : x + pw + 3] *= 0.45
    rgb[y : y + ph, x : x + pw] = np.clip(content * 0.6 + 110, 0, 255)
    # the gap: darkened, with a darker rim just inside its outline
    rgb[gap] *= 0.5
    rim = np.ones((ph, pw), dtype=bool)
    rim[3:-3, 3:-3] = False
    rgb[gap][rim] *= 0.6
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def _striped() -> Image.Image:
    rgb = np.asarray(_picture(), dtype=np.float32).copy()
    rows = (np.arange(rgb.shape[0]) // 4) % 2
    rgb += (60.0 * rows - 30.0)[:, None, None]
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def test_a_box_ending_inside_the_piece_is_widened_past_its_right_outline() -> None:
    x, y, w, h = PIECE
    cut = (float(x - 2), float(y), w * 0.55, float(h))
    bx, by, bw, bh = complete_right(_picture(), cut, float(SHIFT), 0.0)
    assert (bx, by, bh) == (cut[0], cut[1], cut[3])
    assert x + w <= bx + bw <= x + w + 0.15 * h


def test_a_box_holding_the_whole_piece_is_kept() -> None:
    x, y, w, h = PIECE
    whole = (float(x - 2), float(y - 2), float(w + 4), float(h + 4))
    assert complete_right(_picture(), whole, float(SHIFT), 0.0) == whole


def test_no_outline_standing_out_beyond_the_box_keeps_it() -> None:
    x, y, w, h = PIECE
    cut = (float(x - 2), float(y), w * 0.55, float(h))
    flat = Image.new("RGB", (260, 120), (128, 128, 128))
    assert complete_right(flat, cut, float(SHIFT), 0.0) == cut
    stricter = dataclasses.replace(DEFAULT_TUNING, complete_level=9.0)
    assert complete_right(_picture(), cut, float(SHIFT), 0.0, tuning=stricter) == cut


def test_a_box_over_a_striped_sky_and_the_pieces_left_side_is_rebounded_to_the_piece() -> None:
    x, y, w, h = PIECE
    cut = (0.0, float(y), x + 0.4 * w, float(h))  # from the picture's edge into the piece
    bx, by, bw, bh = bound_columns(_striped(), cut, float(SHIFT), 0.0)
    assert (by, bh) == (cut[1], cut[3])
    assert x - 0.15 * h <= bx < x
    assert x + w < bx + bw <= x + w + 0.15 * h
    # every column of stripes agrees at the shift: no right outline stands out of them
    assert complete_right(_striped(), cut, float(SHIFT), 0.0) == cut


def test_a_box_about_as_wide_as_high_is_not_rebounded() -> None:
    x, y, w, h = PIECE
    whole = (float(x - 2), float(y - 2), float(w + 4), float(h + 4))
    assert bound_columns(_striped(), whole, float(SHIFT), 0.0) == whole
    cut = (0.0, float(y), x + 0.4 * w, float(h))
    never = dataclasses.replace(DEFAULT_TUNING, bound_narrow=0.0)
    assert bound_columns(_striped(), cut, float(SHIFT), 0.0, tuning=never) == cut


def test_a_piece_at_the_pictures_edge_keeps_its_box() -> None:
    # the piece's left outline is the picture's edge: the box holds no outline column,
    # and the strong columns further right are the piece's right side and beyond
    x, y, w, h = PIECE
    at_edge = _picture().crop((x, 0, 260, 120))
    cut = (0.0, float(y), 0.55 * w, float(h))
    assert bound_columns(at_edge, cut, float(SHIFT), 0.0) == cut


def test_no_outline_keeps_the_box() -> None:
    x, y, w, h = PIECE
    cut = (0.0, float(y), x + 0.4 * w, float(h))
    flat = Image.new("RGB", (260, 120), (128, 128, 128))
    assert bound_columns(flat, cut, float(SHIFT), 0.0) == cut
