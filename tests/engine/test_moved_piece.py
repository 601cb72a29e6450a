"""Cutting the piece out of two screenshots of it moving (the solver's look)."""

from __future__ import annotations

import numpy as np
import pytest

from omo_selenium.engine.moved_piece import isolate_moved_piece
from omo_selenium.testing.synthetic import make_drag_pair


@pytest.mark.parametrize("seed", range(12))
def test_the_moved_piece_is_found_where_it_started_at_its_size(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=70, with_handle=False)
    p = pair.params
    k = pair.before.width / p["native_width"]
    piece = isolate_moved_piece(pair.before, pair.after)
    assert piece is not None
    assert piece.shift == pytest.approx(pair.shift_px, abs=1.0)
    size = p["piece_size"] * k
    # the piece's outline and shadow may add a few px around its shape
    assert piece.x == pytest.approx(p["piece_x"] * k, abs=0.25 * size)
    assert piece.y == pytest.approx(p["piece_y"] * k, abs=0.25 * size)
    # piece_size is the shape's square box; a jigsaw is narrower than its box
    assert 0.4 * size <= piece.sprite.width <= 1.6 * size
    assert 0.4 * size <= piece.sprite.height <= 1.6 * size
    sprite = np.asarray(piece.sprite, dtype=np.float32)
    alpha = sprite[..., 3] > 0
    assert alpha.mean() >= 0.4  # most of the box is the piece, not background
    # what was cut is what stood at the start before the move
    w, h = piece.sprite.size
    start = np.asarray(pair.before.crop((piece.x, piece.y, piece.x + w, piece.y + h)))
    assert np.abs(start[alpha].astype(np.float32) - sprite[..., :3][alpha]).mean() < 12


@pytest.mark.parametrize("seed", range(4))
def test_the_uncovered_start_shows_the_background_not_the_piece(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=90, with_handle=False, noise=0.0)
    piece = isolate_moved_piece(pair.before, pair.after)
    assert piece is not None
    w, h = piece.sprite.size
    box = (piece.x, piece.y, piece.x + w, piece.y + h)
    start_before = np.asarray(pair.before.crop(box), dtype=np.float32)
    start_bg = np.asarray(piece.background.crop(box), dtype=np.float32)
    start_after = np.asarray(pair.after.crop(box), dtype=np.float32)
    assert np.abs(start_bg - start_after).mean() < 1.0  # taken from the second shot
    assert np.abs(start_bg - start_before).mean() > 5.0  # the piece is gone from it


def test_nothing_moved_gives_none() -> None:
    pair = make_drag_pair(3, shift_native=0, with_handle=False)
    assert isolate_moved_piece(pair.before, pair.after) is None
