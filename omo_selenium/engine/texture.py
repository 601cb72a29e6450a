"""The piece's grain found again at its gap, to the pixel (engine-internal).

A piece is cut from the picture where its gap is, and the gap is drawn over the picture
there: darkened, whitened or veiled, one blend for the whole shape. The picture's finest
texture (its grain: noise, JPEG blocks, fine detail) stays where it was under that
blend, so the piece's grain lines up with the gap's at exactly the right shift.

The outlines the alignment measures on do not always: a widget may draw a glow, a
shadow or a bevel on one side of the piece or of its gap, and the shift then leans
towards it by a pixel or two. Where the grain gives one sharp, near-perfect peak, that
peak is the shift; where the grain is faint, smooth, lined (stripes along the shift) or
repeating, it says nothing and the outlines' shift stands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .gradients import box_mean, parabola_peak
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["TextureShift", "grain", "grain_correlations", "texture_shift"]

F32 = np.ndarray[Any, np.dtype[np.float32]]
IArray = np.ndarray[Any, np.dtype[np.intp]]


@dataclass(frozen=True)
class TextureShift:
    """Where the piece's grain lines up with the gap's.

    Attributes:
        dx: horizontal shift piece -> gap, screenshot px (sub-pixel).
        dy: vertical shift, screenshot px (whole px).
        peak: correlation of the two grains there (1: the same to the pixel).
        lead: how far the peak stands above the best correlation 2 px or more off it
            (along the rows or the columns).
    """

    dx: float
    dy: float
    peak: float
    lead: float


def grain(rgb: F32) -> F32:
    """A crop's finest texture: each pixel's grey less the mean of its 3 x 3 block."""
    grey: F32 = rgb.mean(axis=2)
    out: F32 = grey - box_mean(grey, 1)
    return out


def grain_correlations(a: F32, ys: IArray, xs: IArray, g: F32, ey: IArray, ex: IArray) -> F32:
    """The correlation of the grain values ``a`` (at ``(ys, xs)``) with the grain ``g``
    at each offset ``(ey[i], ex[i])`` (rows and columns past ``g``'s border repeat it)."""
    rows = np.clip(ys[None, :] + ey[:, None], 0, g.shape[0] - 1)
    cols = np.clip(xs[None, :] + ex[:, None], 0, g.shape[1] - 1)
    b = g[rows, cols]
    out: F32 = (b @ a) / np.sqrt(float((a * a).sum()) * (b * b).sum(axis=1) + 1e-6)
    return out


def _crop(img: Image.Image, x0: int, y0: int, w: int, h: int) -> F32:
    """``img``'s pixels from ``(x0, y0)``, ``w`` x ``h``, as they are (black outside the
    picture). Not :func:`~omo_selenium.engine.align.scaled_crop`: that one resamples
    and stretches a window cut short by the border, and grain is compared to the pixel
    at whole-pixel offsets, with the offsets leaving the picture set aside."""
    out: F32 = np.asarray(img.crop((x0, y0, x0 + w, y0 + h)), dtype=np.float32)
    return out


def texture_shift(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    *,
    scale: float = 1.0,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> TextureShift | None:
    """The shift at which the piece's grain lines up with its gap's, near ``(dx, dy)``.

    Args:
        img: the screenshot (RGB), at the resolution of ``box`` and the shift.
        box: the piece's (x, y, w, h), screenshot px.
        dx: the shift piece -> gap the outlines gave, screenshot px.
        dy: the vertical shift, screenshot px.
        scale: screenshot px per working px: the distances of ``tuning`` (its
            ``texture_*`` fields) are in working px.
        tuning: the engine's tuning.

    Returns:
        The grain's shift, or ``None`` when the grain does not give one: its peak is
        under ``texture_peak``, leads the correlations 2 px or more off it by less than
        ``texture_lead`` within ``texture_lookout``, or lies further than
        ``texture_reach`` from ``dx``. Rows up to ``texture_rows`` above and below
        ``dy`` are searched too.
    """
    t = tuning
    bx, by, bw, bh = box
    w_img, h_img = img.size
    px, py = round(bx), round(by)
    w, h = min(int(bw), w_img - px), min(int(bh), h_img - py)
    if w < 8 or h < 8 or px < 0 or py < 0:
        return None
    gx, gy = round(bx + dx), round(by + dy)
    look = math.ceil(t.texture_lookout * scale)
    rows = math.ceil(t.texture_rows * scale)
    # the piece's grain on the central ellipse of its box (away from outlines and
    # halos), at most texture_pixels of it, evenly spread
    a_all = grain(_crop(img, px - 1, py - 1, w + 2, h + 2))[1:-1, 1:-1]
    yy, xx = np.mgrid[0:h, 0:w]
    half = t.texture_core / 2.0
    core = ((xx - (w - 1) / 2) / (half * w)) ** 2 + ((yy - (h - 1) / 2) / (half * h)) ** 2 <= 1
    ys, xs = np.nonzero(core)
    every = max(1, len(ys) // t.texture_pixels)
    ys, xs = ys[::every], xs[::every]
    a = a_all[ys, xs]
    if len(a) < 32 or float((a * a).sum()) <= 0:
        return None
    # the gap's grain, wide enough for every offset; offsets whose window leaves the
    # picture are not weighed
    ox, oy = gx - look - 1, gy - rows - 1
    g = grain(_crop(img, ox, oy, w + 2 * look + 2, h + 2 * rows + 2))
    sx = np.arange(-look, look + 1)
    sy = np.arange(-rows, rows + 1)
    ey, ex = (o.ravel() for o in np.meshgrid(sy, sx, indexing="ij"))
    corr = grain_correlations(a, ys, xs, g, ey + rows + 1, ex + look + 1)
    inside = (gx + ex >= 0) & (gx + ex + w <= w_img) & (gy + ey >= 0) & (gy + ey + h <= h_img)
    grid = np.where(inside, corr, -np.inf).reshape(len(sy), len(sx))
    j, i = np.unravel_index(int(np.argmax(grid)), grid.shape)
    peak = float(grid[j, i])
    # 2 px or more off the peak in either direction: a straight edge inside the box
    # lines up with another edge all along it, and so leads no other row
    # (a peak with nothing inside the picture to lead is not sharp: it is not taken)
    far = grid[(np.abs(sy - sy[j]) >= 2)[:, None] | (np.abs(sx - sx[i]) >= 2)[None, :]]
    far = far[np.isfinite(far)]
    if peak < t.texture_peak or far.size == 0:
        return None
    lead = peak - float(far.max())
    if lead < t.texture_lead:
        return None
    sub = 0.0
    if 0 < i < len(sx) - 1:
        sub = parabola_peak(float(grid[j, i - 1]), peak, float(grid[j, i + 1]))
    shift = gx + int(sx[i]) + sub - px
    if abs(shift - dx) > t.texture_reach * scale:
        return None
    return TextureShift(dx=shift, dy=float(gy + int(sy[j]) - py), peak=peak, lead=lead)
