"""Polarity of the outline shared by the piece and its gap (engine-internal).

Some widgets (GeeTest-style ones, scrape.center's among them) draw the piece and its
gap as two veils of the same shape over the picture: the piece lightened (a white veil
over whatever lies at the start), the gap darkened. Neither shows the other's content,
so the colour evidence says nothing, and the outline is all they share. But that
outline has opposite polarity at the two places: the piece is lighter than its
surroundings where the gap is darker than its own. A background that matches itself
somewhere else (a texture, a repeated shape) matches with the same polarity, and a
single straight edge (a horizon) matches with either. So an outline that agrees in
orientation all around and is reversed in polarity is evidence of a drawn pair,
whatever the picture.

:func:`outline_polarity` measures, over the pixels where the piece's crop and the
candidate gap's crop have edges of the same orientation, how consistently the
gradients point the opposite way (``reversed``) and how much of that agreement lies
along one direction only (``straight``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .align import crop_pair, scaled_crop
from .gradients import Array, blur, gradients, parabola_peak
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["Polarity", "VeilSquare", "outline_polarity", "square_polarity", "veil_square"]


@dataclass(frozen=True)
class Polarity:
    """How the piece's and the gap's edges agree, weighted by their agreement.

    Attributes:
        reversed: mean of -sign(piece gradient . gap gradient), in [-1, 1]: 1 when
            every agreeing edge is reversed (a lightened piece, a darkened gap), -1
            when every one keeps its polarity (the picture matching itself).
        straight: resultant length of the agreeing edges' doubled angles, in [0, 1]:
            0 for edges of every orientation (a closed outline), 1 for one straight edge.
    """

    reversed: float = 0.0
    straight: float = 1.0
    #: (square rings only, :func:`square_polarity`) how many times more agreement a ring
    #: px holds than a px inside the square: an outline, not a texture, when high
    contrast: float = 0.0


def _grey_gradients(rgb: Array, sigma: float) -> tuple[Array, Array]:
    """The gradients of a crop's mean of its channels, blurred by ``sigma`` px."""
    return gradients(blur(rgb.mean(axis=2), sigma))


def _agreement(px: Array, py: Array, qx: Array, qy: Array) -> tuple[Array, Array]:
    """Per pixel, how strongly two gradient fields agree in orientation, whichever way
    they point (``|p| |q| cos^2`` of the angle between them: strong edges of the same
    orientation at both places), and their dot product (its sign: the same way or
    opposite ways)."""
    dot = px * qx + py * qy
    weight = dot * dot / (np.sqrt((px * px + py * py) * (qx * qx + qy * qy)) + 1e-6)
    return weight, dot


def _agreeing_edges(
    img: Image.Image, box: tuple[float, float, float, float], dx: float, dy: float, t: EngineTuning
) -> tuple[Array, Array, Array, float, float] | None:
    """The piece's crop (``box`` with its margin) against the gap's ``(dx, dy)`` away:
    per pixel, the piece's doubled edge angle, the two edges' agreement and the sign of
    their polarity, with the crop's top-left; ``None`` when it would leave the image."""
    crops = crop_pair(img, box, dx, dy, t.polarity_margin * max(box[2], box[3]))
    if crops is None:
        return None
    piece, gap, x0, y0 = crops
    px, py = _grey_gradients(piece, t.polarity_blur)
    weight, dot = _agreement(px, py, *_grey_gradients(gap, t.polarity_blur))
    angle: Array = (2.0 * np.arctan2(py, px)).astype(np.float32)
    sign: Array = np.sign(dot).astype(np.float32)
    return angle, weight, sign, x0, y0


def _polarity(angle: Array, weight: Array, sign: Array, contrast: float = 0.0) -> Polarity:
    """The :class:`Polarity` of these agreeing edges (neutral when they hold none)."""
    total = float(weight.sum())
    if total <= 1e-3:
        return Polarity()
    straight = float(np.hypot((weight * np.cos(angle)).sum(), (weight * np.sin(angle)).sum()))
    reversed_ = -float((weight * sign).sum()) / total
    return Polarity(reversed=reversed_, straight=straight / total, contrast=contrast)


def outline_polarity(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> Polarity:
    """Compare the polarity of the piece's edges with the candidate gap's.

    Args:
        img: the screenshot (RGB).
        box: the piece's (x, y, w, h), screenshot px.
        dx: measured horizontal shift to the candidate, screenshot px.
        dy: measured vertical shift, screenshot px.
        tuning: the engine's tuning (its ``polarity_*`` fields).

    Returns:
        The polarity (neutral when the crops would leave the image or hold no edge).
    """
    edges = _agreeing_edges(img, box, dx, dy, tuning)
    if edges is None:
        return Polarity()
    angle, weight, sign, _, _ = edges
    return _polarity(angle, weight, sign)


def square_polarity(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> tuple[Polarity, Polarity]:
    """:func:`outline_polarity` of a square piece over its whole crop, and on its ring
    alone, from the same crop.

    A veiled piece (the picture lightened) and its veiled gap (darkened) share their
    content: inside, the picture's own edges keep their polarity, and only the outline
    is reversed. Over the whole crop a detailed picture outweighs the outline; on the
    square's ring (``tuning.veil_ring`` px either side of its sides) the outline is
    measured alone. The ring's ``contrast`` says whether there is an outline to
    measure: how many times more agreement per px the ring holds than the square's
    inside.
    """
    edges = _agreeing_edges(img, box, dx, dy, tuning)
    if edges is None:
        return Polarity(), Polarity()
    angle, weight, sign, x0, y0 = edges
    whole = _polarity(angle, weight, sign)
    band = tuning.veil_ring
    yy, xx = np.mgrid[0 : weight.shape[0], 0 : weight.shape[1]]
    left, top = box[0] - x0, box[1] - y0
    right, bottom = left + box[2], top + box[3]
    near = (xx >= left - band) & (xx <= right + band) & (yy >= top - band) & (yy <= bottom + band)
    inside = (xx > left + band) & (xx < right - band) & (yy > top + band) & (yy < bottom - band)
    ring = near & ~inside
    if not inside.any() or not ring.any():
        return whole, Polarity()
    contrast = float(weight[ring].mean()) / max(float(weight[inside].mean()), 1e-6)
    return whole, _polarity(angle[ring], weight[ring], sign[ring], contrast)


@dataclass(frozen=True)
class VeilSquare:
    """The square whose outline is reversed in polarity the most at some shift.

    Attributes:
        box: the square's (x, y, w, h) at the piece, screenshot px.
        dx: the shift (screenshot px, sub-pixel) at which its outline is reversed most.
        strength: the mean reversed agreement along its outline, in units of the
            strongest agreement in the strip (about 1 all around a crisp veil).
        closed: its weakest side's reversed agreement over the mean of its four sides
            (1: reversed alike all around; near 0: one side is not, e.g. a bevelled
            piece, light on two sides and dark on the others). Both measures are
            taken on the three strongest sides for a square searched with an open
            side (:func:`veil_square`'s ``open_side``).
        edge: its side is the smallest or the largest searched: the outline may run
            on beyond it (a larger piece, of which it fits one part).
    """

    box: tuple[float, float, float, float]
    dx: float
    strength: float
    closed: float = 1.0
    edge: bool = False


def _best_square(
    r: Array, sides: range, xs: range, open_side: bool = False
) -> tuple[float, int, int, int, int, float] | None:
    """Over the maps ``r[k]`` (one per shift), the square whose sides hold the most of
    the map per px, counting its weakest side once more (a closed outline, not one
    strong edge), with its left side at one of the columns ``xs`` and its side one of
    ``sides``: ``(mean, k, x, y, side, closed)``, ``closed`` its weakest side's sum over
    the mean of its sides.

    With ``open_side``, the square is weighed on its three strongest sides alone, the
    weakest of those three counted once more: an outline that leaves one side of its
    square empty (a round or knobbed side; a veil's edge lost where the picture beyond
    is as dark as the veil) is found whole, where the four sides' measure prefers a
    smaller square elsewhere that happens to close.
    """
    n_maps, h, w = r.shape
    rows = np.zeros((n_maps, h, w + 1), dtype=np.float32)
    np.cumsum(r, axis=2, out=rows[:, :, 1:])
    cols = np.zeros((n_maps, h + 1, w), dtype=np.float32)
    np.cumsum(r, axis=1, out=cols[:, 1:, :])
    counted = 3.0 if open_side else 4.0
    best: tuple[float, int, int, int, int, float] | None = None
    for side in sides:
        x0, x1 = xs.start, min(xs.stop, w - side + 1)
        m = h - side + 1
        if x1 <= x0 or m <= 0:
            continue
        # every row's and column's run of ``side`` px, for every left side x0..x1-1 at
        # once (slices, no gathered copies): the top and bottom sides are rows ``side
        # - 1`` apart, the left and right sides columns ``side - 1`` apart
        across = rows[:, :, x0 + side : x1 + side] - rows[:, :, x0:x1]
        down = cols[:, side : side + m, x0 : x1 + side - 1] - cols[:, :m, x0 : x1 + side - 1]
        n = x1 - x0
        top, bottom = across[:, :m], across[:, side - 1 : side - 1 + m]
        left, right = down[:, :, :n], down[:, :, side - 1 : side - 1 + n]
        across_low, down_low = np.minimum(top, bottom), np.minimum(left, right)
        weakest = np.minimum(across_low, down_low)
        score = top + bottom
        score += left
        score += right
        if open_side:
            # the weakest side is left out; the second weakest is the kept sides' weakest
            score -= weakest
            weakest = np.minimum(
                np.maximum(across_low, down_low),
                np.minimum(np.maximum(top, bottom), np.maximum(left, right)),
            )
        score += counted * weakest
        i = int(np.argmax(score))
        value = float(score.flat[i]) / (counted * side)
        if best is None or value > best[0]:
            k, y, j = np.unravel_index(i, score.shape)
            low = counted * float(weakest.flat[i])
            closed = low / max(float(score.flat[i]) - low, 1e-6)
            best = (value, int(k), x0 + int(j), int(y), side, closed)
    return best


def veil_square(
    img: Image.Image,
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
    open_side: bool = False,
) -> VeilSquare | None:
    """Look for a square piece and gap drawn as two veils, near the shift ``(dx, dy)``.

    At every whole shift up to ``tuning.veil_scan`` px either side of ``dx``, the strip
    where a piece waits (its left side at most ``max_piece_x`` of the width in) is
    compared with the same strip that far right: per pixel, how strongly the edges
    agree in orientation and point opposite ways. A lightened square piece and its
    darkened gap make a closed square ring of that; the square that holds the most of
    it, over all shifts, is the answer, its shift refined to a fraction of a pixel.
    With ``open_side``, squares are weighed on their three strongest sides (see
    :func:`_best_square`) and kept from ``veil_open_floor`` up: leaving out each
    square's weakest side lifts the squares a texture holds by chance too.

    Returns:
        The square, or ``None``: no room, a ring weaker than ``veil_floor`` (or
        ``veil_open_floor``), or the best shift at the end of the scan (the ring lies
        further, or nowhere).
    """
    t = tuning
    w_img, h_img = img.size
    scan = int(t.veil_scan)
    sides = range(
        max(4, round(t.veil_sides[0] * w_img)), max(4, round(t.veil_sides[1] * w_img)) + 1
    )
    max_x = int(t.max_piece_x * w_img)
    width = int(min(max_x + sides.stop, dx - scan, w_img - dx - scan))
    if width < sides.start:
        return None
    y0 = max(0.0, -dy)
    height = int(min(h_img, h_img - dy) - y0)
    if height < sides.start:
        return None
    # the piece's strip, and the gap's strip as wide as every shift of the scan needs
    piece = scaled_crop(img, 0.0, y0, width, height, 1.0)
    strip = scaled_crop(img, dx - scan, y0 + dy, width + 2 * scan, height, 1.0)
    px, py = _grey_gradients(piece, t.polarity_blur)
    sx, sy = _grey_gradients(strip, t.polarity_blur)
    maps = np.empty((2 * scan + 1, height, width), dtype=np.float32)
    for i in range(2 * scan + 1):
        weight, dot = _agreement(px, py, sx[:, i : i + width], sy[:, i : i + width])
        maps[i] = -weight * np.sign(dot)
    maps = blur(maps, t.veil_blur)
    maps /= np.percentile(np.abs(maps), 99, axis=(1, 2), keepdims=True) + 1e-6
    found = _best_square(maps, sides, range(0, max_x + 1), open_side)
    floor = t.veil_open_floor if open_side else t.veil_floor
    if found is None or found[0] < floor or found[1] in (0, 2 * scan):
        return None
    strength, k, x, y, side, closed = found
    # the same square one px either side: a parabola through the three gives the shift
    a, c = (
        _best_square(maps[k + e : k + e + 1], range(side, side + 1), range(x, x + 1), open_side)
        for e in (-1, 1)
    )
    off = 0.0
    if a is not None and c is not None:
        off = parabola_peak(a[0], strength, c[0], limit=1.0)
    d = k - scan
    box = (float(x), y0 + y, float(side), float(side))
    edge = side in (sides.start, sides.stop - 1)
    return VeilSquare(box=box, dx=dx + d + off, strength=strength, closed=closed, edge=edge)
