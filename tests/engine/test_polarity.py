"""The polarity of the outline a piece shares with its gap
(``omo_selenium.engine.polarity``), on drawn pictures.

A smooth texture holds, at the start, a piece drawn as a white veil over whatever lies
there, and further right a gap of the same shape drawn as a dark veil: the two show
different content and share only their outline, lighter inside at the start and darker
inside at the gap. A texture that repeats itself matches with its polarity kept; a
horizon matches along one direction only.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw

from omo_selenium.engine.align import align
from omo_selenium.engine.local import MIN_CONFIDENCE, locate
from omo_selenium.engine.local import _reversed_outline as reversed_outline
from omo_selenium.engine.local import _veiled as read_again
from omo_selenium.engine.polarity import (
    Polarity,
    outline_polarity,
    square_polarity,
    veil_square,
)
from omo_selenium.engine.tuning import DEFAULT_TUNING

PIECE = (14, 34, 50, 50)  # x, y, w, h
SHIFT = 160


def _texture(seed: int, h: int = 130, w: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 1.0, (h // 6 + 2, w // 6 + 2, 3))
    small = Image.fromarray(np.uint8(np.clip(128 + 45 * noise, 0, 255)))
    rgb = np.asarray(small.resize((w + 12, h + 12), Image.Resampling.BICUBIC), dtype=np.float32)
    return rgb[6 : 6 + h, 6 : 6 + w].copy()


def _shape() -> np.ndarray:
    """A square with a round bump on its right side, as jigsaw pieces have."""
    _, _, w, h = PIECE
    yy, xx = np.mgrid[0:h, 0:w]
    body = (xx < w - 10) & (yy >= 4) & (yy < h - 4)
    bump = (xx - (w - 12)) ** 2 + (yy - h / 2) ** 2 <= 9**2
    return body | bump


def _veiled(seed: int = 5) -> Image.Image:
    rgb = _texture(seed)
    x, y, w, h = PIECE
    mask = _shape()[..., None]
    start = rgb[y : y + h, x : x + w]
    rgb[y : y + h, x : x + w] = np.where(mask, start * 0.35 + 255 * 0.65, start)
    gap = rgb[y : y + h, x + SHIFT : x + SHIFT + w]
    rgb[y : y + h, x + SHIFT : x + SHIFT + w] = np.where(mask, gap * 0.45, gap)
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def test_a_lightened_piece_and_its_darkened_gap_share_a_reversed_outline() -> None:
    pol = outline_polarity(_veiled(), PIECE, SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert pol.reversed > 0.5
    assert pol.straight < DEFAULT_TUNING.polarity_straight


def test_the_same_veils_elsewhere_do_not_reverse() -> None:
    # the piece's box matched with plain texture beside the gap: no shared outline
    pol = outline_polarity(_veiled(), PIECE, SHIFT - 60, 0.0, tuning=DEFAULT_TUNING)
    assert pol.reversed < DEFAULT_TUNING.polarity_floor


def test_a_texture_matching_itself_keeps_its_polarity() -> None:
    tile = _texture(11, w=120)
    rgb = np.concatenate([tile, tile, tile[:, :60]], axis=1)
    pol = outline_polarity(Image.fromarray(np.uint8(rgb)), PIECE, 120.0, 0.0, tuning=DEFAULT_TUNING)
    assert pol.reversed < -0.9


def test_a_horizon_matches_along_one_direction_only() -> None:
    rgb = np.full((130, 300, 3), 60.0, dtype=np.float32)
    rgb[:59] = 200.0  # a bright sky over dark land, and its reflection further right
    rgb[:59, 150:] = 60.0
    rgb[59:, 150:] = 200.0
    pol = outline_polarity(
        Image.fromarray(np.uint8(rgb)), PIECE, float(SHIFT), 0.0, tuning=DEFAULT_TUNING
    )
    assert pol.reversed > 0.9  # reversed, yet ...
    assert pol.straight > 0.9  # ... one straight edge, which proves nothing


def test_a_crop_that_leaves_the_picture_is_neutral() -> None:
    pol = outline_polarity(_veiled(), PIECE, 400.0, 0.0, tuning=DEFAULT_TUNING)
    assert pol == Polarity()


def test_a_square_veil_is_found_near_the_shift_its_outline_reverses_at() -> None:
    # asked 4 px off the true shift, the square whose outline is reversed the most is
    # the piece's body, at the true shift to a px
    sq = veil_square(_veiled(), SHIFT + 4.0, 0.0, tuning=DEFAULT_TUNING)
    assert sq is not None
    x, y, w, h = sq.box
    px, py, pw, _ = PIECE
    assert abs(x - px) <= 3 and abs(y - (py + 4)) <= 3
    assert w == h and abs(w - (pw - 10)) <= 4
    assert abs(sq.dx - SHIFT) <= 1.0
    assert sq.strength >= DEFAULT_TUNING.veil_floor


def test_a_plain_texture_shows_a_far_weaker_square_and_no_credible_gap() -> None:
    # the best of many squares in a texture without veils holds some reversed edges by
    # chance (its outline measured all around can even look reversed: the square was
    # picked for it), but far fewer than a veil's; the engine, which reads a doubtful
    # answer again on such a square, still finds no credible gap there
    plain = Image.fromarray(np.uint8(np.clip(_texture(5), 0, 255)))
    chance = veil_square(plain, SHIFT, 0.0, tuning=DEFAULT_TUNING)
    veil = veil_square(_veiled(), SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert veil is not None
    assert chance is None or chance.strength < 0.6 * veil.strength
    assert locate(plain, 300).confidence < MIN_CONFIDENCE


def test_a_veil_beyond_the_scan_is_not_taken_for_one_at_its_end() -> None:
    # the true shift lies 10 px beyond the asked one: the scan's best is at its end,
    # where the ring only begins to show, and that is no answer
    assert veil_square(_veiled(), SHIFT - 10.0, 0.0, tuning=DEFAULT_TUNING) is None


def test_the_engine_reads_a_veil_only_where_the_square_spans_the_box_it_doubts() -> None:
    # the square veil re-reads the piece the doubtful answer's box was bounded around:
    # a box as big as the piece (or a little bigger, with background beside it) is read
    # again on its square; a box over twice the square's side held something else
    img = _veiled()
    fit = align(img, PIECE, SHIFT + 3.0, search_px=1.0, tuning=DEFAULT_TUNING)
    assert fit is not None
    x, y, w, h = PIECE
    loose = (0.0, y - 10.0, x + w + 10.0, h + 20.0)
    read = read_again(img, loose, fit, DEFAULT_TUNING, None)
    assert read is not None
    again, square = read
    assert abs(again.dx - SHIFT) <= 1.0
    assert square[2] >= 0.5 * min(loose[2], loose[3])
    assert read_again(img, (0.0, 0.0, 120.0, 130.0), fit, DEFAULT_TUNING, None) is None


def _bevelled(seed: int = 5) -> Image.Image:
    """The piece cut from its gap and drawn with a bevel (light on its left and top
    sides, dark on its right and bottom ones); the gap darkened."""
    rgb = _texture(seed)
    x, y, w, h = PIECE
    gap = rgb[y : y + h, x + SHIFT : x + SHIFT + w].copy()
    piece = gap.copy()
    piece[:, :3] = 255.0
    piece[:3, :] = 255.0
    piece[:, -3:] *= 0.2
    piece[-3:, :] *= 0.2
    rgb[y : y + h, x : x + w] = piece
    rgb[y : y + h, x + SHIFT : x + SHIFT + w] = gap * 0.45
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def test_a_veil_is_reversed_all_around_and_a_bevel_only_on_some_sides() -> None:
    # the engine takes the ring's own shift over a straying alignment only for a ring
    # closed all around: a bevel is reversed on its light sides only, and its shift is
    # measured on those
    veil = veil_square(_veiled(), SHIFT, 0.0, tuning=DEFAULT_TUNING)
    bevel = veil_square(_bevelled(), SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert veil is not None and veil.closed >= DEFAULT_TUNING.veil_closed
    assert bevel is None or bevel.closed < DEFAULT_TUNING.veil_closed


def _sunk(seed: int = 5) -> Image.Image:
    """A square piece as a white veil, its gap as a dark veil over a picture just as dark
    below the gap: the gap's bottom side shows no edge at all."""
    rgb = _texture(seed)
    x, y, w, _ = PIECE
    rgb[y : y + w, x : x + w] = rgb[y : y + w, x : x + w] * 0.35 + 255 * 0.65
    rgb[y : y + w, x + SHIFT : x + SHIFT + w] *= 0.45
    rgb[y + w :, x + SHIFT - 6 : x + SHIFT + w + 6] *= 0.45
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def test_a_veil_with_one_side_lost_in_the_dark_is_found_whole_with_an_open_side() -> None:
    # measured on its four sides, the square is not closed (its bottom side holds
    # nothing), so the engine would not trust its shift; on its three strongest sides
    # it is the piece, closed and strong, at the true shift
    four = veil_square(_sunk(), SHIFT + 3.0, 0.0, tuning=DEFAULT_TUNING)
    three = veil_square(_sunk(), SHIFT + 3.0, 0.0, tuning=DEFAULT_TUNING, open_side=True)
    assert four is None or four.closed < DEFAULT_TUNING.veil_closed
    assert three is not None
    x, y, w, _ = three.box
    assert abs(x - PIECE[0]) <= 2 and abs(y - PIECE[1]) <= 2 and abs(w - PIECE[2]) <= 2
    assert abs(three.dx - SHIFT) <= 1.0
    assert three.closed >= DEFAULT_TUNING.veil_closed
    assert three.strength >= DEFAULT_TUNING.veil_open_floor


def test_an_open_side_square_needs_more_strength_than_chance_gives_a_texture() -> None:
    # leaving out each square's weakest side lifts the squares a texture holds by chance
    # too (past the four sides' floor): an open-sided square is kept only from its own,
    # higher floor, and the texture without veils holds none there
    plain = Image.fromarray(np.uint8(np.clip(_texture(5), 0, 255)))
    low = replace(DEFAULT_TUNING, veil_open_floor=DEFAULT_TUNING.veil_floor)
    assert veil_square(plain, SHIFT, 0.0, tuning=low, open_side=True) is not None
    assert veil_square(plain, SHIFT, 0.0, tuning=DEFAULT_TUNING, open_side=True) is None


def test_a_square_at_the_end_of_its_sizes_is_marked_and_not_read() -> None:
    # searched only up to a size smaller than the piece, the best square is the
    # largest searched: it fits one part of a larger outline, so the engine does not
    # read the piece again on it
    small = replace(DEFAULT_TUNING, veil_sides=(0.08, 0.11))
    whole = veil_square(_veiled(), SHIFT, 0.0, tuning=DEFAULT_TUNING)
    part = veil_square(_veiled(), SHIFT, 0.0, tuning=small)
    assert whole is not None and not whole.edge
    assert part is not None and part.edge
    fit = align(_veiled(), PIECE, SHIFT, search_px=1.0, tuning=small)
    assert fit is not None
    assert read_again(_veiled(), PIECE, fit, replace(small, veil_cover=0.0), None) is None


def _blocks(seed: int) -> np.ndarray:
    """A busy picture of small sharp-edged blocks of every colour (type in a tray)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (300, 130), (120, 110, 100))
    draw = ImageDraw.Draw(img)
    for _ in range(400):
        x, y = (int(v) for v in rng.integers(0, (300, 130)))
        w, h = (int(v) for v in rng.integers(3, 12, 2))
        draw.rectangle((x, y, x + w, y + h), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return np.asarray(img, dtype=np.float32).copy()


SQUARE = (PIECE[0], PIECE[1], PIECE[2], PIECE[2])


def _veiled_blocks(seed: int = 3) -> Image.Image:
    """A square piece cut from its gap's place and drawn half veiled white; the gap
    half veiled black: their content is shared, and its edges keep their polarity."""
    rgb = _blocks(seed)
    x, y, s, _ = SQUARE
    x, y, s = int(x), int(y), int(s)
    content = rgb[y : y + s, x + SHIFT : x + SHIFT + s].copy()
    rgb[y : y + s, x : x + s] = content * 0.5 + 255 * 0.5
    rgb[y : y + s, x + SHIFT : x + SHIFT + s] = content * 0.5
    return Image.fromarray(np.uint8(np.clip(rgb, 0, 255)))


def test_a_busy_veiled_square_is_reversed_on_its_ring_not_over_its_crop() -> None:
    # the content the piece shares with its gap keeps its polarity and outweighs the
    # outline over the whole crop; on the square's ring the outline is measured alone
    img = _veiled_blocks()
    whole, ring = square_polarity(img, SQUARE, SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert whole == outline_polarity(img, SQUARE, SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert whole.reversed < 0.3
    assert ring.reversed > 0.7 and ring.straight < DEFAULT_TUNING.polarity_straight
    assert ring.contrast >= DEFAULT_TUNING.veil_ring_contrast
    # the engine credits a veiled square's outline by its ring, other boxes by the crop
    assert reversed_outline(img, SQUARE, SHIFT, 0.0, DEFAULT_TUNING, ring=True) >= 0.9
    assert (
        reversed_outline(img, SQUARE, SHIFT, 0.0, DEFAULT_TUNING)
        < 0.5 * DEFAULT_TUNING.veil_reversed
    )


def test_a_ring_over_a_busy_picture_without_veils_holds_no_outline() -> None:
    # any square ring over the busy picture crosses some edges, reversed by chance or
    # not, but holds no more of them than the square's inside: no outline, so the
    # engine does not take the ring's measure
    plain = Image.fromarray(np.uint8(_blocks(3)))
    _, ring = square_polarity(plain, SQUARE, SHIFT, 0.0, tuning=DEFAULT_TUNING)
    assert ring.contrast < 0.5 * DEFAULT_TUNING.veil_ring_contrast
    assert reversed_outline(plain, SQUARE, SHIFT, 0.0, DEFAULT_TUNING, ring=True) == (
        reversed_outline(plain, SQUARE, SHIFT, 0.0, DEFAULT_TUNING)
    )


def test_the_ring_is_not_measured_when_turned_off() -> None:
    off = replace(DEFAULT_TUNING, veil_ring=0.0)
    img = _veiled_blocks()
    assert reversed_outline(img, SQUARE, SHIFT, 0.0, off, ring=True) == (
        reversed_outline(img, SQUARE, SHIFT, 0.0, off)
    )
