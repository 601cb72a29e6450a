"""The piece's own picture, cut out of two screenshots taken before and after it moved.

On a live page the first millimetres of a drag move the piece and nothing else (in the
captcha's picture): the pixels that changed are the piece at its new place and the
background it uncovered. Knowing the shift (from :func:`~.motion.measure_piece_shift`),
a changed pixel ``p`` belongs to the moved piece when ``after[p]`` equals
``before[p - shift]``; the bounding box of the change is the piece's start and end
positions side by side, so its width minus the shift is the piece's width.

Example:
    >>> piece = isolate_moved_piece(before, after)  # doctest: +SKIP
    >>> piece.sprite.size, piece.x, piece.y
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .._types import ImageInput
from ..errors import ConfigurationError
from ..images import open_image
from .motion import measure_piece_shift

__all__ = ["MovedPiece", "isolate_moved_piece"]

logger = logging.getLogger("omo_selenium.engine")

#: A row or column needs this many changed pixels to count as part of the change.
MIN_LINE_PIXELS = 2
#: The smallest piece (image px, either side) worth reporting.
MIN_PIECE_PX = 6

BArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class MovedPiece:
    """The piece seen moving.

    Attributes:
        sprite: the piece (RGBA; alpha 255 where the piece is), image px.
        x: its left edge before the move, image px.
        y: its top edge, image px.
        shift: how far it moved to the right, image px (sub-pixel).
        background: the first picture with the piece's start uncovered where the
            second one shows what was under it.
    """

    sprite: Image.Image
    x: int
    y: int
    shift: float
    background: Image.Image


def _span(counts: np.ndarray[Any, Any]) -> tuple[int, int] | None:
    idx = np.flatnonzero(counts >= MIN_LINE_PIXELS)
    if idx.size == 0:
        return None
    return int(idx[0]), int(idx[-1]) + 1


def _fill(mask: BArray) -> BArray:
    """Fill each row and each column between its outermost pixels, and keep the overlap:
    closes the piece's interior where it looks like the background behind it."""
    rows = np.zeros_like(mask)
    cols = np.zeros_like(mask)
    for y in np.flatnonzero(mask.any(axis=1)):
        xs = np.flatnonzero(mask[y])
        rows[y, xs[0] : xs[-1] + 1] = True
    for x in np.flatnonzero(mask.any(axis=0)):
        ys = np.flatnonzero(mask[:, x])
        cols[ys[0] : ys[-1] + 1, x] = True
    out: BArray = rows & cols
    return out


def isolate_moved_piece(
    before: ImageInput, after: ImageInput, *, shift_px: float | None = None
) -> MovedPiece | None:
    """Cut the piece that moved right between two screenshots of the captcha.

    Args:
        before: the captcha before the move.
        after: the captcha after the move (same size).
        shift_px: how far the piece moved, image px; measured when not given.

    Returns:
        The piece, where it started and the shift; ``None`` when nothing moved
        credibly to the right.

    Raises:
        ConfigurationError: the pictures differ in size or cannot be read.
    """
    a_img, b_img = open_image(before).convert("RGB"), open_image(after).convert("RGB")
    if a_img.size != b_img.size:
        raise ConfigurationError(f"screenshots differ in size: {a_img.size} vs {b_img.size}")
    if shift_px is None:
        shift_px = measure_piece_shift(a_img, b_img)
    if shift_px is None or shift_px < 1:
        return None
    a = np.asarray(a_img, dtype=np.float32)
    b = np.asarray(b_img, dtype=np.float32)
    diff = np.abs(b - a).max(axis=2)
    threshold = max(10.0, 6.0 * float(np.median(diff)) + 4.0)
    changed = diff > threshold
    rows, cols = _span(changed.sum(axis=1)), _span(changed.sum(axis=0))
    if rows is None or cols is None:
        return None
    (y0, y1), (x0, x1) = rows, cols
    s = round(shift_px)
    width = x1 - x0 - s
    if width < MIN_PIECE_PX or y1 - y0 < MIN_PIECE_PX:
        logger.debug("moved piece: change %dx%d too small for shift %d", x1 - x0, y1 - y0, s)
        return None
    nx = x0 + s  # the piece's left edge after the move
    box_after = b[y0:y1, nx : nx + width]
    box_before = a[y0:y1, x0 : x0 + width]
    same = np.abs(box_after - box_before).max(axis=2) <= threshold + 8.0
    moved = changed[y0:y1, nx : nx + width] | changed[y0:y1, x0 : x0 + width]
    alpha = _fill(same & moved)
    if alpha.sum() < MIN_PIECE_PX * MIN_PIECE_PX:
        return None
    rgba = np.dstack([box_after, alpha.astype(np.float32) * 255.0]).astype(np.uint8)
    sprite = Image.fromarray(rgba)
    uncovered = min(s, width)
    background = a_img.copy()
    background.paste(b_img.crop((x0, y0, x0 + uncovered, y1)), (x0, y0))
    logger.debug("moved piece: %dx%d at (%d, %d), shift %.2f", width, y1 - y0, x0, y0, shift_px)
    return MovedPiece(sprite, x0, y0, float(shift_px), background)
