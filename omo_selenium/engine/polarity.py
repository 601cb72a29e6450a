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

from .align import crop_pair
from .gradients import Array, blur, gradients
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["Polarity", "VeilSquare", "outline_polarity", "veil_square"]


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
    t = tuning
    crops = crop_pair(img, box, dx, dy, t.polarity_margin * max(box[2], box[3]))
    if crops is None:
        return Polarity()
    piece, gap, _, _ = crops
    px, py = gradients(blur(piece.mean(axis=2), t.polarity_blur))
    gx, gy = gradients(blur(gap.mean(axis=2), t.polarity_blur))
    dot = px * gx + py * gy
    # |piece gradient| |gap gradient| cos^2 of the angle between them: strong edges of
    # the same orientation at both places, whichever way they point
    weight = dot * dot / (np.sqrt((px * px + py * py) * (gx * gx + gy * gy)) + 1e-6)
    total = float(weight.sum())
    if total <= 1e-3:
        return Polarity()
    reversed_ = -float((weight * np.sign(dot)).sum()) / total
    angle = 2.0 * np.arctan2(py, px)
    straight = float(np.hypot((weight * np.cos(angle)).sum(), (weight * np.sin(angle)).sum()))
    return Polarity(reversed=reversed_, straight=straight / total)


@dataclass(frozen=True)
class VeilSquare:
    """The square whose outline is reversed in polarity the most at some shift.

    Attributes:
        box: the square's (x, y, w, h) at the piece, screenshot px.
        dx: the shift (screenshot px, sub-pixel) at which its outline is reversed most.
        strength: the mean reversed agreement along its outline, in units of the
            strongest agreement in the strip (about 1 all around a crisp veil).
    """

    box: tuple[float, float, float, float]
    dx: float
    strength: float


def _best_square(r: Array, sides: range, xs: range) -> tuple[float, int, int, int] | None:
    """The square (``(mean, x, y, side)``) whose four sides hold the most of ``r`` per px,
    counting its weakest side once more (a closed outline, not one strong edge), with
    its left side at one of the columns ``xs`` and its side one of ``sides``."""
    h, w = r.shape
    rows = np.zeros((h, w + 1), dtype=np.float64)
    np.cumsum(r, axis=1, out=rows[:, 1:])
    cols = np.zeros((h + 1, w), dtype=np.float64)
    np.cumsum(r, axis=0, out=cols[1:, :])
    best: tuple[float, int, int, int] | None = None
    for side in sides:
        x = np.arange(xs.start, min(xs.stop, w - side + 1))
        m = h - side + 1
        if x.size == 0 or m <= 0:
            continue
        top = rows[:m, x + side] - rows[:m, x]
        bottom = rows[side - 1 : side - 1 + m, x + side] - rows[side - 1 : side - 1 + m, x]
        left = cols[side : side + m, x] - cols[:m, x]
        right = cols[side : side + m, x + side - 1] - cols[:m, x + side - 1]
        weakest = np.minimum(np.minimum(top, bottom), np.minimum(left, right))
        score = (top + bottom + left + right + 4.0 * weakest) / (4.0 * side)
        i = int(np.argmax(score))
        if best is None or float(score.flat[i]) > best[0]:
            y, j = divmod(i, x.size)
            best = (float(score.flat[i]), int(x[j]), y, side)
    return best


def veil_square(
    img: Image.Image,
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> VeilSquare | None:
    """Look for a square piece and gap drawn as two veils, near the shift ``(dx, dy)``.

    At every whole shift up to ``tuning.veil_scan`` px either side of ``dx``, the strip
    where a piece waits (its left side at most ``max_piece_x`` of the width in) is
    compared with the same strip that far right: per pixel, how strongly the edges
    agree in orientation and point opposite ways. A lightened square piece and its
    darkened gap make a closed square ring of that; the square that holds the most of
    it, over all shifts, is the answer, its shift refined to a fraction of a pixel.

    Returns:
        The square, or ``None``: no room, a ring weaker than ``veil_floor``, or the
        best shift at the end of the scan (the ring lies further, or nowhere).
    """
    t = tuning
    w_img, h_img = img.size
    scan = int(t.veil_scan)
    sides = range(
        max(4, round(t.veil_sides[0] * w_img)), max(4, round(t.veil_sides[1] * w_img)) + 1
    )
    max_x = int(t.max_piece_x * w_img)
    width = min(max_x + sides.stop, dx - scan, w_img - dx - scan)
    if width < sides.start:
        return None
    region = (0.0, 0.0, float(width), float(h_img))
    maps: dict[int, Array] = {}
    y0 = 0.0
    for i in range(-scan, scan + 1):
        crops = crop_pair(img, region, dx + i, dy, 0.0)
        if crops is None:
            return None
        piece, gap, _, y0 = crops
        px, py = gradients(blur(piece.mean(axis=2), t.polarity_blur))
        qx, qy = gradients(blur(gap.mean(axis=2), t.polarity_blur))
        dot = px * qx + py * qy
        agree = dot * dot / (np.sqrt((px * px + py * py) * (qx * qx + qy * qy)) + 1e-6)
        m = blur((-agree * np.sign(dot)).astype(np.float32, copy=False), t.veil_blur)
        maps[i] = m / (float(np.percentile(np.abs(m), 99)) + 1e-6)
    found: tuple[float, int, int, int, int] | None = None
    for d, m in maps.items():
        sq = _best_square(m, sides, range(0, max_x + 1))
        if sq is not None and (found is None or sq[0] > found[0]):
            found = (*sq, d)
    if found is None or found[0] < t.veil_floor or abs(found[4]) >= scan:
        return None
    strength, x, y, side, d = found
    # the same square one px either side: a parabola through the three gives the shift
    a, c = (_best_square(maps[d + e], range(side, side + 1), range(x, x + 1)) for e in (-1, 1))
    off = 0.0
    if a is not None and c is not None:
        den = a[0] - 2.0 * strength + c[0]
        if den < 0:
            off = max(-1.0, min(1.0, 0.5 * (a[0] - c[0]) / den))
    box = (float(x), y0 + y, float(side), float(side))
    return VeilSquare(box=box, dx=dx + d + off, strength=strength)
