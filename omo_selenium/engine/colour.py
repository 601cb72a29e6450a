"""Colour evidence that a candidate gap was cut from where the piece came (engine-internal).

Two gaps of the same shape look alike to an edge detector; only the picture tells them
apart. With the piece and the candidate gap aligned (crops at the same exact scale, the
gap crop shifted by the measured sub-pixel shift), this module:

1. estimates the shape's mask: inside it, the gap is a per-channel affine copy of the
   piece (darkened, whitened, greyed or filled: ``gap = a * piece + b``), so an
   iteratively re-weighted least-squares fit, started on the central ellipse of the
   piece box, keeps the pixels the fit explains; when it keeps the whole box (nothing
   stands out of a noisy picture), the outline the piece and the gap share bounds the
   mask instead;
2. measures how well that fit explains the gap (``fit``, 1 is perfect) and the
   normalised colour correlation of the mask's interior (``interior``), how much
   better its grain to the pixel correlates on the alignment than just off it
   (``fine``: a gap keeps the grain of the place the piece was cut from), and how the
   colours change from the piece to the candidate (``gain``, ``level_change``): a
   candidate where they do not change at all is a copy, not a drawn gap;
3. measures continuity: just outside the real gap, the background carries on the
   colours found just inside the piece's outline; the per-sector mean colours of a thin
   band inside the piece and a band outside the gap are compared (``seam``, in
   grey levels, after a common brightness gain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .align import crop_field, crop_pair
from .gradients import box_mean
from .morph import BArray, dilate, erode
from .texture import grain, grain_correlations
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["GapEvidence", "gap_evidence"]

# the tuning numbers of this step are fields of EngineTuning (evidence_size ... seam_cap)

F32 = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class GapEvidence:
    """Colour agreement of the piece with one aligned candidate gap.

    Attributes:
        fit: share of the gap's colour variance inside the mask that an affine copy of
            the piece explains (regularised; about 1 for the real gap).
        interior: normalised colour correlation of the mask's interior (0 if flat).
        fine: how much better the interior's finest texture (grain, noise) correlates
            within 1 px of the alignment than a few px off it (0 when not better,
            or not measured: ``twin_fine_weight`` 0).
        seam: colour step (grey levels) between the band just inside the piece and the
            band just outside the gap; small when the background continues the piece.
        plain_seam: the same without the brightness gain: pieces are mostly drawn with
            the picture's own brightness, and then even a one-level step on a flat
            background tells a twin from the real gap.
        gain: the plain (unregularised, unclamped) gain of the gap's colours over the
            piece's inside the mask: about 1 where the candidate shows the piece's own
            colours unchanged.
        level_change: how far (grey levels, mean of the channels) the mean colour
            inside the mask moves from the piece to the candidate. A gap is drawn by
            changing the picture there (darkened, whitened, greyed, filled); a
            candidate that shows the piece's colours at the same level and gain is the
            picture repeating itself (drawn shapes, a pattern), not a gap.
    """

    fit: float = 0.0
    interior: float = 0.0
    fine: float = 0.0
    seam: float = 99.0
    plain_seam: float = 99.0
    gain: float = 0.0
    level_change: float = 99.0


def _sector_means(colours: F32, sectors: Any, n: int) -> tuple[F32, Any]:
    """Mean colour of the pixels of each of ``n`` sectors, and their count."""
    count = np.bincount(sectors, minlength=n)
    means = np.stack(
        [np.bincount(sectors, weights=colours[:, c], minlength=n) for c in range(3)], 1
    )
    out: F32 = (means / np.maximum(count, 1)[:, None]).astype(np.float32)
    return out, count


def _residual(piece: F32, gap: F32, weights: F32, tuning: EngineTuning) -> F32:
    """Squared residual of the weighted fit ``gap ~ a * piece + b`` (``a`` shared by the
    channels, ``0 <= a <= tuning.max_gain``; ``b`` per channel).

    Gaps are drawn by blending the picture with a colour (darkened, whitened, greyed,
    filled): one blend amount for all channels. A per-channel gain would be flexible
    enough to map any two colours onto any two others, and so "explain" the background
    around a wrong gap as well.
    """
    sw = float(weights.sum()) + 1e-6
    means_p = [float((weights * piece[..., c]).sum()) / sw for c in range(piece.shape[2])]
    means_g = [float((weights * gap[..., c]).sum()) / sw for c in range(piece.shape[2])]
    cov = var = 0.0
    for c in range(piece.shape[2]):
        dp = piece[..., c] - means_p[c]
        cov += float((weights * dp * (gap[..., c] - means_g[c])).sum())
        var += float((weights * dp * dp).sum())
    gain = min(tuning.max_gain, max(0.0, cov / (var + tuning.gain_regulariser * sw)))
    res = np.zeros(piece.shape[:2], dtype=np.float32)
    for c in range(piece.shape[2]):
        res += (gap[..., c] - means_g[c] - gain * (piece[..., c] - means_p[c])) ** 2
    return res


def _spans(ring: BArray, axis: int) -> BArray:
    """The pixels between the first and the last ``ring`` pixel of their row
    (``axis=1``) or column (``axis=0``)."""
    n = ring.shape[axis]
    idx = np.arange(n)
    hit = ring.any(axis)
    first = np.where(hit, ring.argmax(axis), n)
    last = np.where(hit, n - 1 - np.flip(ring, axis).argmax(axis), -1)
    if axis == 1:
        out: BArray = (idx[None, :] >= first[:, None]) & (idx[None, :] <= last[:, None])
    else:
        out = (idx[:, None] >= first[None, :]) & (idx[:, None] <= last[None, :])
    return out


def _outline_interior(
    piece: F32, gap: F32, inbox: BArray, size: float, t: EngineTuning
) -> BArray | None:
    """The shape's interior as the outline the piece shares with the gap bounds it.

    Where the two crops' orientation fields agree strongly (``t.outline_mask_level`` of
    the strongest) is that outline; the pixels between its first and last pixel along
    their row and along their column, off the outline and eroded, are inside. An
    outline broken at a corner (where its orientation turns) leaves the spans whole.
    ``None`` when that interior is under ``t.outline_mask_share`` of the box.
    """
    if not inbox.any():
        return None
    pc, ps = crop_field(piece, t)
    gc, gs = crop_field(gap, t)
    agree = pc * gc + ps * gs
    peak = float(np.percentile(agree[inbox], 98))
    if peak <= 0:
        return None
    ring = (agree > t.outline_mask_level * peak) & inbox
    inside = _spans(ring, 1) & _spans(ring, 0) & ~ring
    inside = erode(inside, max(1, round(t.outline_mask_erode * size)))
    if int(inside.sum()) < t.outline_mask_share * int(inbox.sum()):
        return None
    return inside


def _fine_peak(piece: F32, gap: F32, inner: BArray, reach: int, most: int) -> float:
    """How much better the piece's finest texture (its grain, see
    :func:`~omo_selenium.engine.texture.grain`) correlates with the gap's within 1 px of
    the alignment than anywhere from 2 to ``reach`` px off it (0 when not better), over
    the pixels ``inner``. The piece is cut from the picture at
    its gap, so a gap drawn over it (darkened, whitened, greyed) keeps that texture,
    grain or noise, to the pixel; a decoy of the same shape elsewhere shows other
    grain, and a texture that is smooth or repeats at that scale correlates off the
    alignment as well as on it, so counts for nothing. At most about ``most`` pixels
    are used, evenly spread."""
    a, g = grain(piece)[inner], grain(gap)
    ys, xs = np.nonzero(inner)
    every = max(1, len(ys) // most)
    a, ys, xs = a[::every], ys[::every], xs[::every]
    steps = np.arange(-reach, reach + 1)
    ey, ex = (o.ravel() for o in np.meshgrid(steps, steps, indexing="ij"))
    corr = grain_correlations(a, ys, xs, g, ey, ex)
    near = np.maximum(np.abs(ey), np.abs(ex)) <= 1
    return max(0.0, float(corr[near].max()) - float(corr[~near].max()))


def gap_evidence(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> GapEvidence:
    """Compare the piece with the candidate gap ``(dx, dy)`` away, in colour.

    Args:
        img: the screenshot (RGB).
        box: the piece's (x, y, w, h), screenshot px.
        dx: measured horizontal shift to the candidate, screenshot px.
        dy: measured vertical shift, screenshot px.
        tuning: the engine's tuning (its ``evidence_*`` ... ``seam_cap`` fields).

    Returns:
        The evidence (neutral values when the crops would leave the image).
    """
    bx, by, bw, bh = box
    t = tuning
    f = min(1.0, t.evidence_size / max(bw, bh, 1.0))
    crops = crop_pair(img, box, dx, dy, t.evidence_margin_share * max(bw, bh), f)
    if crops is None:
        return GapEvidence()
    piece, gap, x0, y0 = crops
    h, w = piece.shape[:2]
    # the piece box in crop px
    cx, cy = (bx - x0 + bw / 2) * f, (by - y0 + bh / 2) * f
    pw, ph = bw * f, bh * f
    size = max(pw, ph)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    inbox = (np.abs(xx - cx) <= pw / 2 + 1) & (np.abs(yy - cy) <= ph / 2 + 1)
    core = ((xx - cx) / (t.core * pw)) ** 2 + ((yy - cy) / (t.core * ph)) ** 2 <= 1
    weights = core.astype(np.float32)
    radius = max(1, round(t.residual_radius * size))
    kept: BArray = core
    if t.mask_rounds < 1:
        res = _residual(piece, gap, weights, t)
    for step in range(t.mask_rounds):
        res = _residual(piece, gap, weights, t)
        smooth = box_mean(res, radius)
        # first a loose cut (the core may hold some outline), then tighter ones
        typical = float(np.median(smooth[kept])) if kept.any() else 0.0
        factor, offset = t.first_cut if step == 0 else t.later_cut
        limit = factor * typical + offset
        kept = inbox & (smooth < limit)
        weights = kept.astype(np.float32)
    mask: BArray = kept
    if int(kept.sum()) >= t.outline_mask_from * int(inbox.sum()):
        # the fit explains the whole box (a filled gap over noise: no pixel stands
        # out), so it did not find the shape; the shared outline bounds it instead
        inside = _outline_interior(piece, gap, inbox, size, t)
        if inside is not None:
            mask = inside
            res = _residual(piece, gap, mask.astype(np.float32), t)
    n = int(mask.sum())
    if n < t.min_mask_px:
        return GapEvidence()
    inside_gap, inside_piece = gap[mask], piece[mask]
    mean_gap, mean_piece = inside_gap.mean(0), inside_piece.mean(0)
    dg, dp = inside_gap - mean_gap, inside_piece - mean_piece
    spread = float((dg * dg).sum())
    plain_gain = float((dp * dg).sum()) / max(float((dp * dp).sum()), 1e-6)
    level_change = float(np.abs(mean_gap - mean_piece).mean())
    fit = 1.0 - float(res[mask].sum()) / (spread + t.fit_regulariser * n)

    interior = 0.0
    inner = erode(mask, max(1, round(t.interior_erode * size)))
    if int(inner.sum()) >= t.min_mask_px:
        a, b = piece[inner], gap[inner]
        a, b = a - a.mean(0), b - b.mean(0)
        k = len(a)
        interior = float((a * b).sum()) / math.sqrt(
            (float((a * a).sum()) + t.interior_regulariser * k)
            * (float((b * b).sum()) + t.interior_regulariser * k)
        )

    fine = 0.0
    if t.twin_fine_weight > 0 and int(inner.sum()) >= t.min_mask_px:
        fine = _fine_peak(piece, gap, inner, t.fine_reach, t.fine_pixels)

    a_in = max(2, round(t.seam_inset * size))
    a_out = max(2, round(t.seam_outset * size))
    width = max(2, round(t.seam_band * size))
    band_in = erode(mask, a_in) & ~erode(mask, a_in + width)
    band_out = dilate(mask, a_out + width) & ~dilate(mask, a_out)
    my, mx = np.nonzero(mask)
    angle = np.arctan2(yy - my.mean(), xx - mx.mean())
    sector = ((angle + np.pi) / (2 * np.pi) * t.sectors).astype(np.int64) % t.sectors
    p_in, n_in = _sector_means(piece[band_in], sector[band_in], t.sectors)
    g_out, n_out = _sector_means(gap[band_out], sector[band_out], t.sectors)
    both = (n_in >= t.min_sector_px) & (n_out >= t.min_sector_px)
    seam = plain_seam = t.seam_cap
    if int(both.sum()) >= 3:
        p_in, g_out = p_in[both], g_out[both]
        gain = float((p_in * g_out).sum()) / max(float((p_in * p_in).sum()), 1e-6)
        gain = min(t.seam_gain[1], max(t.seam_gain[0], gain))
        seam = float(np.sqrt(np.median(((gain * p_in - g_out) ** 2).sum(1))))
        plain_seam = float(np.sqrt(np.median(((p_in - g_out) ** 2).sum(1))))
    return GapEvidence(
        fit=fit,
        interior=interior,
        fine=fine,
        seam=seam,
        plain_seam=plain_seam,
        gain=plain_gain,
        level_change=level_change,
    )
