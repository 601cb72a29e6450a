"""Morphology on boolean masks for the local engine: erosion, dilation, reconstruction.

Square structuring elements; pixels outside the array count as False. numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BArray", "connected_bounds", "dilate", "erode", "reconstruct"]

#: A boolean image-shaped array.
BArray = np.ndarray[Any, np.dtype[np.bool_]]


def erode(m: BArray, k: int) -> BArray:
    """Erosion by a (2k+1)^2 square; outside the array counts as False."""
    out: BArray = m.copy()
    if k <= 0:
        return out
    for axis in (0, 1):
        n = out.shape[axis]
        if k >= n:
            out[...] = False
            break
        for sign in (1, -1):
            # AND over the k following (or preceding) pixels, by doubling the span
            span = 1  # out[i] covers i .. i + span - 1 (forward)
            acc = out.copy()
            while span <= k:
                step = min(span, k + 1 - span)
                shifted = np.zeros_like(acc)
                src_sl = [slice(None)] * 2
                dst_sl = [slice(None)] * 2
                if sign > 0:
                    dst_sl[axis], src_sl[axis] = slice(0, n - step), slice(step, n)
                else:
                    dst_sl[axis], src_sl[axis] = slice(step, n), slice(0, n - step)
                shifted[tuple(dst_sl)] = acc[tuple(src_sl)]
                acc &= shifted
                span += step
            out = out & acc if sign < 0 else acc
    return out


def dilate(m: BArray, k: int) -> BArray:
    """Dilation by a (2k+1)^2 square; outside the array counts as True."""
    out: BArray = ~erode(~m, k)
    return out


def _grow(m: BArray) -> BArray:
    """Dilation by a 3x3 square."""
    rows = m.copy()
    rows[1:, :] |= m[:-1, :]
    rows[:-1, :] |= m[1:, :]
    out: BArray = rows.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def reconstruct(mask: BArray, seed: BArray) -> BArray:
    """The pixels of ``mask`` connected (8-neighbourhood) to ``seed``: a geodesic
    dilation of the seed inside the mask, repeated until it stops growing."""
    region: BArray = seed & mask
    while True:
        grown = _grow(region) & mask
        if np.array_equal(grown, region):
            return region
        region = grown


def connected_bounds(mask: BArray, seed: BArray) -> tuple[int, int, int, int] | None:
    """``(x, y, w, h)`` bounding the pixels of ``mask`` connected to ``seed`` (see
    :func:`reconstruct`), or ``None`` when there are none."""
    ys, xs = np.nonzero(reconstruct(mask, seed))
    if len(ys) == 0:
        return None
    x0, y0 = int(xs.min()), int(ys.min())
    return x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0
