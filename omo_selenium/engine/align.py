"""Fine alignment of the piece on one candidate gap (engine-internal).

The piece box and a window around the candidate gap are cropped from the full
screenshot and scaled by the same exact factor, so that the piece is about
:data:`ALIGN_SIZE` px across (never enlarged); both crops keep integer origins in the
screenshot, so their pixel grids differ by a whole number of screenshot px and a
shift measured in the crops converts back exactly. The colour orientation field of
both crops is compared by zero-mean normalised correlation (computed with FFTs) over
every horizontal offset in the window and a few px of vertical play; a parabola through
the peak and its neighbours gives the sub-pixel shift.

:func:`refine_box` re-measures the piece's box once a shift is known: at that shift the
piece's outline agrees with the gap's all around (a crisp closed ring at this scale,
whatever the decoration), which often bounds the piece better than the coarse search.
:func:`bound_columns` re-bounds a box narrower than tall by the columns where the
piece's vertical outline agrees with the gap's; :func:`complete_right` extends a box that
ends inside the piece to its right outline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .gradients import (
    Array,
    blur_rows,
    colour_orientation_field,
    correlate_valid,
    integral_image,
    parabola_peak,
)
from .morph import connected_bounds
from .period import Fade
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = [
    "ALIGN_SIZE",
    "Alignment",
    "FArray",
    "align",
    "bound_columns",
    "complete_right",
    "crop_field",
    "crop_pair",
    "refine_box",
    "scaled_crop",
]

#: Size (px) of the piece's larger side in the alignment crops (the default tuning's).
ALIGN_SIZE = DEFAULT_TUNING.align_size

FArray = np.ndarray[Any, np.dtype[np.float64]]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Alignment:
    """Where the piece fits best near one candidate gap.

    Attributes:
        dx: horizontal shift piece -> gap, screenshot px (sub-pixel).
        dy: vertical shift piece -> gap, screenshot px.
        ncc: normalised correlation of the two orientation fields at that shift.
        scale: crop px per screenshot px used for the measurement.
    """

    dx: float
    dy: float
    ncc: float
    scale: float


def scaled_crop(img: Image.Image, x0: float, y0: float, w: int, h: int, f: float) -> Array:
    """Return ``img`` from ``(x0, y0)`` scaled by ``f`` into a ``(h, w, 3)`` float32 array."""
    box = (x0, y0, min(img.width, x0 + w / f), min(img.height, y0 + h / f))
    out: Array = np.asarray(img.resize((w, h), Image.Resampling.BOX, box=box), dtype=np.float32)
    return out


def crop_pair(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    margin: float,
    f: float = 1.0,
) -> tuple[Array, Array, float, float] | None:
    """The piece box with ``margin`` px around it, and the same window ``(dx, dy)``
    away, both cut from ``img`` and scaled by ``f``, kept inside the picture at both
    places; with the window's top-left ``(x0, y0)`` in screenshot px. ``None`` when
    less than 8 x 8 px of it would be left."""
    bx, by, bw, bh = box
    w_img, h_img = img.size
    x0, y0 = max(0.0, bx - margin), max(0.0, by - margin, -dy)
    x1, y1 = min(w_img - dx, bx + bw + margin), min(h_img, h_img - dy, by + bh + margin)
    w, h = int((x1 - x0) * f), int((y1 - y0) * f)
    if w < 8 or h < 8:
        return None
    piece = scaled_crop(img, x0, y0, w, h, f)
    return piece, scaled_crop(img, x0 + dx, y0 + dy, w, h, f), x0, y0


def crop_field(rgb: Array, t: EngineTuning) -> tuple[Array, Array]:
    """The colour orientation field of a crop (``(h, w, 3)``), as the alignment compares
    crops: at ``t.align_blur``, normalised and floored by the ``t.align_*`` fields."""
    return colour_orientation_field(
        rgb,
        sigma=t.align_blur,
        norm_sigma=t.align_norm_sigma,
        floor=t.align_floor,
        smooth=t.align_smooth,
        crisp=t.align_crisp,
        crisp_keep=t.crisp_keep,
    )


def _piece_field(
    img: Image.Image,
    x0: float,
    y0: float,
    w: int,
    h: int,
    f: float,
    t: EngineTuning,
    fade: Fade | None,
) -> tuple[Array, Array]:
    """The colour orientation field of the piece's crop, with what only repeats a periodic
    background faded (``fade``; ``None``: as it is)."""
    ac, as_ = crop_field(scaled_crop(img, x0, y0, w, h, f), t)
    if fade is None:
        return ac, as_
    keep = fade.over(x0, y0, w, h, f)
    return ac * keep, as_ * keep


def _ncc_map(temps: list[Array], targets: list[Array], ncc_floor: float) -> FArray:
    """Zero-mean NCC of the (joint) templates at every valid offset in the targets."""
    th, tw = temps[0].shape
    n = th * tw
    t = np.stack(temps)
    t = t - t.mean(axis=(1, 2), keepdims=True)
    tnorm = float((t * t).sum())
    b = np.stack(targets)
    num = correlate_valid(b, t)
    # the targets' sums and sums of squares over every window, from integral images
    b64 = b.astype(np.float64)
    ii = integral_image(np.stack([b64, b64 * b64]))
    sums = ii[..., th:, tw:] - ii[..., :-th, tw:] - ii[..., th:, :-tw] + ii[..., :-th, :-tw]
    var = (sums[1] - sums[0] * sums[0] / n).sum(axis=0)
    floor = ncc_floor * n
    out: FArray = num / (math.sqrt(tnorm + floor) * np.sqrt(np.maximum(var, 0.0) + floor))
    return out


def _smooth_rows(grid: FArray, sigma: float) -> FArray:
    """Gaussian smoothing of each row (edge values repeated); ``sigma <= 0``: unchanged.

    A piece drawn with a thick outline has two parallel edges (inside and outside the
    line) where its gap has one, so the correlation has two close peaks; smoothing along
    the shift merges them into one at the line's centre, and leaves a single peak where
    it is.
    """
    if grid.shape[1] < 3:
        return grid
    out: FArray = blur_rows(grid, sigma)
    return out


def align(
    img: Image.Image,
    box: Box,
    dx: float,
    *,
    search_px: float,
    tuning: EngineTuning = DEFAULT_TUNING,
    fade: Fade | None = None,
) -> Alignment | None:
    """Measure the piece -> gap shift near ``dx`` to a fraction of a pixel.

    Args:
        img: the screenshot (RGB).
        box: the piece's (x, y, w, h) in screenshot px (floats allowed).
        dx: the rough shift (screenshot px) of the candidate gap.
        search_px: how far (screenshot px) from ``dx`` the shift may be.
        tuning: the engine's tuning (``align_size``: the piece's larger side in the
            crops; ``vertical_play``, ``ncc_floor``, ``peak_smooth``).

    Returns:
        The best shift near ``dx``, or ``None`` when the window leaves the image.
    """
    bx, _, bw, bh = box
    w_img = img.width
    f = min(1.0, tuning.align_size / max(bw, bh, 1.0))
    x0 = max(0, math.floor(bx))
    x1 = min(w_img, math.ceil(bx + bw))
    margin = search_px + 3.0 / f
    found = _measure(img, (x0, x1), box, dx, margin, f, tuning, fade)
    # a gap touching the picture's right edge shows no right outline there (the border
    # repeats its last column), which pulls the shift; it is measured again without the
    # piece's columns that would land within the fields' reach of the border. The
    # correlation stays the whole piece's, so that a candidate is not favoured for
    # being cut short by the edge.
    reach = x1 + dx + margin - w_img
    if found is not None and reach > 0 and x1 - reach - x0 >= 0.5 * (x1 - x0):
        trimmed = _measure(img, (x0, math.floor(x1 - reach)), box, dx, margin, f, tuning, fade)
        if trimmed is not None:
            found = Alignment(dx=trimmed.dx, dy=trimmed.dy, ncc=found.ncc, scale=f)
    return found


def _measure(
    img: Image.Image,
    cols: tuple[int, int],
    box: Box,
    dx: float,
    margin: float,
    f: float,
    tuning: EngineTuning,
    fade: Fade | None = None,
) -> Alignment | None:
    """:func:`align` for the piece's columns ``cols`` (screenshot px, end excluded)."""
    _, by, _, bh = box
    w_img, h_img = img.size
    x0, x1 = cols
    play = tuning.vertical_play * bh + 2.0
    y0 = max(0, math.floor(by - play))
    y1 = min(h_img, math.ceil(by + bh + play))
    gx0 = max(x1, math.floor(x0 + dx - margin))
    gx1 = min(w_img, math.ceil(x1 + dx + margin))
    ry = max(1, round(play * f))
    w_a, h_a = int((x1 - x0) * f), int((y1 - y0) * f)
    w_b = int((gx1 - gx0) * f)
    th = h_a - 2 * ry
    if w_a < 4 or th < 4 or w_b < w_a + 2:
        return None
    ac, as_ = _piece_field(img, x0, y0, w_a, h_a, f, tuning, fade)
    bc, bs = crop_field(scaled_crop(img, gx0, y0, w_b, h_a, f), tuning)
    raw = _ncc_map([ac[ry : ry + th], as_[ry : ry + th]], [bc, bs], tuning.ncc_floor)
    grid = _smooth_rows(raw, tuning.peak_smooth)
    iy, ix = np.unravel_index(int(np.argmax(grid)), grid.shape)
    best = float(grid[iy, ix])
    ny, nx = grid.shape
    subx = parabola_peak(grid[iy, ix - 1], best, grid[iy, ix + 1]) if 0 < ix < nx - 1 else 0.0
    suby = parabola_peak(grid[iy - 1, ix], best, grid[iy + 1, ix]) if 0 < iy < ny - 1 else 0.0
    return Alignment(
        dx=gx0 - x0 + (int(ix) + subx) / f,
        dy=(int(iy) - ry + suby) / f,
        ncc=float(raw[iy, ix]),
        scale=f,
    )


def refine_box(
    img: Image.Image,
    box: Box,
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
    fade: Fade | None = None,
) -> Box:
    """Re-measure the piece's (x, y, w, h) once its shift ``(dx, dy)`` to the gap is known.

    The piece's surroundings (up to ``tuning.refine_margin`` of its size around ``box``,
    never reaching the gap) and the same area shifted by ``(dx, dy)`` are compared by
    their colour orientation fields at piece scale ``tuning.refine_size``. The pixels that
    agree strongly and connect to those inside ``box`` are the outline and the texture
    the piece shares with its gap; their bounds are the new box. Returns ``box``
    unchanged when there is nothing to measure.
    """
    bx, by, bw, bh = box
    w_img, h_img = img.size
    side = max(bw, bh, 1.0)
    f = min(1.0, tuning.refine_size / side)
    m = tuning.refine_margin * side
    x0, y0 = max(0.0, bx - m), max(0.0, by - m, -dy)
    x1, y1 = min(bx + bw + m, dx, w_img - dx), min(h_img, h_img - dy, by + bh + m)
    w, h = int((x1 - x0) * f), int((y1 - y0) * f)
    if w < 8 or h < 8:
        return box
    ac, as_ = _piece_field(img, x0, y0, w, h, f, tuning, fade)
    bc, bs = crop_field(scaled_crop(img, x0 + dx, y0 + dy, w, h, f), tuning)
    agree = ac * bc + as_ * bs
    inside = np.zeros(agree.shape, dtype=bool)
    inside[
        max(0, int((by - y0) * f)) : math.ceil((by + bh - y0) * f),
        max(0, int((bx - x0) * f)) : math.ceil((bx + bw - x0) * f),
    ] = True
    if not inside.any():
        return box
    peak = float(np.percentile(agree[inside], 98))
    if peak <= 0:
        return box
    bounds = connected_bounds(agree > tuning.refine_level * peak, inside)
    if bounds is None:
        return box
    x, y, w, h = bounds
    return x0 + x / f, y0 + y / f, w / f, h / f


def _rows_on_both(box: Box, dy: float, h_img: int) -> tuple[int, float]:
    """The first and end row of ``box`` that lie inside the picture both at the piece
    and ``dy`` lower, at its gap."""
    _, by, _, bh = box
    return max(0, math.floor(by), math.ceil(-dy)), min(by + bh, h_img, h_img - dy)


def _column_agreement(
    img: Image.Image,
    crop: tuple[int, int, int, int],
    dx: float,
    dy: float,
    n: int,
    f: float,
    t: EngineTuning,
    fade: Fade | None,
    *,
    vertical: bool = False,
) -> FArray:
    """Per column of the piece's crop (``(x0, y0, w, h)``: origin in screenshot px, size
    in crop px at scale ``f``), how well the piece's field agrees with the gap's
    ``(dx, dy)`` away: the mean over the crop's rows, best of the shifts within ``n``
    crop px. ``vertical``: the vertical orientation alone (the doubled-angle cosine
    channel, both fields positive), which horizontal stripes do not have."""
    x0, y0, w, h = crop
    pc, ps = _piece_field(img, x0, y0, w, h, f, t, fade)
    # one field over the gap's columns at every shift, sliced per shift
    gc, gs = crop_field(scaled_crop(img, x0 + dx - n / f, y0 + dy, w + 2 * n, h, f), t)
    if vertical:
        up, gup = np.maximum(pc, 0.0), np.maximum(gc, 0.0)
        per_shift = [(up * gup[:, i : i + w]).mean(axis=0) for i in range(2 * n + 1)]
    else:
        per_shift = [
            (pc * gc[:, i : i + w] + ps * gs[:, i : i + w]).mean(axis=0) for i in range(2 * n + 1)
        ]
    out: FArray = np.stack(per_shift).max(axis=0)
    return out


def complete_right(
    img: Image.Image,
    box: Box,
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
    fade: Fade | None = None,
) -> Box:
    """Extend ``box`` to the piece's right outline when it ends short of it.

    A window anchored at the picture's left edge can match on the piece's left outline
    alone, and the box then ends inside the piece. The piece's right outline agrees with
    the gap's along the whole height of the box, a column of agreement that stands out
    of the columns around it, at the shift ``dx`` (within ``tuning.complete_search``; the
    shift measured on one side may be off). When the strongest such column lies beyond
    the box's right side, the box is widened to it, plus a margin for its shadow; the
    columns searched never reach the gap. Returns ``box`` unchanged otherwise.
    """
    t = tuning
    bx, by, bw, bh = box
    w_img, h_img = img.size
    f = min(1.0, t.align_size / max(bw, bh, 1.0))
    right = bx + bw
    n = max(1, round(t.complete_search * f))
    x0 = max(0, math.floor(right - t.complete_from * bw))
    x1 = min(right + t.complete_reach * bh, dx - (n + 1) / f, w_img - dx - (n + 1) / f)
    y0, y1 = _rows_on_both(box, dy, h_img)
    w, h = int((x1 - x0) * f), int((y1 - y0) * f)
    if w < 4 or h < 4:
        return box
    profile = _column_agreement(img, (x0, y0, w, h), dx, dy, n, f, t, fade)
    j = int(np.argmax(profile))
    peak = float(profile[j])
    typical = max(float(np.median(profile)), t.complete_floor)
    if peak < t.complete_level or peak < t.complete_ratio * typical:
        return box
    edge = x0 + (j + 0.5) / f
    if edge < right:
        return box
    new_right = min(edge + t.complete_margin * bh, w_img - dx)
    return bx, by, new_right - bx, bh


def _run_around(strong: Any, j0: int, quiet: float) -> tuple[int, int]:
    """The first and last index of the run of ``strong`` entries through ``j0``, where
    stretches of up to ``quiet`` weak entries between strong ones belong to the run."""
    ends = []
    for step in (-1, 1):
        end, still, j = j0, 0, j0 + step
        while 0 <= j < len(strong) and still <= quiet:
            if strong[j]:
                end, still = j, 0
            else:
                still += 1
            j += step
        ends.append(end)
    return ends[0], ends[1]


def bound_columns(
    img: Image.Image,
    box: Box,
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
    fade: Fade | None = None,
) -> Box:
    """Re-bound a box narrower than tall by the piece's vertical outline.

    A coarse window can match the piece's left outline together with background beside
    it that agrees at the shift as well (a striped sky agrees with itself at every
    shift): the box then starts before the piece and ends inside it, and the shift is
    measured on one side. Where the piece's outline runs up and down (its left and right
    sides), so does its gap's; a background of horizontal stripes has no such edges.
    Per column, over the box's rows, the agreement of the two fields' vertical
    orientation alone (the doubled-angle cosine channel, both positive), best of the
    shifts within ``tuning.bound_search``, stands out at the piece's left and right
    outlines and is about 0 elsewhere. The run of strong columns (``tuning.bound_level``
    of the strongest) through the strongest one inside the box (quiet stretches, the
    piece's interior, included) gives the new left and right sides, plus a margin for
    the outline's shadow.

    Returns ``box`` unchanged when it is not narrower than ``tuning.bound_narrow`` of its
    height, when no strong column lies inside it, when the run is not about a piece
    wide, or when it would move the left side far right (a piece at the picture's very
    edge shows no left outline there).
    """
    t = tuning
    bx, by, bw, bh = box
    if bw >= t.bound_narrow * bh:
        return box
    w_img, h_img = img.size
    f = min(1.0, t.align_size / max(bw, bh, 1.0))
    n = max(1, round(t.bound_search * f))
    x1 = min(bx + bw + t.bound_reach * bh, dx - 1 / f, w_img - dx - (n + 1) / f)
    y0, y1 = _rows_on_both(box, dy, h_img)
    w, h = int(x1 * f), int((y1 - y0) * f)
    lo, hi = max(0, int(bx * f)), min(w, math.ceil((bx + bw) * f))
    if w < 8 or h < 4 or hi <= lo:
        return box
    profile = _column_agreement(img, (0, y0, w, h), dx, dy, n, f, t, fade, vertical=True)
    j0 = lo + int(np.argmax(profile[lo:hi]))
    strong = profile >= t.bound_level * float(profile.max())
    # the box must hold an outline (a piece at the picture's very edge shows none there)
    if profile[j0] < t.bound_min_peak or not strong[j0]:
        return box
    first, last = _run_around(strong, j0, t.bound_quiet * max(bw, bh) * f)
    left, right = first / f, (last + 1) / f
    low, high = t.bound_span
    if not low * bh <= right - left <= high * max(bw, bh):
        return box
    margin = t.complete_margin * bh
    new_left, new_right = max(0.0, left - margin), min(right + margin, w_img - dx)
    if new_left > bx + t.bound_trim * bh:
        return box
    return new_left, by, new_right - new_left, bh
