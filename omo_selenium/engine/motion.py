"""How far did the piece move? Compare two screenshots of the same captcha.

The Selenium layer drags the slider a little, takes a second screenshot and asks
:func:`measure_piece_shift` how many image px the piece travelled, which gives the
handle-to-piece ratio of the widget; it asks again before releasing, to check the
landing. The background is identical in both screenshots; only the piece (and maybe
the slider handle, when the crop includes it) moved, plus some noise.

Method: pixels that changed between the two shots belong either to the piece at its
new place or to background it uncovered. For each candidate shift ``s`` (both
directions) the score counts the changed edge pixels ``p`` with ``after[p] == before[p - s]``
and those with ``before[p] == after[p + s]`` (within the noise, plus half the local
gradient for fractional shifts); the piece's pixels agree at the true shift. A parabola through the
sum of squared differences at ``s - 1, s, s + 1`` gives the sub-pixel value.

Example:
    >>> shift_px = measure_piece_shift(before_png, after_png)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from .._types import ImageInput
from ..errors import ConfigurationError
from ..images import open_image

__all__ = ["measure_piece_shift"]

logger = logging.getLogger("omo_selenium.motion")

#: Fewest changed pixels that count as a movement.
MIN_CHANGED_PIXELS = 12
#: Least share of changed pixels that must agree with the shifted first shot.
MIN_AGREEMENT = 0.2
#: Pixels sampled for the integer search (all of them are used for the sub-pixel fit).
SAMPLE_PIXELS = 1000

FArray = np.ndarray[Any, np.dtype[np.float32]]


def _rgb(image: ImageInput) -> FArray:
    return np.asarray(open_image(image), dtype=np.float32)


def _channel_max(a: FArray) -> FArray:
    """Maximum over the last (colour) axis; faster than ``a.max(axis=-1)`` for 3 channels."""
    out: FArray = np.maximum(np.maximum(a[..., 0], a[..., 1]), a[..., 2])
    return out


def _edges(rgb: FArray) -> FArray:
    """Largest absolute difference (any channel) to a horizontal or vertical neighbour."""
    out = np.zeros(rgb.shape[:2], dtype=np.float32)
    dx = _channel_max(np.abs(np.diff(rgb, axis=1)))
    dy = _channel_max(np.abs(np.diff(rgb, axis=0)))
    out[:, 1:] = dx
    out[:, :-1] = np.maximum(out[:, :-1], dx)
    out[1:, :] = np.maximum(out[1:, :], dy)
    out[:-1, :] = np.maximum(out[:-1, :], dy)
    return out


def _sample(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> tuple[Any, Any]:
    """Coordinates of the True pixels, at most :data:`SAMPLE_PIXELS` of them (seeded)."""
    ys, xs = np.nonzero(mask)
    if ys.size > SAMPLE_PIXELS:
        pick = np.random.default_rng(0).choice(ys.size, SAMPLE_PIXELS, replace=False)
        ys, xs = ys[pick], xs[pick]
    return ys, xs


def _upper_band(changed: np.ndarray[Any, np.dtype[np.bool_]]) -> Any:
    """Keep the uppermost substantial band of changed rows (separated by unchanged rows)."""
    counts = changed.sum(axis=1)
    rows = np.flatnonzero(counts >= 2)
    if rows.size == 0:
        return changed
    breaks = np.flatnonzero(np.diff(rows) > 2)
    starts = np.concatenate([[rows[0]], rows[breaks + 1]])
    ends = np.concatenate([rows[breaks], [rows[-1]]]) + 1
    sizes = np.array([counts[s:e].sum() for s, e in zip(starts, ends, strict=True)])
    for s, e, size in zip(starts, ends, sizes, strict=True):
        if size >= max(MIN_CHANGED_PIXELS, 0.05 * sizes.max()):
            out = np.zeros_like(changed)
            out[s:e] = changed[s:e]
            return out
    return changed


def measure_piece_shift(
    before: ImageInput, after: ImageInput, *, max_shift_px: int | None = None
) -> float | None:
    """Return how many image px the piece moved to the right between two screenshots.

    Args:
        before: the screenshot before the drag.
        after: the screenshot after the drag (same size).
        max_shift_px: the largest shift to consider (default: the image width).

    Returns:
        The shift in image px (sub-pixel, > 0), or ``None`` when nothing moved
        credibly: the shots are identical up to noise, or what changed does not look
        like one object moved to the right (a move to the left also gives ``None``).
        When the crop also holds the slider handle (which moves by its own amount) on
        rows of its own below the picture, the upper band of change (the piece) is
        measured.

    Raises:
        ConfigurationError: an image is unreadable, the sizes differ, or
            ``max_shift_px`` is not a positive integer.
    """
    a = _rgb(before)
    b = _rgb(after)
    if a.shape != b.shape:
        raise ConfigurationError(
            f"screenshots differ in size: {a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}"
        )
    w_img = a.shape[1]
    if max_shift_px is None:
        max_shift_px = w_img - 1
    if isinstance(max_shift_px, bool) or not isinstance(max_shift_px, int) or max_shift_px < 1:
        raise ConfigurationError(f"max_shift_px must be a positive integer, got {max_shift_px!r}")
    diff = _channel_max(np.abs(b - a))
    noise = float(np.median(diff))
    threshold = max(10.0, 6.0 * noise + 4.0)
    changed = diff > threshold
    n_changed = int(changed.sum())
    if n_changed < MIN_CHANGED_PIXELS:
        logger.debug("motion: nothing moved (%d changed px)", n_changed)
        return None
    # a slider handle in the crop moves by its own amount, on rows below the picture:
    # when the change falls into separate bands of rows, measure the upper one
    changed = _upper_band(changed)
    # only pixels on an edge or texture pin a shift down; flat ones agree with anything
    edge = max(8.0, 3.0 * noise)
    b_grad, a_grad = _edges(b), _edges(a)
    b_edges = b_grad > edge
    fy, fx = _sample(changed & b_edges)  # where the piece may be now
    by, bx = _sample(changed & (a_grad > edge))  # where it may have been
    if fy.size + by.size < MIN_CHANGED_PIXELS:
        return None
    xs_all = np.concatenate([fx, bx])
    span = int(xs_all.max() - xs_all.min())
    limit = min(max_shift_px, max(1, span))
    a_flat = a.reshape(-1, 3)
    b_flat = b.reshape(-1, 3)
    f_idx = fy * w_img + fx
    b_idx = by * w_img + bx
    fwd_target, bwd_target = b_flat[f_idx], a_flat[b_idx]
    # a fractional shift misaligns fine texture by up to half a pixel: tolerate that
    fwd_tol = threshold + 0.5 * b_grad[fy, fx]
    bwd_tol = threshold + 0.5 * a_grad[by, bx]
    best_shift, best_count = 0, -1
    for s in [*range(1, limit + 1), *range(-limit, 0)]:
        ok_f = (fx >= s) & (fx - s < w_img)
        ok_b = (bx + s < w_img) & (bx + s >= 0)
        fwd = _channel_max(np.abs(fwd_target[ok_f] - a_flat[f_idx[ok_f] - s]))
        bwd = _channel_max(np.abs(bwd_target[ok_b] - b_flat[b_idx[ok_b] + s]))
        count = int((fwd <= fwd_tol[ok_f]).sum()) + int((bwd <= bwd_tol[ok_b]).sum())
        if count > best_count:
            best_shift, best_count = s, count
    if best_shift < 0:
        logger.debug("motion: the piece moved left (%d px)", -best_shift)
        return None
    best_share = best_count / float(fy.size + by.size)
    if best_share < MIN_AGREEMENT:
        logger.debug("motion: no consistent shift (best agreement %.2f)", best_share)
        return None
    ys, xs = np.nonzero(changed & b_edges)
    # sub-pixel: squared differences of the agreeing pixels at s - 1, s, s + 1
    src = xs - best_shift
    ok = src >= 1
    keep = np.zeros_like(ok)
    keep[ok] = _channel_max(np.abs(b[ys[ok], xs[ok]] - a[ys[ok], src[ok]])) <= threshold
    ky, kx = ys[keep], xs[keep]
    ssd = []
    for s in (best_shift - 1, best_shift, best_shift + 1):
        srcx = np.clip(kx - s, 0, w_img - 1)
        ssd.append(float(np.square(b[ky, kx] - a[ky, srcx]).mean()) if kx.size else 0.0)
    den = ssd[0] - 2.0 * ssd[1] + ssd[2]
    sub = 0.5 * (ssd[0] - ssd[2]) / den if den > 0 else 0.0
    shift = best_shift + float(np.clip(sub, -0.5, 0.5))
    logger.debug(
        "motion: piece moved %.2f px (agreement %.2f of %d edge px)",
        shift,
        best_share,
        fy.size + by.size,
    )
    return shift
