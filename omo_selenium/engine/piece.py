"""Finding the gap of a *given* piece picture (engine-internal, numpy and Pillow only).

When the page ships the puzzle piece as its own picture (an RGBA sprite, alpha = the
piece's shape), nothing has to be cut out of the screenshot: the shape and the colours
of the piece are known exactly. For every horizontal shift (and a few px of vertical
play) this module measures five things, each by masked normalised correlation, and
weighs them into one score (the pictures are first brought to a bounded resolution by
:func:`~omo_selenium.engine.local.locate`, as for the search without a piece):

1. **outline**: the doubled-angle orientation field of the sprite's alpha edge against
   the screenshot's colour orientation field, on a ring around the edge. Every gap and
   every decoy hollow of the piece's shape scores here.
2. **drawn edges**: the orientation field of the sprite's own colours, on a ring a few px
   inside its alpha edge, against the screenshot's. A piece cut out of two screenshots
   (the solver's look) carries its shadow or glow with it, so its alpha edge is the
   halo's; the piece's drawn outline and the picture's edges along it lie inside, and
   the gap has them at the same places.
3. **interior**: the sprite's colours inside the shape (away from any drawn outline)
   against the screenshot's: the real gap is the picture the piece was cut from, drawn
   darker or lighter (``gap = a * piece + b``), a decoy hollow of another place is not.
   It counts from a small floor up: on a flat picture the piece's glow and the gap's
   shadow anti-correlate at the real gap.
4. **step**: the picture inside the piece's shape against a band just outside it: a
   gap is drawn by changing the picture inside its outline (darkened, whitened,
   filled), so there the colours step across the whole silhouette, one way or the
   other. This is what is left of a gap whitened so far that its colours no longer
   correlate with the piece's.
5. **seam** (for the best few shifts only): the picture carries on across the real gap's
   outline, so the colours just inside the piece's edge correlate with the colours just
   outside the candidate gap, sector by sector; a decoy that repeats the piece's own
   content elsewhere has a foreign surrounding.

Shifts are kept at least the piece's width away from its start, so the piece never
matches itself; when the picture shows what lies under the start (the piece seen moved
away), from :data:`MIN_UNCOVERED_SHIFT_PX` on, so a gap partly under the waiting piece
is found too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .gradients import (
    blur,
    colour_orientation_field,
    correlate_valid,
    gradients,
    parabola_peak,
)
from .morph import BArray, dilate, erode
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["SpriteMatch", "match_sprite"]

FArray = np.ndarray[Any, np.dtype[np.float64]]

#: With the piece's start uncovered, the least shift (px) searched: a gap this close to
#: the start is no puzzle, and a few px of the piece's old edge may linger in a look.
MIN_UNCOVERED_SHIFT_PX = 4


@dataclass(frozen=True)
class SpriteMatch:
    """The best place for a given piece.

    Attributes:
        dx: horizontal shift of the sprite from its start to the gap, screenshot px
            (sub-pixel).
        dy: vertical shift, screenshot px.
        score: the combined score of the winner.
        outline: outline correlation at the winner.
        interior: interior colour correlation at the winner.
        seam: continuity correlation at the winner.
        margin: winner's score minus the best score at least a piece width away.
        box: the opaque part of the sprite, (x, y, w, h) in sprite px.
        start_y: the sprite's top in the screenshot at the start (the given one, or,
            when none was given, the found gap's row: then ``dy`` is 0).
        confidence: 0..1, how sure the match is (see :func:`match_sprite`).
    """

    dx: float
    dy: float
    score: float
    outline: float
    interior: float
    seam: float
    margin: float
    box: tuple[int, int, int, int]
    start_y: float = 0.0
    confidence: float = 0.0


def _masked_ncc(targets: list[FArray], temps: list[FArray], weight: FArray, reg: float) -> FArray:
    """Zero-mean NCC of templates (weighted by ``weight``) at every valid offset.

    The template and the target windows are both centred on their weighted means; ``reg``
    (per unit weight) is added to both variances so that flat areas score about 0.
    """
    n = float(weight.sum())
    num = np.zeros(
        (targets[0].shape[0] - weight.shape[0] + 1, targets[0].shape[1] - weight.shape[1] + 1)
    )
    var_b = np.zeros_like(num)
    var_t = 0.0
    for b, t in zip(targets, temps, strict=True):
        tm = float((weight * t).sum()) / n
        tc = weight * (t - tm)
        var_t += float((tc * (t - tm)).sum())
        num += correlate_valid(b, tc)
        s1 = correlate_valid(b, weight)
        s2 = correlate_valid(b * b, weight)
        var_b += s2 - s1 * s1 / n
    out: FArray = num / np.sqrt((var_t + reg * n) * (np.maximum(var_b, 0.0) + reg * n))
    return out


def _colour_field(rgb: FArray) -> list[FArray]:
    """The colour orientation field's two channels, as the matcher correlates them: of
    the screenshot's rows, and of the sprite's own colours."""
    fc, fs = colour_orientation_field(
        rgb.astype(np.float32), sigma=1.0, norm_sigma=2.5, floor=0.5, smooth=1.0
    )
    return [fc.astype(np.float64), fs.astype(np.float64)]


def _ring(mask: BArray, inner: int, outer: int) -> BArray:
    out: BArray = dilate(mask, outer) & ~erode(mask, inner)
    return out


def _silhouette_step(strip: FArray, mask: BArray, t: EngineTuning) -> FArray:
    """Correlation of the picture with the piece's silhouette at every offset.

    The template is 1 inside the (eroded) shape and 0 in a band just outside it; its
    masked normalised correlation with every channel (offsets as for the outline and the
    interior, the picture's edges repeated for the band) is about +1 where the picture is
    lighter inside the shape than around it, -1 where it is darker, 0 on a continuous
    picture.
    """
    near, far = t.sprite_step_band
    h, w = mask.shape
    big = np.zeros((h + 2 * far, w + 2 * far), dtype=bool)
    big[far : far + h, far : far + w] = mask
    inside = erode(big, t.sprite_step_inset)
    band = dilate(big, far) & ~dilate(big, near)
    if inside.sum() < 10 or band.sum() < 10:
        return np.zeros((strip.shape[0] - h + 1, strip.shape[1] - w + 1))
    padded = np.pad(strip, ((far, far), (far, far), (0, 0)), mode="edge")
    template = inside.astype(np.float64)
    return _masked_ncc(
        [padded[..., k] for k in range(3)],
        [template] * 3,
        (inside | band).astype(np.float64),
        reg=4.0,
    )


def _seam(rgb: FArray, sprite: FArray, mask: BArray, x: int, y: int, sectors: int = 12) -> float:
    """Continuity of the picture across the outline of ``mask`` placed at ``(x, y)``.

    Per angular sector, the mean colour of a band 3-5 px inside the sprite's edge against
    the mean colour of a band 2-4 px outside the candidate gap in the screenshot; the
    normalised correlation of those sector colours (all channels). Returns -1 when the
    bands leave the screenshot.
    """
    h, w = mask.shape
    pad = 5
    if x - pad < 0 or y - pad < 0 or x + w + pad > rgb.shape[1] or y + h + pad > rgb.shape[0]:
        # clip: evaluate on the part inside
        pass
    big = np.zeros((h + 2 * pad, w + 2 * pad), dtype=bool)
    big[pad : pad + h, pad : pad + w] = mask
    band_in = erode(big, 3) & ~erode(big, 6)
    band_out = dilate(big, 4) & ~dilate(big, 1)
    ys, xs = np.nonzero(big)
    cy, cx = ys.mean(), xs.mean()
    yy, xx = np.mgrid[0 : h + 2 * pad, 0 : w + 2 * pad]
    sector = ((np.arctan2(yy - cy, xx - cx) + np.pi) / (2 * np.pi) * sectors).astype(int) % sectors
    sp = np.zeros((h + 2 * pad, w + 2 * pad, 3))
    sp[pad : pad + h, pad : pad + w] = sprite
    gy0, gx0 = y - pad, x - pad
    win = np.zeros((h + 2 * pad, w + 2 * pad, 3))
    inside = np.zeros((h + 2 * pad, w + 2 * pad), dtype=bool)
    ya, yb = max(0, gy0), min(rgb.shape[0], gy0 + h + 2 * pad)
    xa, xb = max(0, gx0), min(rgb.shape[1], gx0 + w + 2 * pad)
    if yb <= ya or xb <= xa:
        return -1.0
    win[ya - gy0 : yb - gy0, xa - gx0 : xb - gx0] = rgb[ya:yb, xa:xb]
    inside[ya - gy0 : yb - gy0, xa - gx0 : xb - gx0] = True
    band_out &= inside
    a_list, b_list = [], []
    for s in range(sectors):
        i = band_in & (sector == s)
        o = band_out & (sector == s)
        if i.sum() >= 3 and o.sum() >= 3:
            a_list.append(sp[i].mean(0))
            b_list.append(win[o].mean(0))
    if len(a_list) < 4:
        return -1.0
    a = np.array(a_list)
    b = np.array(b_list)
    a -= a.mean(0)
    b -= b.mean(0)
    return float((a * b).sum() / math.sqrt(((a * a).sum() + 50.0) * ((b * b).sum() + 50.0)))


def match_sprite(
    img: Image.Image,
    sprite: Image.Image,
    start_x: float,
    start_y: float | None,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
    start_uncovered: bool = False,
) -> SpriteMatch | None:
    """Find where the given piece fits in the screenshot.

    Args:
        img: the screenshot (RGB), piece drawn at its start or not.
        sprite: the piece picture (RGBA; alpha is the shape), at the screenshot's scale.
        start_x: where the sprite's top-left is drawn at the start, screenshot px.
        start_y: the same, vertically (``None``: unknown, every row is searched).
        tuning: the engine's tuning (its ``sprite_*`` fields).
        start_uncovered: the screenshot shows what lies under the piece's start (not
            the piece): shifts from :data:`MIN_UNCOVERED_SHIFT_PX` on are searched, not
            only those past the piece's width.

    Returns:
        The best shift, or ``None`` when the sprite has no shape or no room to move.
    """
    t = tuning
    play = t.sprite_play
    rgba = np.asarray(sprite.convert("RGBA"), dtype=np.float64)
    alpha = rgba[..., 3] / 255.0
    opaque = alpha > 0.5
    if opaque.sum() < 30:
        return None
    ys, xs = np.nonzero(opaque)
    bx0, bx1, by0, by1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    mask = opaque[by0:by1, bx0:bx1]
    colours = rgba[by0:by1, bx0:bx1, :3]
    h, w = mask.shape
    rgb = np.asarray(img.convert("RGB"), dtype=np.float64)
    hi, _wi = rgb.shape[:2]
    px = round(start_x) + bx0  # the piece's left edge in the screenshot
    if start_y is None:
        py, ya, yb = 0, 0, hi
    else:
        py = round(start_y) + by0
        ya, yb = max(0, py - play), min(hi, py + h + play)
    if yb - ya < h:
        return None
    strip = rgb[ya:yb]
    # outline: orientation field of the alpha edge vs the screenshot's colour field
    a_pad = np.pad(alpha[by0:by1, bx0:bx1].astype(np.float32), 2, mode="constant")
    gx, gy = gradients(blur(a_pad, 1.0))
    c = (gx * gx - gy * gy)[2:-2, 2:-2]
    s = (2 * gx * gy)[2:-2, 2:-2]
    norm = np.sqrt(c * c + s * s).max() + 1e-9
    ring = _ring(mask, 2, 2) & np.ones_like(mask)
    # the ring may reach 2 px outside the shape; the template is the shape's own box
    field = _colour_field(strip)
    outline = _masked_ncc(
        field,
        [c.astype(np.float64) / norm, s.astype(np.float64) / norm],
        ring.astype(np.float64),
        reg=0.01,
    )
    # drawn edges: the sprite's own colour field on a ring inside its alpha edge (past
    # a halo cut out with it, and away from the alpha edge's own step)
    drawn = None
    near, far = t.sprite_drawn_ring
    drawn_ring = erode(mask, near) & ~erode(mask, far)
    if t.sprite_drawn_weight > 0 and drawn_ring.sum() >= 20:
        drawn = _masked_ncc(field, _colour_field(colours), drawn_ring.astype(np.float64), reg=0.01)
    # interior: colours away from the edge (a drawn outline, a halo), all channels
    core = erode(mask, t.sprite_core_erode)
    if core.sum() < 20:
        core = mask
    interior = _masked_ncc(
        [strip[..., k] for k in range(3)],
        [colours[..., k] for k in range(3)],
        core.astype(np.float64),
        reg=4.0,
    )
    score = t.sprite_outline_weight * outline + t.sprite_interior_weight * np.maximum(
        interior, t.sprite_interior_floor
    )  # (ny, nx)
    if drawn is not None:
        score += t.sprite_drawn_weight * drawn
    if t.sprite_step_weight > 0:
        score += t.sprite_step_weight * np.abs(_silhouette_step(strip, mask, t))
    # where the piece is drawn at its start, a gap under it cannot be seen
    xs_all = np.arange(score.shape[1])
    allowed = (xs_all - px) >= (MIN_UNCOVERED_SHIFT_PX if start_uncovered else w)
    if not allowed.any():
        return None
    score = np.where(allowed[None, :], score, -np.inf)
    col = score.max(0)
    row = score.argmax(0)
    order = np.argsort(-col)
    picked: list[int] = []
    for i in order:
        if not np.isfinite(col[i]) or len(picked) >= t.sprite_finalists:
            break
        if all(abs(int(i) - j) >= max(3, w // 3) for j in picked):
            picked.append(int(i))
    if not picked:
        return None
    scored = []
    for i in picked:
        j = int(row[i])
        sm = _seam(rgb, colours, mask, i, ya + j)
        total = float(col[i]) + t.sprite_seam_weight * sm
        scored.append((total, i, j, sm))
    scored.sort(key=lambda t: -t[0])
    total, i, j, sm = scored[0]
    runner = max((t[0] for t in scored[1:] if abs(t[1] - i) >= w), default=total - 1.0)
    # sub-pixel: from the interior's own peak next to the winner when the piece has
    # texture (dense colours place it more precisely than a blurred, drawn outline),
    # else from the combined score
    base = i
    grid: FArray = score
    if float(interior[j, i]) >= t.sprite_textured:
        lo, hi_ = max(0, i - 1), min(score.shape[1], i + 2)
        base = lo + int(np.argmax(interior[j, lo:hi_]))
        grid = np.where(np.isfinite(score), interior, -np.inf)
    sub = 0.0
    if 0 < base < grid.shape[1] - 1:
        sub = parabola_peak(*(float(v) for v in grid[j, base - 1 : base + 2]))
    i_at = base
    dy = float(ya + j - py)
    top = float(start_y) if start_y is not None else float(ya + j - by0)
    if start_y is None:
        dy = 0.0
    inner = max(float(interior[j, i]), t.sprite_interior_floor)
    fit = max(0.0, min(1.0, 0.5 * (float(outline[j, i]) + inner)))
    confidence = fit * max(0.0, min(1.0, (total - runner) / t.sprite_confident_margin))
    return SpriteMatch(
        dx=i_at + sub - px,
        dy=dy,
        score=total,
        outline=float(outline[j, i]),
        interior=float(interior[j, i]),
        seam=sm,
        margin=total - runner,
        box=(bx0, by0, w, h),
        start_y=top,
        confidence=confidence,
    )
