"""Puzzle generation: the gap, the piece and the decoys drawn for a challenge."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from PIL import ImageFilter

from omo_selenium.demo_site import Variant
from omo_selenium.demo_site.puzzle import generate_puzzle, shape_mask
from omo_selenium.demo_site.variants import (
    SHAPES,
    STYLES,
    gap_x_range,
    gap_y_range,
    piece_size,
)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gap_lies_inside_the_picture_and_right_of_the_piece_start(shape: str, seed: int) -> None:
    variant = Variant(shape=shape, scale=1.0 + 0.3 * seed)
    puzzle = generate_puzzle(variant, seed)
    width, height = variant.natural_size()
    side = piece_size(variant.scale)

    assert puzzle.background.size == (width, height)
    assert puzzle.piece.size == (side, side)
    assert gap_x_range(variant)[0] <= puzzle.gap_x <= gap_x_range(variant)[1]
    assert gap_y_range(variant)[0] <= puzzle.gap_y <= gap_y_range(variant)[1]
    assert puzzle.gap_x >= side  # the piece starts at x=0: no overlap
    assert puzzle.gap_x + side <= width and puzzle.gap_y + side <= height


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("scale", [0.8, 1.0, 1.6])
def test_piece_pixels_match_the_background_at_the_gap_before_shading(
    style: str, scale: float
) -> None:
    puzzle = generate_puzzle(Variant(style=style, scale=scale), seed=5)
    side = puzzle.piece.width
    inner = np.asarray(puzzle.mask.filter(ImageFilter.MinFilter(9))) == 255
    clean = np.asarray(
        puzzle.clean.crop((puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side))
    )
    piece = np.asarray(puzzle.piece)

    assert inner.sum() > 0.2 * side * side
    assert np.array_equal(piece[inner][:, :3], clean[inner])
    assert (piece[inner][:, 3] == 255).all()


def test_piece_image_is_cropped_to_the_piece_with_transparent_corners() -> None:
    puzzle = generate_puzzle(Variant(shape="circle", style="flat"), seed=3)
    alpha = np.asarray(puzzle.piece)[:, :, 3]

    assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0
    assert alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255


@pytest.mark.parametrize("style", STYLES)
def test_gap_is_shaded_in_the_background_and_the_rest_is_untouched(style: str) -> None:
    puzzle = generate_puzzle(Variant(style=style), seed=11)
    side = puzzle.piece.width
    box = (puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side)
    inner = np.asarray(puzzle.mask.filter(ImageFilter.MinFilter(9))) == 255
    clean = np.asarray(puzzle.clean.crop(box)).astype(int)
    shaded = np.asarray(puzzle.background.crop(box)).astype(int)

    assert np.abs(shaded[inner] - clean[inner]).mean() > 20
    outside = np.asarray(puzzle.background).astype(int)
    outside[box[1] : box[3], box[0] : box[2]] = np.asarray(puzzle.clean.crop(box))
    assert np.array_equal(outside, np.asarray(puzzle.clean))


def test_backgrounds_vary_across_seeds_and_repeat_for_the_same_seed() -> None:
    pictures = [np.asarray(generate_puzzle(Variant(), s).clean).astype(int) for s in range(6)]

    for a, b in combinations(pictures, 2):
        assert np.abs(a - b).mean() > 10
    again = np.asarray(generate_puzzle(Variant(), 0).clean).astype(int)
    assert np.array_equal(again, pictures[0])


def test_gap_positions_vary_across_seeds() -> None:
    gaps = {(p.gap_x, p.gap_y) for p in (generate_puzzle(Variant(), s) for s in range(12))}

    assert len(gaps) >= 10


@pytest.mark.parametrize("count", [1, 2, 4])
def test_decoys_are_painted_away_from_the_gap(count: int) -> None:
    variant = Variant(decoys=count)
    puzzle = generate_puzzle(variant, seed=count)
    width, height = variant.natural_size()
    side = puzzle.piece.width
    gap = (puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side)

    assert len(puzzle.decoys) == count
    for left, top, right, bottom in puzzle.decoys:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height
        assert left >= side  # not under the piece's start position
        assert right <= gap[0] or left >= gap[2] or bottom <= gap[1] or top >= gap[3]
        region = (left, top, right, bottom)
        diff = np.abs(
            np.asarray(puzzle.background.crop(region)).astype(int)
            - np.asarray(puzzle.clean.crop(region)).astype(int)
        )
        assert diff.mean() > 3


def test_shapes_are_distinct_masks() -> None:
    masks = {shape: np.asarray(shape_mask(shape, 54, 4)) > 127 for shape in SHAPES}

    for a, b in combinations(SHAPES, 2):
        assert (masks[a] != masks[b]).mean() > 0.05, (a, b)
    for mask in masks.values():
        assert not mask[0].any() and not mask[-1].any()
    with pytest.raises(ValueError):
        shape_mask("hexagon", 54, 4)
